"""Writes to extensions bump the tenant's generation (ciam.generations), so every web
worker reloads its cached extension config (extensions.config) at the next request."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from ciam import generations
from ciam.schemas import current_schema

from .models import CustomAuthenticationExtension


def _changed(sender: Any, **kwargs: Any) -> None:
    generations.bump(current_schema())


def connect() -> None:
    post_save.connect(_changed, sender=CustomAuthenticationExtension, dispatch_uid="gen-ext")
    post_delete.connect(_changed, sender=CustomAuthenticationExtension, dispatch_uid="gen-ext-d")
