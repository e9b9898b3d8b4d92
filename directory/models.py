"""The directory. In the public schema this table holds platform operators; in each
tenant's schema it holds that tenant's customer and admin accounts."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models.functions import Lower

from .roles import Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password) if password else user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("kind", User.Kind.OPERATOR)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser):
    class Kind(models.TextChoices):
        CUSTOMER = "customer", "Customer"
        ADMIN = "admin", "Admin"
        OPERATOR = "operator", "Platform operator"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(max_length=254, null=True, blank=True)
    display_name = models.CharField(max_length=256, blank=True)
    given_name = models.CharField(max_length=128, blank=True)
    surname = models.CharField(max_length=128, blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.CUSTOMER)
    is_active = models.BooleanField(default=True)
    # Built-in profile attributes (the names follow Entra External ID's user attributes).
    city = models.CharField(max_length=128, blank=True)
    country = models.CharField(max_length=128, blank=True)
    postal_code = models.CharField(max_length=40, blank=True)
    state = models.CharField(max_length=128, blank=True)
    street_address = models.CharField(max_length=256, blank=True)
    job_title = models.CharField(max_length=128, blank=True)
    # Values of the tenant's custom attributes, keyed by CustomAttribute.name; GIN-indexed
    # so that filtering by them stays fast.
    custom_attributes = models.JSONField(default=dict, blank=True)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="directory_user_email_ci_unique"),
        ]
        indexes = [
            models.Index(fields=["kind", "created_at"]),
            GinIndex(fields=["custom_attributes"], name="directory_user_custom_attrs"),
        ]

    def __str__(self) -> str:
        return self.email or str(self.id)

    @property
    def is_staff(self) -> bool:
        return self.kind in (self.Kind.ADMIN, self.Kind.OPERATOR)

    @property
    def is_superuser(self) -> bool:
        return False

    def has_perm(self, perm: str, obj: object = None) -> bool:  # Django admin is not used
        return False

    def has_module_perms(self, app_label: str) -> bool:
        return False


class RoleAssignment(models.Model):
    """An admin role held by an admin account of this tenant."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=40, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="directory_role_unique")
        ]


class TenantSettings(models.Model):
    """The tenant's own settings: a single row in its schema."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    tenant_id = models.UUIDField(null=True)
    require_admin_mfa = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="tenant_settings_singleton")
        ]


class AuditEvent(models.Model):
    """One admin change: who, what, before and after, when, from where. Append-only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_id = models.UUIDField(null=True, blank=True)
    actor = models.CharField(max_length=254, help_text="Email or name of who acted")
    action = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=80, blank=True, db_index=True)
    target_id = models.CharField(max_length=80, blank=True)
    target = models.CharField(max_length=254, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=256, blank=True)

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["actor", "-occurred_at"])]


class CustomAttribute(models.Model):
    """A custom user attribute defined by the tenant (collected at sign-up, put in tokens)."""

    class DataType(models.TextChoices):
        STRING = "string", "String"
        INTEGER = "integer", "Integer"
        BOOLEAN = "boolean", "Boolean"
        DATE = "date", "Date"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.SlugField(max_length=64, unique=True)
    data_type = models.CharField(max_length=10, choices=DataType.choices)
    label = models.CharField(max_length=128)
    description = models.CharField(max_length=512, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
