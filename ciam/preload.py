"""Work a web worker does while it starts rather than on its first request."""

from __future__ import annotations

from django.conf import settings
from django.urls import get_resolver


def load_url_configurations() -> None:
    """Import the tenant and platform URL configurations, with every view they name, and
    build their reverse maps: otherwise the first request a new worker serves pays for it
    (bench/startup.py). Both are cached per process by Django (`get_resolver`)."""
    for urlconf in (settings.ROOT_URLCONF, settings.PUBLIC_SCHEMA_URLCONF):
        get_resolver(urlconf).reverse_dict  # noqa: B018 - the property builds the maps
