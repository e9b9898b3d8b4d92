"""The admin center in a real browser (Playwright, Debian's Chromium, live server): the
tenant admin deletes an app registration through the confirmation page, group headings
sit above their checkboxes, and axe-core finds no serious or critical violation on the
main admin pages. Screenshots go to test-results/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

AXE = Path(__file__).parents[1] / "branding" / "vendor" / "axe.min.js"
RESULTS = Path("test-results")


@pytest.fixture
def browser_context_args(browser_context_args):
    # The admin center's CSP admits only its own nonce'd scripts; the test injects axe-core.
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture
def admin_page(page, live_url, tenants_setup, django_db_blocker):
    """`page` signed in to testco's admin center; yields (page, base URL, run-in-tenant)."""
    from django.db import connections
    from django_tenants.utils import schema_context

    RESULTS.mkdir(exist_ok=True)
    testco = tenants_setup[0]
    base = f"{live_url}/t/{testco.name}"

    def run(fn):
        try:
            with django_db_blocker.unblock(), schema_context(testco.schema):
                return fn()
        finally:
            connections.close_all()

    page.goto(f"{base}/admin/signin/")
    page.fill("#id_email", testco.admin_email)
    page.fill("#id_password", testco.password)
    page.click("form[method=post] button[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/$"))
    return page, base, run


def _register_app(run, name: str):
    from applications import services

    return run(
        lambda: services.register_application(
            name=name,
            app_type="web",
            redirect_uris=["https://app.example/cb"],
            post_logout_redirect_uris=None,
            actor="tests",
        )[0]
    )


def _app_exists(run, pk: int) -> bool:
    from applications.models import Application

    return run(lambda: Application.objects.filter(pk=pk).exists())


def check_axe(page, name: str, disabled: tuple[str, ...] = ()) -> None:
    page.add_script_tag(path=str(AXE))
    options = {"resultTypes": ["violations"], "rules": {r: {"enabled": False} for r in disabled}}
    result = page.evaluate("async (o) => await axe.run(document, o)", options)
    serious = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    page.screenshot(path=str(RESULTS / f"admincenter-axe-{name}.png"), full_page=True)
    assert serious == [], f"{name}: {serious}"


def test_admin_deletes_an_app_registration_through_the_confirmation(admin_page):
    page, base, run = admin_page
    app = _register_app(run, "Doomed storefront")
    page.goto(f"{base}/admin/apps/{app.pk}/")
    assert page.inner_text("nav.side a[aria-current=page]") == "App registrations"
    page.click("#delete-app")
    page.wait_for_url(re.compile(rf".*/admin/apps/{app.pk}/delete/$"))
    assert page.inner_text("h1") == "Delete the app registration 'Doomed storefront'?"
    consequences = page.inner_text("#confirm-consequences")
    assert "client secrets, permission grants" in consequences
    assert "This cannot be undone." in consequences
    page.screenshot(path=str(RESULTS / "admincenter-confirm-delete-app.png"), full_page=True)
    check_axe(page, "confirm-delete-app")

    page.click("#confirm-cancel")
    page.wait_for_url(re.compile(rf".*/admin/apps/{app.pk}/$"))
    assert _app_exists(run, app.pk)

    page.click("#delete-app")
    page.click("#confirm-action")
    page.wait_for_url(re.compile(r".*/admin/apps/$"))
    assert "Deleted Doomed storefront." in page.inner_text("main")
    assert not _app_exists(run, app.pk)


def _legend_above_options(page, field: str) -> None:
    legend = page.locator(f"#field-{field} legend").bounding_box()
    first = page.locator(f"#field-{field} input[type=checkbox]").first.bounding_box()
    assert legend is not None and first is not None
    assert legend["y"] + legend["height"] <= first["y"], field
    # The heading, not its options, reads as the heading: bold legend, plain option labels.
    weight = f"#field-{field} legend"
    assert page.eval_on_selector(weight, "e => getComputedStyle(e).fontWeight") == "600"
    option = f"#field-{field} fieldset label"
    assert page.eval_on_selector(option, "e => getComputedStyle(e).fontWeight") == "400"


def test_group_headings_sit_above_their_checkboxes(admin_page):
    page, base, run = admin_page
    app = _register_app(run, "Claims app")
    try:
        page.goto(f"{base}/admin/apps/{app.pk}/edit/")
        _legend_above_options(page, "token_claims")
        page.screenshot(path=str(RESULTS / "admincenter-app-edit.png"), full_page=True)
        page.goto(f"{base}/admin/admins/")
        page.get_by_role("link", name="Edit", exact=True).first.click()
        page.wait_for_selector("#field-roles")
        _legend_above_options(page, "roles")
        page.goto(f"{base}/admin/extensions/new/")
        _legend_above_options(page, "applications")
    finally:
        from applications import services

        run(lambda: services.delete_application(app, actor="tests"))


ADMIN_PAGES = {
    "overview": "/admin/",
    "users": "/admin/users/",
    "groups": "/admin/groups/",
    "apps": "/admin/apps/",
    "userflows": "/admin/userflows/",
    "branding": "/admin/branding/",
    "insights": "/admin/insights/",
    "extensions": "/admin/extensions/",
    "audit": "/admin/audit/",
}


def test_main_admin_pages_pass_axe(admin_page):
    page, base, run = admin_page
    for name, path in ADMIN_PAGES.items():
        page.goto(f"{base}{path}")
        check_axe(page, name)
    app = _register_app(run, "Axe app")
    try:
        page.goto(f"{base}/admin/apps/{app.pk}/")
        check_axe(page, "app-detail")
    finally:
        from applications import services

        run(lambda: services.delete_application(app, actor="tests"))
