"""Process-local snapshots of app registrations, for the token endpoint's hot path.

A snapshot holds what a client-credentials request needs (the app's row, the keyed
hashes of its active secrets, its granted application permissions) and is valid for one
generation of the tenant (ciam.generations): any write to an app, a secret, a permission
grant, an app role assignment or a signing key bumps it (applications.signals), so a
revoked secret or a withdrawn grant stops working at once in the process that made the
change and within CIAM_GENERATION_RECHECK_SECONDS (0.5 s) on every other worker."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from ciam import generations
from ciam.crypto import keyed_hash
from ciam.schemas import current_schema

from .models import Application


@dataclass(frozen=True)
class ClientSnapshot:
    app: Application
    # keyed hash of each unrevoked secret -> its expiry (None: never)
    secrets: dict[str, datetime | None]
    # full names of the application permissions an admin granted
    granted: tuple[str, ...]

    def application(self) -> Application:
        """A copy of the app row for one request (requests annotate their client)."""
        return copy.copy(self.app)

    def secret_ok(self, value: str) -> bool:
        if not value:
            return False
        hashed = keyed_hash(value)
        if hashed not in self.secrets:
            return False
        expires = self.secrets[hashed]
        return expires is None or expires > timezone.now()


_clients = generations.Cache()


def _load(client_id: str) -> ClientSnapshot | None:
    from .scopes import granted_application_permissions

    app = Application.objects.filter(client_id=client_id).first()
    if app is None:
        return None
    secrets = dict(
        app.secrets.filter(revoked_at__isnull=True).values_list("secret_hash", "expires_at")
    )
    return ClientSnapshot(app, secrets, tuple(granted_application_permissions(app)))


def client(client_id: str) -> ClientSnapshot | None:
    """The snapshot of this tenant's app `client_id`, or None when there is none."""
    if not isinstance(client_id, str) or "\x00" in client_id or len(client_id) > 100:
        return None
    schema = current_schema()
    return _clients.get(schema, client_id, lambda: _load(client_id))
