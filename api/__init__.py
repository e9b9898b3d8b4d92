"""The management REST API (/api/v1/ on the tenant base)."""
