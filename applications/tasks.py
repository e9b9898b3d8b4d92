"""Celery tasks of the identity server. Beat runs platform tasks in the public schema;
they fan out one tenant task per active tenant, sent from inside the tenant's schema so
the schema travels in the task headers."""

from __future__ import annotations

from django.conf import settings
from django_tenants.utils import schema_context

from ciam.celery import PublicTask, app

from . import maintenance


def _active_tenants():
    from tenants.models import Tenant

    return Tenant.objects.filter(deleted_at__isnull=True).exclude(schema_name="public")


@app.task(name="applications.ensure_rsa_key")
def ensure_rsa_key_task() -> str:
    """Make the tenant's RS256 key pair (active + next) in the background."""
    from . import keys
    from .models import SigningAlgorithm

    return keys.ensure_active_key(SigningAlgorithm.RS256).kid


@app.task(name="applications.purge_expired_tokens")
def purge_expired_tokens_task() -> dict[str, int]:
    return maintenance.purge_expired_tokens(
        int(settings.OAUTH2_PROVIDER["CLEAR_EXPIRED_TOKENS_BATCH_SIZE"])
    )


@app.task(name="applications.purge_expired_tokens_all_tenants", base=PublicTask)
def purge_expired_tokens_all_tenants_task() -> int:
    count = 0
    for tenant in _active_tenants():
        with schema_context(tenant.schema_name):
            purge_expired_tokens_task.delay()
        count += 1
    return count


@app.task(name="applications.rotate_signing_keys")
def rotate_signing_keys_task() -> list[str]:
    return maintenance.rotate_due_keys(settings.CIAM_SIGNING_KEY_MAX_AGE_DAYS)


@app.task(name="applications.rotate_signing_keys_all_tenants", base=PublicTask)
def rotate_signing_keys_all_tenants_task() -> int:
    count = 0
    for tenant in _active_tenants():
        with schema_context(tenant.schema_name):
            rotate_signing_keys_task.delay()
        count += 1
    return count


LOGOUT_DELIVERY_ATTEMPTS = 7


@app.task(name="applications.deliver_logout_token")
def deliver_logout_token_task(app_pk: int, token: str, attempt: int = 1) -> bool:
    """OIDC Back-Channel Logout: POST the logout token to the app. While the app does
    not acknowledge it, the task sends itself again with exponential backoff (10 s,
    20 s, ... 10 min; seven attempts in all). A new message rather than Celery's retry
    exception, so that a failed delivery never fails the request that queued it."""
    from . import logout

    if logout.deliver(app_pk, token):
        return True
    if attempt < LOGOUT_DELIVERY_ATTEMPTS:
        deliver_logout_token_task.apply_async(
            args=(app_pk, token),
            kwargs={"attempt": attempt + 1},
            countdown=min(10 * 2 ** (attempt - 1), 600),
        )
    return False
