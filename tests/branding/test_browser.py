"""Company branding in a real browser (Playwright, Debian's Chromium) against the live
server: two tenants with different branding, one tenant in two languages, the language
switcher, phone width, and axe-core on the customer pages. Screenshots go to
test-results/."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from playwright.sync_api import expect

from .conftest import make_image, upload

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
RESULTS = Path("test-results")
PASSWORD = "Tangerine-Lighthouse-42"


@pytest.fixture
def live(tenants_setup, live_url, django_db_blocker, page, settings, tmp_path):
    from django_tenants.utils import schema_context

    settings.MEDIA_ROOT = tmp_path / "media"
    RESULTS.mkdir(exist_ok=True)
    testco, otherco = tenants_setup

    class Live:
        url = live_url

        @staticmethod
        def run(tenant, fn):
            from django.db import connections

            try:
                with django_db_blocker.unblock(), schema_context(tenant.schema):
                    return fn()
            finally:
                connections.close_all()

        @staticmethod
        def base(tenant) -> str:
            return f"{live_url}/t/{tenant.name}"

    def brand():
        from branding import services

        def testco_branding():
            services.update_branding(
                data={
                    "button_color": "#0b5fff",
                    "link_color": "#8a1538",
                    "background_color": "#eef3ff",
                    "sign_in_text": "Welcome to Test Co rewards",
                    "sspr_link_text": "Lost your password?",
                    "privacy_url": "https://testco.example/privacy",
                    "privacy_text": "Privacy at Test Co",
                    "default_language": "en",
                },
                files={"banner_logo": upload("logo.png", make_image(size=(240, 36)))},
                actor="tests",
            )
            services.save_language_customization(
                language="fr",
                data={"texts": {"sign_in_text": "Bienvenue chez Test Co"}},
                actor="tests",
            )

        def otherco_branding():
            services.update_branding(
                data={
                    "button_color": "#a4262c",
                    "layout": "full_screen",
                    "sign_in_text": "Other Co members only",
                },
                actor="tests",
            )

        Live.run(testco, testco_branding)
        Live.run(otherco, otherco_branding)

    page.set_default_timeout(10_000)
    with django_db_blocker.unblock():
        brand()
        yield Live()

    def cleanup():
        from branding import services
        from branding.models import Branding, LanguageCustomization
        from directory.models import AuditEvent, User
        from insights.models import Event

        # committed by the live server's requests (sign-ins) and the set-up
        Event.objects.all().delete()
        AuditEvent.objects.filter(action__startswith="branding.").delete()
        Branding.objects.all().delete()
        LanguageCustomization.objects.all().delete()
        User.objects.filter(kind="customer").delete()
        services._changed()

    Live.run(testco, cleanup)
    Live.run(otherco, cleanup)


def computed(page, selector: str, prop: str) -> str:
    return page.eval_on_selector(selector, f"e => getComputedStyle(e).{prop}")


def check_axe(page, name: str) -> None:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    page.screenshot(path=str(RESULTS / f"branding-axe-{name}.png"), full_page=True)
    assert serious == [], f"{name}: {serious}"


def test_two_tenants_show_their_own_branding(page, live, tenants_setup):
    testco, otherco = tenants_setup
    page.goto(f"{live.base(testco)}/account/login/")
    assert computed(page, "#signin-password", "backgroundColor") == "rgb(11, 95, 255)"
    assert computed(page, "#sspr-link", "color") == "rgb(138, 21, 56)"
    assert computed(page, "body", "backgroundColor") == "rgb(238, 243, 255)"
    assert page.eval_on_selector("#banner-logo", "e => e.complete && e.naturalWidth") == 240
    assert page.inner_text("#sign-in-text") == "Welcome to Test Co rewards"
    assert page.inner_text("#sspr-link") == "Lost your password?"
    assert page.inner_text("#footer-privacy") == "Privacy at Test Co"
    page.screenshot(path=str(RESULTS / "branding-testco-signin.png"), full_page=True)

    page.goto(f"{live.base(otherco)}/account/login/")
    assert computed(page, "#signin-password", "backgroundColor") == "rgb(164, 38, 44)"
    assert page.locator("#banner-logo").count() == 0
    assert page.inner_text(".c-header .tenant-name") == "Other Co"
    assert page.inner_text("#sign-in-text") == "Other Co members only"
    assert "layout-full" in page.get_attribute("body", "class")
    page.screenshot(path=str(RESULTS / "branding-otherco-signin.png"), full_page=True)


def test_one_tenant_in_two_languages_with_fallback_and_switcher(page, live, tenants_setup):
    testco = tenants_setup[0]
    # Accept-Language fr: the French override, the default branding's link text (no
    # French override), the built-in French translation of the heading
    page.set_extra_http_headers({"Accept-Language": "fr-FR,fr;q=0.9"})
    page.goto(f"{live.base(testco)}/account/login/")
    assert page.inner_text("#sign-in-text") == "Bienvenue chez Test Co"
    assert page.inner_text("#sspr-link") == "Lost your password?"
    assert page.inner_text("h1") == "Connexion"
    assert page.get_attribute("html", "lang") == "fr"
    page.screenshot(path=str(RESULTS / "branding-testco-fr.png"), full_page=True)
    # the footer switcher: English, remembered over Accept-Language
    page.select_option("#lang-select", "en")
    page.click("#lang-submit")
    page.wait_for_url(re.compile(r".*/account/login/$"))
    assert page.inner_text("#sign-in-text") == "Welcome to Test Co rewards"
    assert page.inner_text("h1") == "Sign In"
    page.reload()
    assert page.get_attribute("html", "lang") == "en"

    # ui_locales of the authorize request (kept in the journey) wins over the picked one
    def public_app():
        from applications.models import Application

        Application.objects.get_or_create(
            client_id="branding-app",
            defaults={
                "name": "Branding app",
                "client_type": "public",
                "authorization_grant_type": "authorization-code",
                "redirect_uris": "https://app.example/cb",
            },
        )

    live.run(testco, public_app)
    query = (
        "client_id=branding-app&response_type=code&redirect_uri=https%3A%2F%2Fapp.example%2Fcb"
        "&state=s1&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        "&code_challenge_method=S256&ui_locales=fr"
    )
    page.goto(f"{live.base(testco)}/oauth2/v2.0/authorize?{query}")
    page.wait_for_url(re.compile(r".*/account/login/.*"))
    assert page.inner_text("#sign-in-text") == "Bienvenue chez Test Co"


def test_phone_width_has_no_horizontal_scrolling(page, live, tenants_setup):
    page.set_viewport_size({"width": 390, "height": 844})
    for tenant in tenants_setup:
        page.goto(f"{live.base(tenant)}/account/login/")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
        page.screenshot(path=str(RESULTS / f"branding-{tenant.name}-phone.png"), full_page=True)


def test_customer_pages_pass_axe(page, live, tenants_setup):
    testco = tenants_setup[0]
    base = live.base(testco)
    page.goto(f"{base}/account/login/")
    check_axe(page, "signin")
    page.goto(f"{base}/account/signup/")
    check_axe(page, "signup")
    # error pages: unknown client, unknown page
    page.goto(f"{base}/no-such-page/")
    assert page.inner_text("main h1") == "Page not found"
    check_axe(page, "error-404")

    # MFA challenge: a customer with an authenticator app signs in with a password
    secret = generate_totp_secret()

    def customer():
        from allauth.account.models import EmailAddress
        from allauth.mfa.totp.internal.auth import TOTP

        from directory.models import User

        user = User.objects.create_user("axe@example.com", PASSWORD, kind="customer")
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        TOTP.activate(user, secret)

    live.run(testco, customer)
    page.goto(f"{base}/account/login/")
    page.fill("#id_login", "axe@example.com")
    page.fill("#id_password", PASSWORD)
    page.click("#signin-password")
    page.wait_for_url(re.compile(r".*/account/2fa/authenticate/.*"))
    check_axe(page, "mfa")
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    page.fill("#id_code", code)
    page.click("form[method=post] button[type=submit]")
    page.wait_for_url(re.compile(r".*/account/profile/$"))
    check_axe(page, "account-profile")
    # error page of the authorize endpoint (signed in, so the request itself is judged)
    page.goto(f"{base}/oauth2/v2.0/authorize?client_id=nope&response_type=code&response_mode=x")
    assert page.inner_text("main h1") == "We can't sign you in"
    assert "invalid_request:" not in page.inner_text("main")
    check_axe(page, "error-bad-request")

    # sign-out confirmation and result
    page.goto(f"{base}/oauth2/v2.0/logout")
    check_axe(page, "signout-confirm")
    page.click("#signout-confirm")
    page.wait_for_selector("text=You have signed out")
    check_axe(page, "signed-out")


def test_unknown_tenant_gets_a_friendly_page(page, live):
    page.goto(f"{live.url}/t/no-such-tenant/account/login/")
    assert page.inner_text("main h1") == "Organisation not found"
    check_axe(page, "unknown-tenant")


def test_admin_previews_unsaved_branding_at_phone_width(page, live, tenants_setup):
    testco = tenants_setup[0]
    base = live.base(testco)
    page.goto(f"{base}/admin/signin/")
    page.fill("#id_email", testco.admin_email)
    page.fill("#id_password", testco.password)
    page.click("form[method=post] button[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/$"))
    page.goto(f"{base}/admin/branding/")
    page.fill("#id_button_color", "#7a1fa2")
    page.select_option("#id_preview_language", "fr")
    page.click("#preview-phone")
    frame = page.frame_locator("#preview-phone-frame")
    button = frame.locator("#signin-password")
    button.wait_for()
    # the preview's stylesheet may still be loading when the button appears: wait for it
    expect(button).to_have_css("background-color", "rgb(122, 31, 162)")
    assert frame.locator("#sign-in-text").inner_text() == "Bienvenue chez Test Co"
    assert frame.locator("html").evaluate("e => e.clientWidth") == 390
    page.screenshot(path=str(RESULTS / "branding-admin-preview.png"), full_page=True)
    # nothing was saved

    def saved_color():
        from branding.models import Branding

        return Branding.objects.get().button_color

    assert live.run(testco, saved_color) == "#0b5fff"
