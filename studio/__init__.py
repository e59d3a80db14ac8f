"""The Vitrine application: project store, catalog import, jobs, batch, export and the CLI (Qt-free)."""
