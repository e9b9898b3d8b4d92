"""Celery tasks of the identity server (tenant tasks). Beat runs them on every tenant
through `tenants.for_each_tenant` (see CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from django.conf import settings

from ciam.celery import app

from . import maintenance


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


@app.task(name="applications.rotate_signing_keys")
def rotate_signing_keys_task() -> list[str]:
    return maintenance.rotate_due_keys(settings.CIAM_SIGNING_KEY_MAX_AGE_DAYS)


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
