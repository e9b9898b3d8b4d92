"""The sign-in / sign-up event outbox. Each step of a user flow writes one row in the same
transaction as its effect; Celery rolls them up into the insights tables (later issue)."""

from __future__ import annotations

import uuid

from django.db import models


class Event(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=60)
    user_id = models.UUIDField(null=True, blank=True)
    client_id = models.CharField(max_length=100, blank=True)
    flow_id = models.UUIDField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    occurred_at = models.DateTimeField(auto_now_add=True)
    data = models.JSONField(default=dict, blank=True)
    rolled_up = models.BooleanField(default=False)

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["kind", "occurred_at"]),
            models.Index(fields=["rolled_up", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} at {self.occurred_at:%Y-%m-%d %H:%M:%S}"
