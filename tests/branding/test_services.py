"""Company branding services: validation of every field, all-or-nothing saves, audit,
storage of cleaned images under content-hashed names."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from branding import services, validation
from branding.models import Branding, LanguageCustomization
from directory.models import AuditEvent

from .conftest import make_image, upload

SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)


def test_valid_change_is_saved_and_audited(tenant, media_root):
    with tenant.context():
        # when
        services.update_branding(
            data={"button_color": "#0B5FFF", "privacy_url": "https://contoso.example/privacy"},
            files={"banner_logo": upload("logo.png", make_image())},
            actor="tests",
        )
        # then
        branding = services.get_branding()
        assert branding.button_color == "#0b5fff"
        assert branding.banner_logo.startswith(f"branding/{tenant.schema}/banner_logo-")
        assert branding.banner_logo.endswith(".png")
        event = AuditEvent.objects.filter(action="branding.update").latest("occurred_at")
        assert event.after["button_color"] == "#0b5fff"
        assert event.before["button_color"] == "#2563eb"


def test_image_metadata_is_stripped(tenant, media_root):
    data = make_image("JPEG", exif=True)
    assert b"SecretCamera" in data
    with tenant.context():
        services.update_branding(
            data={}, files={"square_logo": upload("a.jpg", data, "image/jpeg")}, actor="tests"
        )
        name = services.get_branding().square_logo
    stored = (media_root / name).read_bytes()
    assert b"SecretCamera" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and not image.getexif()


@pytest.mark.parametrize(
    ("data", "files", "field", "message"),
    [
        ({}, {"banner_logo": ("logo.svg", SVG, "image/svg+xml")}, "banner_logo", "SVG"),
        ({}, {"favicon": ("x.png", SVG, "image/png")}, "favicon", "SVG"),
        ({}, {"favicon": ("big.png", None, "image/png")}, "favicon", "limit"),
        ({}, {"square_logo": ("wide.png", "wide", "image/png")}, "square_logo", "pixels"),
        ({}, {"square_logo": ("x.gif", "gif", "image/gif")}, "square_logo", "PNG, JPEG"),
        ({"custom_css": "@import url(https://evil.example/x.css);"}, {}, "custom_css", "@import"),
        (
            {"custom_css": "body{background:url(https://evil.example/x.png)}"},
            {},
            "custom_css",
            "url(",
        ),
        ({"custom_css": "body{background:url(//evil.example/x.png)}"}, {}, "custom_css", "url("),
        ({"custom_css": "p{width:expression(alert(1))}"}, {}, "custom_css", "expression"),
        ({"custom_css": "p{behavior:url(/x.htc)}"}, {}, "custom_css", "behavior"),
        ({"custom_css": "@\\69mport 'x';"}, {}, "custom_css", "escape"),
        ({"privacy_url": "javascript:alert(1)"}, {}, "privacy_url", "https://"),
        ({"terms_url": "http://contoso.example/terms"}, {}, "terms_url", "https://"),
        ({"link_color": "#ffff00"}, {}, "link_color", "contrast"),
        ({"button_color": "red"}, {}, "button_color", "#rrggbb"),
        ({"default_language": "not a tag"}, {}, "default_language", "BCP 47"),
    ],
)
def test_refused_input_names_the_field_and_saves_nothing(
    tenant, media_root, data, files, field, message
):
    built = {}
    for key, (name, content, ctype) in files.items():
        if content is None:
            content = b"\x89PNG" + b"0" * (validation.IMAGE_LIMITS[key][0] + 10)
        elif content == "wide":
            content = make_image(size=(2000, 10))
        elif content == "gif":
            content = make_image("GIF")
        built[key] = upload(name, content, ctype)
    with tenant.context():
        before_events = AuditEvent.objects.count()
        # a valid change in the same request must not be saved either
        with pytest.raises(ValidationError) as exc:
            services.update_branding(
                data={**data, "sign_in_text": "Welcome back"}, files=built, actor="tests"
            )
        assert list(exc.value.message_dict) == [field]
        assert message in " ".join(exc.value.message_dict[field])
        branding = Branding.objects.first()
        assert branding is None or branding.sign_in_text == ""
        assert AuditEvent.objects.count() == before_events
    assert not list(media_root.rglob("*.*"))


def test_relative_and_same_site_urls_are_accepted():
    css = "body{background:url('/static/ciam/bg.png')} .x{color:red}"
    assert validation.clean_css(css) == css
    assert validation.clean_link("/help") == "/help"
    assert validation.clean_link("https://contoso.example/p") == "https://contoso.example/p"


def test_language_customisation_is_saved_canonical_and_audited(tenant):
    with tenant.context():
        saved_before = AuditEvent.objects.filter(action="branding.language.save").count()
        custom = services.save_language_customization(
            language="pt-br",
            data={"texts": {"sign_in_text": "Bem-vindo"}, "strings": {"Sign In": "Entrar"}},
            actor="tests",
        )
        assert custom.language == "pt-BR"
        assert LanguageCustomization.objects.get().strings == {"Sign In": "Entrar"}
        assert AuditEvent.objects.filter(action="branding.language.save").count() == (
            saved_before + 1
        )
        with pytest.raises(ValidationError) as exc:
            services.save_language_customization(
                language="fr", data={"texts": {"nope": "x"}}, actor="tests"
            )
        assert "texts.nope" in exc.value.message_dict
        assert not LanguageCustomization.objects.filter(language="fr").exists()


def test_contrast_ratio_matches_wcag():
    assert round(validation.contrast("#ffffff", "#000000"), 1) == 21.0
    assert validation.ink_for("#ffff00") == "#111111"
    assert validation.ink_for("#0b3d91") == "#ffffff"
