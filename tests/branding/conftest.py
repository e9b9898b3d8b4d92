"""Fixtures of the branding tests: images made with Pillow, and branding reset after
each test (rows are rolled back; the caches are cleared by the shared fixtures)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def make_image(fmt: str = "PNG", size=(64, 64), color=(200, 30, 30), exif: bool = False) -> bytes:
    image = Image.new("RGB", size, color)
    out = io.BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCamera"  # Make
        data[0x8825] = {1: "N"}  # GPS info
        kwargs["exif"] = data.tobytes()
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def media_root(settings, tmp_path):
    # FileSystemStorage re-reads MEDIA_ROOT when the setting changes.
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # axe-core is injected as a script: let it in whatever the page's CSP says.
    return {**browser_context_args, "bypass_csp": True}


from tests.userflows.conftest import smtp  # noqa: E402,F401  (the real local SMTP server)
