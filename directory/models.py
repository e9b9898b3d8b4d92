"""The directory. In the public schema this table holds platform operators; in each
tenant's schema it holds that tenant's customer and admin accounts."""

from __future__ import annotations

import secrets
import uuid
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F
from django.db.models.functions import Left, Lower
from django.utils.crypto import salted_hmac

from .roles import Role

# The leading letters of email and display name that the users' GIN index holds: the
# first one and the first two (the prefix search of the users list relies on them).
SEARCH_HEAD_LENGTH = 2


def new_security_stamp() -> str:
    return secrets.token_hex(16)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        user = self.model(email=self.normalize_email(email).lower() or None, **extra)
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
    # Set by an admin's temporary-password reset: the next sign-in must choose a new one.
    must_change_password = models.BooleanField(default=False)
    # Imported from a legacy store whose hashes we do not hold: the first password sign-in
    # asks the tenant's OnPasswordSubmit extension, then keeps the password.
    password_migration_pending = models.BooleanField(default=False)
    # The identifier a provisioning client (SCIM) knows this account by.
    external_id = models.CharField(max_length=256, blank=True)
    # SCIM attributes with no column of their own (nickName, phoneNumbers, the enterprise
    # extension...), kept so that what a provisioning client wrote reads back the same.
    scim_data = models.JSONField(default=dict, blank=True)
    # Part of the session auth hash: changing it ends every session of the account at once
    # (block, password reset, delete), wherever the sessions are stored.
    security_stamp = models.CharField(max_length=32, default=new_security_stamp, editable=False)
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
            # Custom attribute containment, alone or with a prefix search: one GIN index
            # whose btree_gin columns hold the first letter and the first two letters of
            # email and display name, so that "tier=gold, email starting with ma" is an
            # intersection inside the index (see directory/selectors_users.py).
            GinIndex(
                OpClass(F("custom_attributes"), name="jsonb_path_ops"),
                Left(Lower("email"), 1),
                Left(Lower("email"), SEARCH_HEAD_LENGTH),
                Left(Lower("display_name"), 1),
                Left(Lower("display_name"), SEARCH_HEAD_LENGTH),
                name="directory_user_attrs_heads",
            ),
            # Keyset pagination and prefix search (range scans) of the users list.
            models.Index(Lower("email"), "id", name="directory_user_email_sort"),
            models.Index(Lower("display_name"), "id", name="directory_user_name_sort"),
            models.Index("created_at", "id", name="directory_user_created_sort"),
        ]

    def __str__(self) -> str:
        return self.email or str(self.id)

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        key_salt = "directory.User.session_auth_hash"
        return salted_hmac(
            key_salt,
            f"{self.password}|{self.security_stamp}",
            secret=secret or settings.SECRET_KEY,
            algorithm="sha256",
        ).hexdigest()

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


class Identity(models.Model):
    """A way a customer signs in: local email + password, email one-time code, or a
    federated identity (issuer + subject)."""

    class Type(models.TextChoices):
        PASSWORD = "password", "Email and password"
        EMAIL_OTP = "email_otp", "Email one-time code"
        FEDERATED = "federated", "Federated"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="identities")
    type = models.CharField(max_length=12, choices=Type.choices)
    # For local identities the issuer is the tenant itself ("local") and the subject the
    # email; for federated ones, the upstream issuer and its subject.
    issuer = models.CharField(max_length=512)
    subject = models.CharField(max_length=512)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["type", "issuer", "subject"], name="directory_identity_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()}: {self.subject}"


class Group(models.Model):
    """A security group of the tenant."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    display_name = models.CharField(max_length=256)
    description = models.CharField(max_length=1024, blank=True)
    external_id = models.CharField(max_length=256, blank=True)
    members = models.ManyToManyField(  # type: ignore[var-annotated]
        User, through="GroupMembership", related_name="groups"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_name"]
        constraints = [
            models.UniqueConstraint(Lower("display_name"), name="directory_group_name_ci_unique")
        ]

    def __str__(self) -> str:
        return self.display_name


class GroupMembership(models.Model):
    id = models.BigAutoField(primary_key=True)
    group = models.ForeignKey(Group, on_delete=models.CASCADE)
    user = models.ForeignKey(User, on_delete=models.CASCADE)
    # The member's name as a provisioning client (SCIM) gave it, if it did.
    display = models.CharField(max_length=256, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="directory_membership_unique")
        ]


class ScimToken(models.Model):
    """A bearer token a provisioning client uses on /scim/v2/; only its keyed hash is kept."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=128)
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=8, help_text="The token's first characters")
    created_by = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class ImportJob(models.Model):
    """A bulk user import, run by a Celery task; the admin center shows its progress."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    file_format = models.CharField(max_length=4)
    filename = models.CharField(max_length=256, blank=True)
    # The uploaded file until the task has read it (password hashes only, never plain
    # passwords); emptied when the job ends.
    payload = models.TextField(blank=True)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    existing_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    created_by = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total) if self.total else 0
