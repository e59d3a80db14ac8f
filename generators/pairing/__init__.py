"""Outfit pairing: catalog flat-lays of an anchor product with its complements (and, later, generated looks)."""
