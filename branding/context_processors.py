"""`branding` in every template of a tenant's customer pages (None elsewhere)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def branding(request: HttpRequest) -> dict[str, Any]:
    return {"branding": getattr(request, "branding", None)}
