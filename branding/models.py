"""Models of the branding app (filled in by its issue)."""
