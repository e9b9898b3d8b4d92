"""Writes to a tenant's app registrations, secrets, permission grants, app role
assignments and signing keys bump the tenant's generation (see ciam.generations), so
every web worker drops its cached snapshots (applications.cache) at the next request."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from ciam import generations
from ciam.schemas import current_schema

from .models import ApiPermission, Application, AppRoleAssignment, ClientSecret, SigningKey

MODELS = (Application, ClientSecret, ApiPermission, AppRoleAssignment, SigningKey)


def _tenant_changed(sender: Any, **kwargs: Any) -> None:
    generations.bump(current_schema())


def connect() -> None:
    for model in MODELS:
        uid = f"gen-{model.__name__}"
        post_save.connect(_tenant_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_tenant_changed, sender=model, dispatch_uid=uid + "-d")
