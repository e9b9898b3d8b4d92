"""The platform portal: operators only, form errors beside the field, confirmed deletes."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from directory.models import RoleAssignment, User
from directory.services import create_operator
from tenants.models import Tenant

OPERATOR = ("ops@platform.example", "Operator-Pass-2026")


@pytest.fixture
def operator_client(tenants_setup, db):
    create_operator(*OPERATOR)
    client = Client()
    response = client.post("/portal/signin/", {"email": OPERATOR[0], "password": OPERATOR[1]})
    assert response.status_code == 302
    return client


def test_portal_requires_an_operator(db, tenants_setup):
    response = Client().get("/portal/")
    assert response.status_code == 302
    assert response["Location"].startswith("/portal/signin/")


def test_wrong_operator_password_is_refused(db, tenants_setup):
    create_operator(*OPERATOR)
    response = Client().post("/portal/signin/", {"email": OPERATOR[0], "password": "nope"})
    assert b"incorrect" in response.content


def test_operator_next_parameter_cannot_leave_the_site(db, tenants_setup):
    create_operator(*OPERATOR)
    response = Client().post(
        "/portal/signin/?next=https://evil.example/",
        {"email": OPERATOR[0], "password": OPERATOR[1]},
    )
    assert response["Location"] == "/portal/"


def test_create_tenant_makes_the_operator_its_global_admin(operator_client):
    response = operator_client.post(
        "/portal/tenants/new/", {"display_name": "Northwind", "name": "northwind", "country": "DE"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/portal/tenants/northwind/"
    tenant = Tenant.objects.get(name="northwind")
    assert tenant.created_by == OPERATOR[0]
    with schema_context(tenant.schema_name):
        admin = User.objects.get(email=OPERATOR[0])
        assert admin.kind == User.Kind.ADMIN
        assert admin.check_password(OPERATOR[1])
        assert RoleAssignment.objects.get(user=admin).role == "global_administrator"
    page = operator_client.get("/portal/tenants/northwind/").content.decode()
    assert "http://testserver/t/northwind" in page
    assert "http://northwind.localhost" in page
    assert str(tenant.pk) in page


@pytest.mark.parametrize(
    "name,message",
    [
        ("Bad Name!", "lower-case letters"),
        ("api", "reserved"),
        ("testco", "already exists"),
    ],
)
def test_create_form_shows_errors_beside_the_name(operator_client, name, message):
    response = operator_client.post(
        "/portal/tenants/new/", {"display_name": "Kept", "name": name, "country": "US"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_name_errors"' in body and message in body
    assert 'value="Kept"' in body  # nothing typed is lost


def test_delete_requires_typing_the_name(operator_client):
    operator_client.post(
        "/portal/tenants/new/", {"display_name": "Temp", "name": "temp-tenant", "country": "US"}
    )
    response = operator_client.post("/portal/tenants/temp-tenant/delete/", {"confirm": "temp"})
    assert b"does not match" in response.content
    assert Tenant.objects.get(name="temp-tenant").deleted_at is None
    response = operator_client.post(
        "/portal/tenants/temp-tenant/delete/", {"confirm": "temp-tenant"}
    )
    assert response.status_code == 302
    assert not Tenant.objects.filter(name="temp-tenant", deleted_at__isnull=True).exists()
    assert Client().get("/t/temp-tenant/admin/signin/").status_code == 404


def test_unknown_tenant_pages_are_404(operator_client):
    assert operator_client.get("/portal/tenants/nope-nope/").status_code == 404
    assert operator_client.get("/portal/tenants/nope-nope/delete/").status_code == 404


def test_tenant_admins_cannot_use_the_portal(tenant):
    client = Client()
    response = client.post(
        "/portal/signin/", {"email": tenant.admin_email, "password": tenant.password}
    )
    assert b"incorrect" in response.content
