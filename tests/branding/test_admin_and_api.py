"""Admin center Company branding page (errors beside the field, nothing saved, roles,
live preview) and the management API's branding endpoints."""

from __future__ import annotations

import re

import pytest

from branding.models import Branding, LanguageCustomization
from directory.models import AuditEvent
from tests.directory.conftest import ApiClient, issue_token

from .conftest import make_image, upload

URL = "/admin/branding/"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
BASE = {
    "background_color": "#f5f6f8",
    "layout": "centered",
    "show_header": "on",
    "show_footer": "on",
    "button_color": "#2563eb",
    "link_color": "#2563eb",
    "default_language": "en",
}


def _field_errors(html: str, field: str) -> str:
    found = re.search(rf'<ul class="errorlist" id="id_{field}_errors">(.*?)</ul>', html, re.S)
    assert found, f"no error beside {field}"
    return found.group(1)


def _audited(tenant) -> int:
    with tenant.context():
        return AuditEvent.objects.filter(action="branding.update").count()


def test_page_shows_the_form_and_saves_a_change(tenant, admin_client, media_root):
    assert admin_client.get(tenant.url(URL)).status_code == 200
    audited = _audited(tenant)
    response = admin_client.post(
        tenant.url(URL),
        {**BASE, "sign_in_text": "Hello", "banner_logo": upload("l.png", make_image())},
    )
    assert response.status_code == 302
    with tenant.context():
        branding = Branding.objects.get()
        assert branding.sign_in_text == "Hello" and branding.banner_logo.endswith(".png")
    assert _audited(tenant) == audited + 1


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"banner_logo": ("logo.svg", SVG)}, "banner_logo", "SVG images are not accepted"),
        ({"favicon": ("big.png", "big")}, "favicon", "the limit is 100 KB"),
        ({"custom_css": "@import 'https://evil.example/a.css';"}, "custom_css", "@import"),
        ({"custom_css": "a{background:url(https://evil.example/t.png)}"}, "custom_css", "url("),
        ({"privacy_url": "javascript:alert(1)"}, "privacy_url", "https://"),
    ],
)
def test_refused_input_gets_an_error_beside_the_field_and_nothing_is_saved(
    tenant, admin_client, media_root, extra, field, message
):
    data = {**BASE, "sign_in_text": "Must not be saved"}
    for key, value in extra.items():
        if isinstance(value, tuple):
            name, content = value
            if content == "big":
                content = make_image(size=(512, 512))
                content = content + b"\0" * (100 * 1024)
            data[key] = upload(name, content)
        else:
            data[key] = value
    audited = _audited(tenant)
    response = admin_client.post(tenant.url(URL), data)
    assert response.status_code == 400
    assert message in _field_errors(response.content.decode(), field).replace("&#x27;", "'")
    with tenant.context():
        assert not Branding.objects.filter(sign_in_text="Must not be saved").exists()
    assert _audited(tenant) == audited
    assert not list(media_root.rglob("*.*"))


def test_branding_administrator_may_save_and_user_administrator_may_not(tenant, make_admin):
    branding_admin = make_admin("branding_administrator")
    assert branding_admin.post(tenant.url(URL), {**BASE, "sign_in_text": "x"}).status_code == 302
    user_admin = make_admin("user_administrator")
    assert user_admin.get(tenant.url(URL)).status_code == 403
    assert user_admin.post(tenant.url(URL), {**BASE, "sign_in_text": "y"}).status_code == 403


def test_preview_shows_unsaved_values_in_the_chosen_language(tenant, admin_client):
    with tenant.context():
        from branding import services

        services.save_language_customization(
            language="fr", data={"texts": {"sign_in_text": "Bonjour"}}, actor="tests"
        )
    response = admin_client.post(
        tenant.url("/admin/branding/preview/"),
        {**BASE, "button_color": "#7a1fa2", "preview_page": "signin", "preview_language": "fr"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "--brand:#7a1fa2" in html
    assert 'id="sign-in-text">Bonjour<' in html
    assert "<h1>Connexion</h1>" in html
    with tenant.context():
        assert Branding.objects.filter(button_color="#7a1fa2").count() == 0
    signup = admin_client.post(
        tenant.url("/admin/branding/preview/"),
        {**BASE, "preview_page": "signup", "preview_language": "en"},
    )
    assert signup.status_code == 200 and "signup-submit" in signup.content.decode()


def test_language_customisation_page(tenant, admin_client):
    response = admin_client.post(
        tenant.url("/admin/branding/languages/new/"),
        {"language": "nl", "text_sign_in_text": "Welkom", "strings": '{"Sign In": "Aanmelden"}'},
    )
    assert response.status_code == 302
    bad = admin_client.post(
        tenant.url("/admin/branding/languages/new/"), {"language": "de", "strings": "{nope"}
    )
    assert bad.status_code == 400 and "Not valid JSON" in bad.content.decode()
    with tenant.context():
        assert LanguageCustomization.objects.get().strings == {"Sign In": "Aanmelden"}


def test_api_reads_and_changes_branding_and_languages(tenant, media_root):
    api = ApiClient(tenant, issue_token(tenant, ("OrganizationalBranding.ReadWrite.All",)))
    assert api.get("/branding/").json()["button_color"] == "#2563eb"
    changed = api.patch("/branding/", {"button_color": "#0b5fff", "sign_in_text": "Hi"})
    assert changed.status_code == 200 and changed.json()["button_color"] == "#0b5fff"
    refused = api.patch("/branding/", {"terms_url": "javascript:x", "sign_in_text": "No"})
    assert refused.status_code == 400
    assert "terms_url" in refused.json()["error"]["fields"]
    assert api.get("/branding/").json()["sign_in_text"] == "Hi"
    svg = api.client.put(
        api.url("/branding/images/banner_logo/"), SVG, content_type="image/svg+xml"
    )
    assert svg.status_code == 400 and "SVG" in str(svg.json()["error"]["fields"])
    png = api.client.put(
        api.url("/branding/images/banner_logo/"), make_image(), content_type="image/png"
    )
    assert png.status_code == 200 and png.json()["images"]["banner_logo"].endswith(".png")
    put = api.client.put(
        api.url("/branding/languages/fr-ca/"),
        {"texts": {"sign_in_text": "Bienvenue"}},
        content_type="application/json",
    )
    assert put.status_code == 201 and put.json()["language"] == "fr-CA"
    assert [x["language"] for x in api.get("/branding/languages/").json()] == ["fr-CA"]
    assert api.delete("/branding/languages/fr-CA/").status_code == 204
    reader = ApiClient(tenant, issue_token(tenant, ("OrganizationalBranding.Read.All",)))
    assert reader.patch("/branding/", {"sign_in_text": "x"}).status_code == 403
