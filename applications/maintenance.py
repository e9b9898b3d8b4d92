"""Housekeeping of the identity server, run by Celery beat per tenant: purge of expired
tokens, codes and keys, and scheduled key rotation."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from . import keys
from .models import (
    AccessToken,
    Application,
    Grant,
    IDToken,
    RefreshToken,
    SigningAlgorithm,
    SigningKey,
)
from .services import rotate_signing_key


# -- housekeeping ------------------------------------------------------------------------------
def purge_expired_tokens(batch_size: int = 5000) -> dict[str, int]:
    """Delete expired access tokens, ID tokens, codes (used or not) and dead refresh tokens
    of the current tenant in batches, so the tables never grow without bound. Revoked
    refresh tokens are kept while they may still be replayed (reuse detection)."""
    now = timezone.now()
    refresh_cutoff = now - timedelta(
        seconds=max(Application.objects.values_list("refresh_token_lifetime", flat=True) or [0])
    )
    querysets = {
        "refresh_tokens": RefreshToken.objects.filter(revoked__lte=refresh_cutoff),
        "orphan_refresh_tokens": RefreshToken.objects.filter(
            revoked__isnull=True, access_token__isnull=True, created__lte=refresh_cutoff
        ),
        "access_tokens": AccessToken.objects.filter(expires__lte=now, refresh_token__isnull=True),
        "id_tokens": IDToken.objects.filter(expires__lte=now, access_token__isnull=True),
        "grants": Grant.objects.filter(expires__lte=now),
        "signing_keys": SigningKey.objects.filter(
            status=SigningKey.Status.RETIRED, retire_after__lte=now
        ),
    }
    deleted: dict[str, int] = {}
    for name, queryset in querysets.items():
        total = 0
        while True:
            ids = list(queryset.values_list("pk", flat=True)[:batch_size])
            if not ids:
                break
            total += (
                queryset.model.objects.filter(pk__in=ids)
                .delete()[1]
                .get(queryset.model._meta.label, 0)
            )
        deleted[name] = total
    return deleted


def rotate_due_keys(max_age_days: int) -> list[str]:
    """Scheduled rotation: rotate every algorithm whose active key is older than
    `max_age_days`."""
    rotated = []
    for algorithm in SigningAlgorithm.values:
        if keys.rotation_due(algorithm, timedelta(days=max_age_days)):
            rotate_signing_key(algorithm, actor="scheduled rotation")
            rotated.append(algorithm)
    return rotated
