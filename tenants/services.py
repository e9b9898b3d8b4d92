"""Tenant provisioning: name validation, fast creation from a warm schema pool or a cloned
template schema, soft delete and purge, and parallel migration of every tenant."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tenants.utils import get_public_schema_name, schema_context, schema_exists

from ciam.schemas import use_public_schema
from ciam.tenancy import is_tenant_request

from . import first_admin
from .cloning import clone_template
from .models import Domain, PooledSchema, Tenant

logger = logging.getLogger(__name__)

TENANT_NAME_RE = re.compile(r"^[a-z](?:[a-z0-9-]{1,38}[a-z0-9])$")
RESERVED_TENANT_NAMES = frozenset(
    """
    www admin administrator api app apps auth login logout signin signup sign-in sign-up
    portal platform static media public mail smtp imap pop ftp ns dns mx healthz readyz
    status docs help support root system template tenant tenants pool ciam oauth oauth2
    openid well-known default test localhost console dashboard billing security scim
    account accounts login-microsoftonline graph cdn assets internal
    """.split()  # noqa: SIM905
)


def schema_name_for(name: str) -> str:
    """Tenant names are DNS labels (no underscores), so this mapping is one-to-one."""
    return "t_" + name.replace("-", "_")


def validate_tenant_name(name: str) -> str:
    """Return the normalised name or raise ValidationError with a message for a form field."""
    name = (name or "").strip().lower()
    if not name:
        raise ValidationError("Enter a tenant name.", code="required")
    if len(name) < 3 or len(name) > 40:
        raise ValidationError("Use 3 to 40 characters.", code="length")
    if not TENANT_NAME_RE.match(name):
        raise ValidationError(
            "Use lower-case letters, digits and hyphens; start with a letter and end with a "
            "letter or digit.",
            code="invalid",
        )
    if "--" in name:
        raise ValidationError("Two hyphens in a row are not allowed.", code="invalid")
    if name in RESERVED_TENANT_NAMES:
        raise ValidationError("This name is reserved. Choose another.", code="reserved")
    if Tenant.objects.filter(name=name).exists():
        raise ValidationError("A tenant with this name already exists.", code="taken")
    return name


# --- schema templates and the warm pool ------------------------------------------------


@cache
def migrations_fingerprint() -> str:
    """A digest of every tenant migration on disk: a pool schema is usable only if it was
    built from exactly these migrations."""
    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    tenant_labels = {app.rsplit(".", 1)[-1] for app in settings.TENANT_APPS}
    keys = sorted(f"{a}.{n}" for (a, n) in loader.disk_migrations if a in tenant_labels)
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()


def _applied_fingerprint(schema: str) -> str | None:
    """The fingerprint of what the schema's own django_migrations says it holds."""
    tenant_labels = {app.rsplit(".", 1)[-1] for app in settings.TENANT_APPS}
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f'"{schema}".django_migrations'])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f'SELECT app, name FROM "{schema}".django_migrations')
        rows = cursor.fetchall()
    keys = sorted(f"{a}.{n}" for (a, n) in rows if a in tenant_labels)
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()


def ensure_template_schema(verbosity: int = 0) -> str:
    """Create or migrate the template schema that every new tenant is cloned from.

    The template holds only what migrations put there; tenant data is written after the
    clone, in the new schema, so nothing of one tenant can appear in another."""
    template = settings.TENANT_BASE_SCHEMA
    if schema_exists(template) and _applied_fingerprint(template) == migrations_fingerprint():
        return template
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('ciam.template_schema'))")
        if not schema_exists(template):
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE SCHEMA "{template}"')
    call_command(
        "migrate_schemas",
        schema_name=template,
        tenant=True,
        interactive=False,
        verbosity=verbosity,
    )
    use_public_schema()
    # Pool schemas cloned from an older template are no longer usable.
    drop_stale_pool_schemas()
    return template


def _clone_template(target: str) -> None:
    clone_template(target, migrations_fingerprint())


def refill_schema_pool(size: int | None = None) -> int:
    """Bring the warm pool up to `size` ready schemas; returns how many were added."""
    size = settings.CIAM_SCHEMA_POOL_SIZE if size is None else size
    ensure_template_schema()
    fingerprint = migrations_fingerprint()
    added = 0
    while PooledSchema.objects.filter(migrations_fingerprint=fingerprint).count() < size:
        name = f"pool_{secrets.token_hex(8)}"
        with transaction.atomic():
            _clone_template(name)
            PooledSchema.objects.create(schema_name=name, migrations_fingerprint=fingerprint)
        use_public_schema()
        added += 1
    return added


def drop_stale_pool_schemas() -> int:
    fingerprint = migrations_fingerprint()
    dropped = 0
    for pooled in PooledSchema.objects.exclude(migrations_fingerprint=fingerprint):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{pooled.schema_name}" CASCADE')
            pooled.delete()
        dropped += 1
    return dropped


def _claim_pooled_schema(target: str) -> bool:
    """Rename a ready pool schema to `target` inside the caller's transaction."""
    pooled = (
        PooledSchema.objects.select_for_update(skip_locked=True)
        .filter(migrations_fingerprint=migrations_fingerprint())
        .first()
    )
    if pooled is None:
        return False
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER SCHEMA "{pooled.schema_name}" RENAME TO "{target}"')
    pooled.delete()
    return True


# --- tenants ---------------------------------------------------------------------------


@dataclass
class ProvisionedTenant:
    tenant: Tenant
    admin: Any
    admin_password: str | None
    from_pool: bool
    seconds: float


def tenant_initializers() -> list[Callable[..., None]]:
    """Per-app steps that fill a new tenant's schema, registered in settings."""
    return [import_string(path) for path in settings.CIAM_TENANT_INITIALIZERS]


def create_tenant(
    *,
    name: str,
    display_name: str,
    admin_email: str,
    admin_password: str | None = None,
    country: str = "",
    created_by: str = "",
    use_pool: bool = True,
    admin_password_hash: str | None = None,
) -> ProvisionedTenant:
    """Create a tenant with its schema, subdomain and first Global Administrator.

    All of it happens in one transaction (PostgreSQL DDL is transactional): a failure
    leaves no tenant row, no schema and no admin behind."""
    accounts = first_admin.accounts()
    started = time.perf_counter()
    name = validate_tenant_name(name)
    display_name = (display_name or "").strip() or name
    admin_email = accounts.normalize_email(admin_email)
    if not admin_email:
        raise ValidationError({"admin_email": "Enter the first administrator's email."})
    schema = schema_name_for(name)
    if not use_pool:
        ensure_template_schema()
    use_public_schema()
    with transaction.atomic():
        tenant = Tenant(
            name=name,
            schema_name=schema,
            display_name=display_name,
            country=(country or "").upper()[:2],
            created_by=created_by,
        )
        tenant.save()
        Domain.objects.create(
            domain=f"{name}.{settings.CIAM_BASE_DOMAIN}",
            tenant=tenant,
            is_primary=True,
            kind=Domain.Kind.SUBDOMAIN,
            is_verified=True,
        )
        from_pool = use_pool and _claim_pooled_schema(schema)
        if not from_pool:
            if not schema_exists(settings.TENANT_BASE_SCHEMA):
                raise RuntimeError("Template schema missing: run migrate_all_tenants first.")
            _clone_template(schema)
        with schema_context(schema):
            for initialize in tenant_initializers():
                initialize(tenant)
            admin, password = accounts.create_first_admin(
                email=admin_email,
                password=admin_password,
                actor=created_by or "system",
                generate_password=admin_password is None and not admin_password_hash,
                password_hash=admin_password_hash,
            )
    use_public_schema()
    if use_pool:
        from .tasks import refill_schema_pool_task

        transaction.on_commit(lambda: refill_schema_pool_task.delay())
    return ProvisionedTenant(
        tenant=tenant,
        admin=admin,
        admin_password=password,
        from_pool=bool(from_pool),
        seconds=time.perf_counter() - started,
    )


def get_active_tenant(name: str) -> Tenant | None:
    return Tenant.objects.filter(name=name, deleted_at__isnull=True).first()


def soft_delete_tenant(tenant: Tenant, *, actor: str = "") -> Tenant:
    """Step one of deletion: the tenant stops answering at once; its schema is purged by
    Celery after CIAM_TENANT_PURGE_GRACE_SECONDS."""
    from .tasks import purge_tenant_task

    if tenant.deleted_at is None:
        tenant.deleted_at = timezone.now()
        tenant.save(update_fields=["deleted_at", "updated_at"])
        logger.info("tenant %s soft-deleted by %s", tenant.name, actor or "system")
    grace = settings.CIAM_TENANT_PURGE_GRACE_SECONDS
    tenant_id = str(tenant.pk)
    transaction.on_commit(lambda: purge_tenant_task.apply_async((tenant_id,), countdown=grace))
    return tenant


def restore_tenant(tenant: Tenant) -> Tenant:
    tenant.deleted_at = None
    tenant.save(update_fields=["deleted_at", "updated_at"])
    return tenant


def purge_tenant(tenant_id: str, *, force: bool = False) -> bool:
    """Step two: drop the schema and the rows of a soft-deleted tenant."""
    use_public_schema()
    with transaction.atomic():
        tenant = (
            Tenant.objects.select_for_update()
            .filter(pk=tenant_id, deleted_at__isnull=False)
            .first()
        )
        if tenant is None:
            return False
        grace = settings.CIAM_TENANT_PURGE_GRACE_SECONDS
        if not force and (timezone.now() - tenant.deleted_at).total_seconds() < grace:
            return False
        with connection.cursor() as cursor:
            # Deferred FK checks of rows written earlier in this transaction must fire
            # before their tables can be dropped.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f'DROP SCHEMA IF EXISTS "{tenant.schema_name}" CASCADE')
        Tenant.objects.filter(pk=tenant.pk).delete()
    logger.info("tenant %s purged", tenant.name)
    return True


def purge_deleted_tenants() -> int:
    cutoff = timezone.now() - timedelta(seconds=settings.CIAM_TENANT_PURGE_GRACE_SECONDS)
    ids = list(
        Tenant.objects.filter(deleted_at__isnull=False, deleted_at__lte=cutoff).values_list(
            "pk", flat=True
        )
    )
    return sum(1 for tenant_id in ids if purge_tenant(str(tenant_id)))


def migrate_all_tenants(*, processes: int = 2, verbosity: int = 1) -> None:
    """Migrate the public schema, the template, then every tenant schema where something
    is due (planned once for all of them, applied in parallel processes: see
    tenants/migration_runner.py); stale pool schemas are dropped (the pool refills from
    the new template)."""
    from .migration_runner import migrate_schemas

    call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
    ensure_template_schema(verbosity=verbosity)
    schemas = list(
        Tenant.objects.exclude(schema_name=get_public_schema_name()).values_list(
            "schema_name", flat=True
        )
    )
    if schemas:
        migrated = migrate_schemas(schemas, processes=processes)
        if verbosity:
            print(f"{len(migrated)} of {len(schemas)} tenant schemas had migrations to apply")
    use_public_schema()
    drop_stale_pool_schemas()


def tenant_base_urls(tenant: Tenant, request: Any) -> dict[str, str]:
    """Every base URL the tenant answers on, as seen from the request's shared host."""
    host = request.get_host()
    if is_tenant_request(request) and not getattr(request, "tenant_path_prefix", ""):
        # Reached by subdomain or custom domain: the shared host is the base domain.
        port = ":" + host.rsplit(":", 1)[1] if ":" in host else ""
        host = settings.CIAM_BASE_DOMAIN + port
    return tenant_base_urls_for_base(tenant, f"{request.scheme}://{host}")


def tenant_base_urls_for_base(tenant: Tenant, base: str) -> dict[str, str]:
    """Every base URL the tenant answers on, given the shared host's base URL."""
    base = base.rstrip("/")
    scheme, _, hostport = base.partition("://")
    port = ""
    if ":" in hostport:
        port = ":" + hostport.rsplit(":", 1)[1]
    urls = {
        "path": f"{base}/{settings.CIAM_TENANT_PATH_PREFIX}/{tenant.name}",
        "subdomain": f"{scheme}://{tenant.name}.{settings.CIAM_BASE_DOMAIN}{port}",
    }
    for domain in tenant.domains.filter(kind=Domain.Kind.CUSTOM, is_verified=True):
        urls[f"custom:{domain.domain}"] = f"https://{domain.domain}"
    return urls
