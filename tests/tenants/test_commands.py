"""The operator commands are scriptable: JSON on stdout, exit status 2 on bad input."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tenants.utils import schema_context

from directory.models import RoleAssignment, User
from tenants.models import Tenant


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_tenant_json_prints_one_object(tenant):
    out = run(
        "create_tenant",
        "litware",
        "--display-name",
        "Litware",
        "--admin-email",
        "admin@litware.example",
        "--json",
    )
    payload = json.loads(out)
    assert payload["ok"] is True
    assert payload["name"] == "litware"
    assert payload["urls"]["path"] == "http://localhost:8000/t/litware"
    assert payload["urls"]["subdomain"] == "http://litware.localhost:8000"
    assert payload["admin_center"] == "http://localhost:8000/t/litware/admin/"
    assert payload["admin"]["email"] == "admin@litware.example"
    assert len(payload["admin"]["password"]) >= 20
    assert Tenant.objects.filter(pk=payload["tenant_id"]).exists()


def test_create_tenant_human_output_lists_urls(tenant):
    out = run(
        "create_tenant",
        "adatum",
        "--admin-email",
        "a@adatum.example",
        "--admin-password",
        "Adatum-Admin-2026",
    )
    assert "http://localhost:8000/t/adatum" in out
    assert "http://adatum.localhost:8000" in out
    assert "password" not in out  # a given password is not echoed


@pytest.mark.parametrize("name", ["admin", "Bad_Name", "ab"])
def test_create_tenant_refuses_bad_names_with_status_2(tenant, name):
    with pytest.raises(CommandError) as excinfo:
        run("create_tenant", name, "--admin-email", "a@x.example")
    assert excinfo.value.returncode == 2


def test_create_tenant_refuses_existing_name(tenant):
    with pytest.raises(CommandError) as excinfo:
        run("create_tenant", tenant.name, "--admin-email", "a@x.example", "--json")
    assert excinfo.value.returncode == 2
    assert "already exists" in str(excinfo.value)


def test_delete_tenant_soft_deletes_and_purges(tenant):
    run("create_tenant", "tailspin", "--admin-email", "a@tailspin.example")
    payload = json.loads(run("delete_tenant", "tailspin", "--purge", "--json"))
    assert payload == {"ok": True, "name": "tailspin", "purged": True}
    assert not Tenant.objects.filter(name="tailspin").exists()


def test_delete_unknown_tenant_fails_with_status_2(db, tenants_setup):
    with pytest.raises(CommandError) as excinfo:
        run("delete_tenant", "nope-nope")
    assert excinfo.value.returncode == 2


def test_create_admin_with_roles(tenant):
    payload = json.loads(
        run(
            "create_admin",
            "--tenant",
            tenant.name,
            "--email",
            "Ops@TestCo.example",
            "--role",
            "user_administrator",
            "--role",
            "insights_reader",
            "--json",
        )
    )
    assert payload["email"] == "ops@testco.example"
    assert payload["roles"] == ["insights_reader", "user_administrator"]
    with schema_context(tenant.schema):
        user = User.objects.get(email="ops@testco.example")
        assert user.kind == User.Kind.ADMIN
        assert user.check_password(payload["password"])
        assert set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True)) == {
            "insights_reader",
            "user_administrator",
        }


def test_create_admin_refuses_duplicate_email(tenant):
    with pytest.raises(CommandError) as excinfo:
        run("create_admin", "--tenant", tenant.name, "--email", tenant.admin_email)
    assert excinfo.value.returncode == 2


def test_create_admin_unknown_tenant(db, tenants_setup):
    with pytest.raises(CommandError):
        run("create_admin", "--tenant", "ghost", "--email", "a@b.example")
