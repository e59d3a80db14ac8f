"""Batch: recipes, the resumable job runner, progress, and the catalog → export session."""
