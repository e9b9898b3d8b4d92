"""The sign-in / sign-up event outbox and the insights roll-ups.

Every table lives in the tenant's schema: the schema is the event's tenant. Each step of a
user flow writes one `Event` in the same transaction as its effect; Celery workers claim
events (`SELECT … FOR UPDATE SKIP LOCKED`) and fold them into `HourlyCount` (counters) and
`ActiveUserDay` (the set of users active on each day, so distinct-user counts over any
period are exact). Raw events are purged after `CIAM_INSIGHTS_RETENTION_DAYS`; the two
roll-up tables are kept."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

UNKNOWN = "unknown"


class Event(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=60)
    # Pseudonymous: the account's random UUID, never an email or a name.
    user_id = models.UUIDField(null=True, blank=True)
    client_id = models.CharField(max_length=100, blank=True)
    flow_id = models.UUIDField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    data = models.JSONField(default=dict, blank=True)
    rolled_up = models.BooleanField(default=False)
    # Derived once when the event is recorded (insights.services.record_event).
    method = models.CharField(max_length=30, blank=True)
    detail = models.CharField(max_length=40, blank=True)
    os = models.CharField(max_length=40, default=UNKNOWN)
    browser = models.CharField(max_length=40, default=UNKNOWN)
    country = models.CharField(max_length=16, default=UNKNOWN)

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["kind", "occurred_at"]),
            models.Index(fields=["rolled_up", "occurred_at"]),
            models.Index(
                fields=["occurred_at"],
                condition=models.Q(rolled_up=False),
                name="insights_event_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} at {self.occurred_at:%Y-%m-%d %H:%M:%S}"


class HourlyCount(models.Model):
    """How many events of one kind fell in one UTC hour, per app, OS, country, method and
    detail (sign-in client type, failure reason, MFA result or token grant). Daily and
    monthly figures are sums of these rows."""

    hour = models.DateTimeField()
    metric = models.CharField(max_length=60)
    client_id = models.CharField(max_length=100, blank=True)
    os = models.CharField(max_length=40, default=UNKNOWN)
    country = models.CharField(max_length=16, default=UNKNOWN)
    method = models.CharField(max_length=30, blank=True)
    detail = models.CharField(max_length=40, blank=True)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["hour", "metric", "client_id", "os", "country", "method", "detail"],
                name="insights_hourlycount_key",
            )
        ]
        indexes = [models.Index(fields=["metric", "hour"])]


class ActiveUserDay(models.Model):
    """One row per user, UTC day, app, OS and country with a successful sign-in (or a
    completed sign-up): distinct users over a day, 7 or 30 days or a month are exact
    `count(DISTINCT user_id)` over these rows, after raw events are gone."""

    day = models.DateField()
    user_id = models.UUIDField()
    client_id = models.CharField(max_length=100, blank=True)
    os = models.CharField(max_length=40, default=UNKNOWN)
    country = models.CharField(max_length=16, default=UNKNOWN)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "user_id", "client_id", "os", "country"],
                name="insights_activeuserday_key",
            )
        ]
        indexes = [models.Index(fields=["user_id", "day"])]
