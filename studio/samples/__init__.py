"""Procedural sample products (numpy + PIL): the studio shots and catalogs in assets/sample_catalog."""
