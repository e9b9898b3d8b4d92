"""Models of the userflows app (filled in by its issue)."""
