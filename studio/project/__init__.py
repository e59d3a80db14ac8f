"""Project store (`project.sqlite` + content-addressed assets), catalog import and review."""
