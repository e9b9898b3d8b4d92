"""Branded emails through the real local SMTP server: HTML and plain-text parts, the
tenant's logo and sender name, the customer's language."""

from __future__ import annotations

import re

from allauth.account.models import EmailAddress
from django.test import Client

from branding import services
from directory.models import User

from .conftest import make_image, upload

PASSWORD = "Tangerine-Lighthouse-42"


def _customer(tenant, email: str) -> None:
    with tenant.context():
        user = User.objects.create_user(email, PASSWORD, kind="customer")
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)


def _parts(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_sign_in_code_email_is_branded_and_in_the_customer_language(tenant, smtp, media_root):
    with tenant.context():
        services.update_branding(
            data={"sender_name": "Test Co Rewards", "button_color": "#0b5fff"},
            files={"banner_logo": upload("logo.png", make_image())},
            actor="tests",
        )
        services.save_language_customization(
            language="fr",
            data={
                "emails": {"login_code": {"subject": "Votre code Test Co", "intro": "Bonjour !"}}
            },
            actor="tests",
        )
        logo = services.get_branding().banner_logo.rsplit("/", 1)[-1]
    _customer(tenant, "claire@example.com")
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    response = client.post(tenant.url("/account/login/code/"), {"email": "claire@example.com"})
    assert response.status_code == 302
    [message] = smtp.to("claire@example.com")
    text, html = _parts(message)
    assert message["Subject"] == "[Test Co] Votre code Test Co"
    assert message["From"].startswith("Test Co Rewards <")
    assert "Bonjour !" in text and "Bonjour !" in html
    code = re.search(r"^\s*(\d{6})\s*$", text, re.M).group(1)
    assert f'id="mail-code">{code}<' in html
    assert f'src="http://testserver/t/{tenant.name}/branding/assets/{logo}"' in html
    assert '<html lang="fr">' in html
    assert "Hello from" not in text and "localhost" not in text


def test_english_default_and_account_deleted_email(tenant, smtp):
    _customer(tenant, "dan@example.com")
    client = Client()
    signed_in = client.post(
        tenant.url("/account/login/"), {"login": "dan@example.com", "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    reauthenticate = client.get(tenant.url("/account/delete/"))["Location"]
    assert client.post(reauthenticate, {"password": PASSWORD}).status_code == 302
    response = client.post(tenant.url("/account/delete/"), {"confirm": "on"})
    assert response.status_code == 200
    [message] = smtp.to("dan@example.com")
    text, html = _parts(message)
    assert message["Subject"] == "Your Test Co account was deleted"
    assert "account and its personal data were deleted" in text
    assert "account and its personal data were deleted" in html
    assert message["From"].startswith("Test Co <")
