"""App registration services (the identity-server work extends these)."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from directory import audit

from .models import Application

APP_TYPES = {
    "web": (Application.CLIENT_CONFIDENTIAL, Application.GRANT_AUTHORIZATION_CODE),
    "spa": (Application.CLIENT_PUBLIC, Application.GRANT_AUTHORIZATION_CODE),
    "native": (Application.CLIENT_PUBLIC, Application.GRANT_AUTHORIZATION_CODE),
    "daemon": (Application.CLIENT_CONFIDENTIAL, Application.GRANT_CLIENT_CREDENTIALS),
}


def register_application(
    *,
    name: str,
    app_type: str,
    redirect_uris: list[str],
    actor: Any,
    request: HttpRequest | None = None,
) -> tuple[Application, str | None]:
    """Register an app; returns it and its client secret (shown once) when it has one."""
    client_type, grant = APP_TYPES[app_type]
    secret = secrets.token_urlsafe(32) if client_type == Application.CLIENT_CONFIDENTIAL else None
    with transaction.atomic():
        app = Application(
            name=name,
            client_type=client_type,
            authorization_grant_type=grant,
            redirect_uris=" ".join(redirect_uris),
            algorithm=Application.RS256_ALGORITHM,
        )
        if secret:
            app.client_secret = secret
        app.save()
        audit.record(
            action="application.create",
            actor=actor,
            request=request,
            target=app,
            after=audit.snapshot(
                app,
                ["name", "client_id", "client_type", "authorization_grant_type", "redirect_uris"],
            ),
        )
    return app, secret
