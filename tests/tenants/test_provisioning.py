"""Tenant creation from the warm pool or a cloned template, nothing leaking between
tenants, atomic failure, soft delete then purge, and parallel migration."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context, schema_exists

from directory.models import AuditEvent, RoleAssignment, TenantSettings, User
from tenants import services
from tenants.models import Domain, PooledSchema, Tenant

TEMPLATE_ROWS_ALLOWED = {"django_migrations", "django_content_type", "auth_permission"}


def _row_counts(schema: str) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = %s AND table_type = 'BASE TABLE'",
            [schema],
        )
        tables = [r[0] for r in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{schema}"."{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def test_template_schema_holds_no_tenant_rows(tenant):
    counts = _row_counts(services.ensure_template_schema())
    leaked = {t: n for t, n in counts.items() if n and t not in TEMPLATE_ROWS_ALLOWED}
    assert counts["django_migrations"] > 0
    assert leaked == {}


def test_create_tenant_from_pool_renames_a_ready_schema(tenant):
    # given a pool with one ready schema
    services.refill_schema_pool(1)
    pooled = PooledSchema.objects.get()
    # when
    result = services.create_tenant(
        name="fabrikam",
        display_name="Fabrikam",
        admin_email="Admin@Fabrikam.example",
        admin_password="Fabrikam-Admin-2026",
        country="fr",
        created_by="tests",
    )
    # then the pool schema became the tenant's schema
    assert result.from_pool
    assert not schema_exists(pooled.schema_name)
    assert schema_exists("t_fabrikam")
    t = result.tenant
    assert (t.name, t.display_name, t.country, t.schema_name) == (
        "fabrikam",
        "Fabrikam",
        "FR",
        "t_fabrikam",
    )
    assert Domain.objects.get(tenant=t).domain == "fabrikam.localhost"
    with schema_context(t.schema_name):
        admin = User.objects.get()
        assert admin.email == "admin@fabrikam.example"
        assert admin.kind == User.Kind.ADMIN
        assert admin.check_password("Fabrikam-Admin-2026")
        assert list(RoleAssignment.objects.values_list("role", flat=True)) == [
            "global_administrator"
        ]
        assert TenantSettings.objects.get().tenant_id == t.pk
        assert AuditEvent.objects.filter(action="admin.create").count() == 1


def test_create_tenant_by_cloning_when_the_pool_is_empty(tenant):
    PooledSchema.objects.all().delete()
    result = services.create_tenant(
        name="woodgrove",
        display_name="Woodgrove",
        admin_email="a@woodgrove.example",
        admin_password=None,
    )
    assert not result.from_pool
    assert result.admin_password  # generated and handed back once
    with schema_context("t_woodgrove"):
        assert User.objects.get().check_password(result.admin_password)


def test_new_tenant_sees_nothing_of_existing_tenants(tenant):
    # given data in the session tenant
    with tenant.context():
        User.objects.create_user("customer@testco.example", "x" * 12)
    # when a new tenant is created
    result = services.create_tenant(
        name="newco", display_name="New", admin_email="a@newco.example", admin_password=None
    )
    # then it holds only its own admin
    with schema_context(result.tenant.schema_name):
        assert list(User.objects.values_list("email", flat=True)) == ["a@newco.example"]
        assert AuditEvent.objects.count() == 1


def test_failed_creation_leaves_nothing_behind(tenant):
    with pytest.raises(ValidationError):
        services.create_tenant(
            name="halfway", display_name="Half", admin_email="not-an-email", admin_password=None
        )
    assert not Tenant.objects.filter(name="halfway").exists()
    assert not schema_exists("t_halfway")


def test_weak_admin_password_is_refused_atomically(tenant):
    with pytest.raises(ValidationError):
        services.create_tenant(
            name="weakpw",
            display_name="Weak",
            admin_email="a@weak.example",
            admin_password="password",
        )
    assert not Tenant.objects.filter(name="weakpw").exists()
    assert not schema_exists("t_weakpw")


def test_soft_delete_then_purge(tenant, settings):
    settings.CIAM_TENANT_PURGE_GRACE_SECONDS = 3600
    result = services.create_tenant(
        name="doomed", display_name="Doomed", admin_email="a@doomed.example", admin_password=None
    )
    t = result.tenant
    # when soft-deleted, it stops answering at once but its data stays for the grace period
    services.soft_delete_tenant(t)
    assert Client().get("/t/doomed/admin/signin/").status_code == 404
    assert schema_exists("t_doomed")
    assert services.purge_tenant(str(t.pk)) is False
    assert services.get_active_tenant("doomed") is None
    # the name stays taken until the purge
    with pytest.raises(ValidationError):
        services.validate_tenant_name("doomed")
    # when purged
    assert services.purge_tenant(str(t.pk), force=True) is True
    assert not schema_exists("t_doomed")
    assert not Tenant.objects.filter(pk=t.pk).exists()
    assert services.validate_tenant_name("doomed") == "doomed"


def test_purge_only_touches_soft_deleted_tenants(tenant):
    assert services.purge_tenant(str(tenant.tenant.pk), force=True) is False
    assert schema_exists(tenant.schema)


def test_celery_purge_runs_after_soft_delete(tenant, settings, django_capture_on_commit_callbacks):
    settings.CIAM_TENANT_PURGE_GRACE_SECONDS = 0
    t = services.create_tenant(
        name="quickgone", display_name="Q", admin_email="a@q.example", admin_password=None
    ).tenant
    with django_capture_on_commit_callbacks(execute=True):
        services.soft_delete_tenant(t)
    assert not schema_exists("t_quickgone")


def test_stale_pool_schemas_are_dropped(tenant):
    PooledSchema.objects.create(schema_name="pool_stale", migrations_fingerprint="old")
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "pool_stale"')
    assert services.drop_stale_pool_schemas() == 1
    assert not schema_exists("pool_stale")


def test_migrate_all_tenants_is_idempotent(tenant):
    services.migrate_all_tenants(processes=1, verbosity=0)
    assert services._applied_fingerprint(tenant.schema) == services.migrations_fingerprint()


def test_migrate_all_tenants_applies_only_where_a_migration_is_due(tenant, other_tenant):
    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.loader import MigrationLoader

    from tenants.migration_runner import pending_plans

    # given: the test tenant's schema one migration behind (the last of `insights`)
    graph = MigrationLoader(connection).graph
    leaf = next(node for node in graph.leaf_nodes() if node[0] == "insights")
    parent = next(p for p in graph.node_map[leaf].parents if p.key[0] == "insights").key
    with tenant.context():
        MigrationExecutor(connection).migrate([parent])
    services.use_public_schema()
    schemas = [tenant.schema, other_tenant.schema]
    assert pending_plans(schemas) == {tenant.schema: [leaf]}
    # when every tenant is migrated, in two processes
    services.migrate_all_tenants(processes=2, verbosity=0)
    # then only that schema had work, and now none has
    assert pending_plans(schemas) == {}
