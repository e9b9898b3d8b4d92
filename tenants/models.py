"""Tenants live in the public schema: one row per external tenant, its domains, and the
warm pool of ready schemas that makes provisioning fast."""

from __future__ import annotations

import secrets
import uuid

from django.db import models
from django_tenants.models import DomainMixin, TenantMixin


class Tenant(TenantMixin):
    """An external tenant: its own schema holds its directory, apps, flows and keys."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.SlugField(max_length=40, unique=True)
    display_name = models.CharField(max_length=120)
    country = models.CharField(max_length=2, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.EmailField(blank=True)
    # Soft delete: a deleted tenant is unreachable at once and purged later by Celery.
    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True)

    # Schemas are created by services.create_tenant (pool or clone), never implicitly.
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.deleted_at is None


class Domain(DomainMixin):
    """A host name a tenant answers on: its subdomain of CIAM_BASE_DOMAIN or a custom
    domain. Custom domains answer only once verified (DNS TXT token)."""

    class Kind(models.TextChoices):
        SUBDOMAIN = "subdomain", "Subdomain"
        CUSTOM = "custom", "Custom domain"

    # Not unique by itself: several tenants may claim a name until one proves it (a
    # pending claim must not block the owner); verified names are unique (Meta).
    domain = models.CharField(max_length=253, db_index=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.SUBDOMAIN)
    is_verified = models.BooleanField(default=False)
    verification_token = models.CharField(
        max_length=64, default=secrets.token_urlsafe, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["domain"],
                condition=models.Q(is_verified=True),
                name="tenants_domain_verified_unique",
            ),
            models.UniqueConstraint(
                fields=["domain", "tenant"], name="tenants_domain_once_per_tenant"
            ),
        ]


class PooledSchema(models.Model):
    """A migrated, empty schema waiting to become a tenant (renamed in place)."""

    schema_name = models.CharField(max_length=63, unique=True)
    # Fingerprint of the migrations the schema holds; stale schemas are dropped.
    migrations_fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
