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
