"""Tenant and domain writes bump the platform generation (see ciam.generations), so
every web worker re-reads its cached routes."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from ciam import generations

from .models import Domain, Tenant


def _platform_changed(sender: Any, **kwargs: Any) -> None:
    generations.bump(generations.PLATFORM)


def connect() -> None:
    for model in (Tenant, Domain):
        post_save.connect(_platform_changed, sender=model, dispatch_uid=f"gen-{model.__name__}")
        post_delete.connect(_platform_changed, sender=model, dispatch_uid=f"gen-{model.__name__}-d")
