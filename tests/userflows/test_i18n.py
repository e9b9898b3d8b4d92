"""Pages and emails in the customer's language (ui_locales or Accept-Language)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client

from .test_signin import authorize_url

pytestmark = pytest.mark.django_db


def _signup_after_authorize(tenant, **extra):
    """A browser the app sent to /authorize (which keeps ui_locales in its journey) that
    then opens the sign-up page."""
    client = Client()
    assert client.get(authorize_url(tenant, **extra)).status_code == 302
    return client


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        ("fr", "Créez votre compte"),
        ("de", "Erstellen Sie Ihr Konto"),
        ("es", "Cree su cuenta"),
        ("ja", "アカウントを作成"),
        ("en", "Create your account"),
    ],
)
def test_signup_page_follows_ui_locales(tenant, default_flow, app_one, lang, title):
    next_url = authorize_url(tenant, ui_locales=lang)
    client = _signup_after_authorize(tenant, ui_locales=lang)
    page = client.get(tenant.url(f"/account/signup/?next={quote(next_url)}"))
    assert title in page.content.decode()


def test_ui_locales_wins_over_accept_language(tenant, default_flow, app_one):
    next_url = authorize_url(tenant, ui_locales="es")
    page = _signup_after_authorize(tenant, ui_locales="es").get(
        tenant.url(f"/account/signup/?next={quote(next_url)}"), HTTP_ACCEPT_LANGUAGE="de"
    )
    assert "Cree su cuenta" in page.content.decode()


def test_unsupported_ui_locales_fall_back_to_accept_language(tenant, default_flow, app_one):
    next_url = authorize_url(tenant, ui_locales="tlh")
    page = _signup_after_authorize(tenant, ui_locales="tlh").get(
        tenant.url(f"/account/signup/?next={quote(next_url)}"), HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert "Créez votre compte" in page.content.decode()


def test_signup_code_email_is_in_the_customer_language(tenant, smtp, default_flow):
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.post(tenant.url("/account/signup/"), {"email": "neu@example.com"})
    [message] = smtp.to("neu@example.com")
    assert "Ihr Bestätigungscode" in message["Subject"]
    assert "Verwenden Sie diesen Code" in smtp.body(message)


def test_allauth_emails_follow_the_language_too(tenant, smtp, default_flow, make_customer):
    make_customer()
    Client(HTTP_ACCEPT_LANGUAGE="fr").post(
        tenant.url("/account/login/code/"), {"email": "ada@example.com"}
    )
    [message] = smtp.to("ada@example.com")
    assert "connexion" in smtp.body(message).lower()
