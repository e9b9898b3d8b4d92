"""Models of the insights app (filled in by its issue)."""
