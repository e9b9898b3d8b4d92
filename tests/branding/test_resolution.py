"""Branding resolved once per request: language choice order, fallback order, cache
invalidation on save, the theme stylesheet and images with long cache lifetimes."""

from __future__ import annotations

import re

from django.test import Client

from branding import services

from .conftest import make_image, upload


def _login_page(client: Client, tenant, **headers) -> str:
    response = client.get(tenant.url("/account/login/"), **headers)
    assert response.status_code == 200
    return response.content.decode()


def _setup_languages(tenant) -> None:
    with tenant.context():
        services.update_branding(
            data={
                "sign_in_text": "Default welcome",
                "sspr_link_text": "Default reset text",
                "username_hint": "you@contoso.example",
            },
            actor="tests",
        )
        services.save_language_customization(
            language="fr",
            data={
                "texts": {"sign_in_text": "Bienvenue chez Contoso"},
                "strings": {"No account?": "Pas encore client ?"},
            },
            actor="tests",
        )
        services.save_language_customization(
            language="nl",
            data={"texts": {"sign_in_text": "Welkom"}, "strings": {"Sign In": "Aanmelden"}},
            actor="tests",
        )


def test_fallback_order_override_then_default_branding_then_builtin(tenant):
    _setup_languages(tenant)
    html = _login_page(Client(), tenant, HTTP_ACCEPT_LANGUAGE="fr")
    # the French override
    assert "Bienvenue chez Contoso" in html
    assert "Pas encore client ?" in html
    # not overridden in French: the default branding's text
    assert "Default reset text" in html
    # neither: the built-in French translation
    assert "<h1>Connexion</h1>" in html
    assert 'placeholder="you@contoso.example"' in html
    assert '<html lang="fr">' in html


def test_language_order_ui_locales_cookie_accept_language_default(tenant):
    _setup_languages(tenant)
    client = Client()
    # Accept-Language
    assert "Welkom" in _login_page(client, tenant, HTTP_ACCEPT_LANGUAGE="nl-NL,nl;q=0.9")
    # the language picked on the page beats Accept-Language
    response = client.post(
        tenant.url("/branding/language/"),
        {"language": "fr", "next": tenant.url("/account/login/")},
    )
    assert response.status_code == 302 and response["Location"] == tenant.url("/account/login/")
    assert "Bienvenue chez Contoso" in _login_page(client, tenant, HTTP_ACCEPT_LANGUAGE="nl")
    # ui_locales of the authorize request (kept in the browser's journey) beats the cookie
    from tests.userflows.test_signin import authorize_url

    with tenant.context():
        from applications.models import Application

        Application.objects.create(
            name="App one",
            client_id="app-1",
            client_type="public",
            authorization_grant_type="authorization-code",
            redirect_uris="https://app.example/cb",
        )
    assert client.get(authorize_url(tenant, ui_locales="nl")).status_code == 302
    response = client.get(tenant.url("/account/login/"), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Aanmelden" in response.content.decode()
    # nothing asked: the tenant's default language
    with tenant.context():
        services.update_branding(data={"default_language": "nl"}, actor="tests")
    assert "Welkom" in _login_page(Client(), tenant)


def test_switcher_refuses_foreign_redirects(tenant):
    response = Client().post(
        tenant.url("/branding/language/"), {"language": "fr", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == tenant.url("/account/login/")


def test_save_invalidates_the_cached_branding(tenant):
    client = Client()
    assert "Fresh text" not in _login_page(client, tenant)
    with tenant.context():
        services.update_branding(data={"sign_in_text": "Fresh text"}, actor="tests")
    assert "Fresh text" in _login_page(client, tenant)


def test_theme_and_images_are_served_with_long_cache_lifetimes(tenant, media_root):
    with tenant.context():
        services.update_branding(
            data={"button_color": "#7a1fa2", "custom_css": ".c-card{border-width:3px}"},
            files={"banner_logo": upload("logo.webp", make_image("WEBP"), "image/webp")},
            actor="tests",
        )
    client = Client()
    html = _login_page(client, tenant)
    theme = re.search(r'href="([^"]+/branding/theme/[0-9a-f]+\.css)"', html).group(1)
    logo = re.search(r'id="banner-logo" src="([^"]+)"', html).group(1)
    css = client.get(theme)
    assert css.status_code == 200 and css["Content-Type"].startswith("text/css")
    assert "immutable" in css["Cache-Control"]
    assert "--brand:#7a1fa2" in css.content.decode()
    assert ".c-card{border-width:3px}" in css.content.decode()
    image = client.get(logo)
    assert image.status_code == 200 and image["Content-Type"] == "image/webp"
    assert "max-age=31536000" in image["Cache-Control"]
    assert re.search(r"banner_logo-[0-9a-f]{24}\.webp$", logo)


def test_tenants_do_not_see_each_others_branding(tenant, other_tenant, media_root):
    with tenant.context():
        services.update_branding(
            data={"sign_in_text": "Only testco"},
            files={"banner_logo": upload("l.png", make_image())},
            actor="tests",
        )
        name = services.get_branding().banner_logo.rsplit("/", 1)[-1]
    assert "Only testco" not in _login_page(Client(), other_tenant)
    response = Client().get(other_tenant.url(f"/branding/assets/{name}"))
    assert response.status_code == 404


def test_custom_attribute_label_and_help_text_per_language(tenant):
    from directory.models import CustomAttribute
    from userflows.attributes import AttributesForm
    from userflows.models import FlowAttribute
    from userflows.services import get_default_flow

    with tenant.context():
        CustomAttribute.objects.create(
            name="loyaltyNumber", label="Loyalty number", data_type=CustomAttribute.DataType.STRING
        )
        flow = get_default_flow()
        FlowAttribute.objects.create(
            flow=flow, attribute="loyaltyNumber", label="Loyalty number", order=1
        )
        services.save_language_customization(
            language="fr",
            data={
                "attributes": {
                    "loyaltyNumber": {"label": "Numéro de fidélité", "help_text": "Sur la carte"}
                }
            },
            actor="tests",
        )
        from django.utils import translation

        with translation.override("fr"):
            field = AttributesForm(flow=flow).fields["loyaltyNumber"]
            assert (field.label, field.help_text) == ("Numéro de fidélité", "Sur la carte")
        with translation.override("en"):
            field = AttributesForm(flow=flow).fields["loyaltyNumber"]
            assert (field.label, field.help_text) == ("Loyalty number", "")


def test_error_page_of_the_authorize_endpoint_speaks_ui_locales(tenant):
    from allauth.account.models import EmailAddress

    from directory.models import User

    with tenant.context():
        user = User.objects.create_user("eve@example.com", "Tangerine-42-Lights", kind="customer")
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client = Client()
    signed_in = client.post(
        tenant.url("/account/login/"),
        {"login": "eve@example.com", "password": "Tangerine-42-Lights"},
    )
    assert signed_in.status_code == 302
    response = client.get(
        tenant.url("/oauth2/v2.0/authorize"),
        {"client_id": "x", "response_type": "code", "response_mode": "bogus", "ui_locales": "de"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert '<html lang="de">' in html
    assert "<h1>We can't sign you in</h1>" in html
    assert '<code id="oauth-error">invalid_request</code>' in html
    assert "invalid_request:" not in html
