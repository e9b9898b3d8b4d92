"""Pages and emails in the customer's language (ui_locales or Accept-Language)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client

from .test_signin import authorize_url

pytestmark = pytest.mark.django_db


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
def test_signup_page_follows_ui_locales(tenant, default_flow, lang, title):
    next_url = authorize_url(tenant, ui_locales=lang)
    page = Client().get(tenant.url(f"/account/signup/?next={quote(next_url)}"))
    assert title in page.content.decode()


def test_ui_locales_wins_over_accept_language(tenant, default_flow):
    next_url = authorize_url(tenant, ui_locales="es")
    page = Client().get(
        tenant.url(f"/account/signup/?next={quote(next_url)}"), HTTP_ACCEPT_LANGUAGE="de"
    )
    assert "Cree su cuenta" in page.content.decode()


def test_unsupported_ui_locales_fall_back_to_accept_language(tenant, default_flow):
    next_url = authorize_url(tenant, ui_locales="tlh")
    page = Client().get(
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
