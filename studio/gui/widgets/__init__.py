"""Reusable studio widgets: empty states, badges, candidate cards, the thumbnail grid, the jobs dock."""
