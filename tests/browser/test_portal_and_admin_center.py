"""A platform operator creates a tenant in the portal and signs in to its admin center,
in a real browser (Debian's Chromium driven by Playwright)."""

import re

import pytest
from playwright.sync_api import Page, expect

OPERATOR = ("browser-operator@platform.example", "Browser-Operator-2026")


@pytest.fixture
def operator(django_db_blocker, tenants_setup):
    with django_db_blocker.unblock():
        from directory.services import create_operator

        create_operator(*OPERATOR)
    yield OPERATOR
    with django_db_blocker.unblock():
        from django.db import connection

        from tenants import services
        from tenants.models import Tenant

        connection.set_schema_to_public()
        for tenant in Tenant.objects.filter(name__startswith="browser-"):
            services.soft_delete_tenant(tenant)
            services.purge_tenant(str(tenant.pk), force=True)


def test_operator_creates_a_tenant_and_signs_in_to_its_admin_center(page: Page, live_url, operator):
    base = live_url
    # the operator signs in to the portal
    page.goto(f"{base}/portal/")
    expect(page).to_have_url(re.compile(r"/portal/signin/"))
    page.get_by_label("Email").fill(operator[0])
    page.get_by_label("Password").fill(operator[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Tenants")).to_be_visible()

    # a bad name is refused beside the field, and nothing is lost
    page.get_by_role("link", name="Create a tenant").click()
    page.get_by_label("Tenant display name").fill("Browser Co")
    page.get_by_label("Tenant name").fill("Admin")
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#id_name_errors")).to_contain_text("reserved")
    expect(page.get_by_label("Tenant display name")).to_have_value("Browser Co")

    # a good name creates the tenant
    page.get_by_label("Tenant name").fill("browser-co")
    page.get_by_label("Country/Region").select_option("FR")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", name="Browser Co")).to_be_visible()
    expect(page.get_by_text(re.compile(r"created in \d"))).to_be_visible()

    # and the operator jumps into its admin center as its Global Administrator
    page.get_by_role("link", name="Open admin center").click()
    expect(page.get_by_label("Email")).to_have_value(operator[0])
    page.get_by_label("Password").fill(operator[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.locator("nav.side")).to_contain_text("App registrations")
    expect(page.locator("nav.side")).to_contain_text("Custom authentication extensions")

    # the audit log shows who did what
    page.get_by_role("link", name="Audit logs").click()
    expect(page.locator("#audit-table")).to_contain_text("admin.create")

    # the same tenant answers on its subdomain (Chromium resolves *.localhost)
    port = live_url.rsplit(":", 1)[1]
    page.goto(f"http://browser-co.localhost:{port}/admin/signin/")
    expect(page.get_by_text("Browser Co")).to_be_visible()


def test_wrong_password_keeps_the_admin_on_the_sign_in_page(page: Page, live_url, tenant_live):
    page.goto(f"{live_url}{tenant_live.url('/admin/')}")
    page.get_by_label("Email").fill(tenant_live.admin_email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("incorrect")
    page.get_by_label("Password").fill(tenant_live.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.locator("#tenant-id")).to_have_text(str(tenant_live.tenant.pk))


@pytest.fixture
def tenant_live(tenants_setup):
    return tenants_setup[0]
