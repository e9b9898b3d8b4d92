"""Checks of everything an admin can put into company branding: images (decoded with
Pillow, re-encoded without metadata), custom CSS, links, colours and language tags.

Each check raises ValidationError with a message meant for the field it names."""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

# field -> (max bytes, max width, max height)
IMAGE_LIMITS: dict[str, tuple[int, int, int]] = {
    "favicon": (100 * 1024, 512, 512),
    "banner_logo": (300 * 1024, 1200, 400),
    "square_logo": (300 * 1024, 1024, 1024),
    "square_logo_dark": (300 * 1024, 1024, 1024),
    "background_image": (2 * 1024 * 1024, 3840, 2160),
}
IMAGE_FIELDS = tuple(IMAGE_LIMITS)
FORMATS = {
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "WEBP": ("webp", "image/webp"),
}
CONTENT_TYPES = {ext: ctype for ext, ctype in FORMATS.values()}

CSS_MAX_BYTES = 25 * 1024
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
# language[-script][-region], the subset of BCP 47 that browsers send and admins use.
LANGUAGE_RE = re.compile(r"^([a-zA-Z]{2,3})(?:-([a-zA-Z]{4}))?(?:-([a-zA-Z]{2}|[0-9]{3}))?$")


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    extension: str
    width: int
    height: int

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()[:24]


def _looks_like_svg(head: bytes) -> bool:
    text = head.lstrip().lower()
    return text.startswith(b"<?xml") or b"<svg" in text[:512]


def clean_image(field: str, upload) -> CleanImage:
    """Decode an uploaded image and re-encode it without metadata (EXIF, XMP, comments,
    colour profiles), refusing anything that is not a PNG, JPEG or WebP within limits."""
    max_bytes, max_w, max_h = IMAGE_LIMITS[field]
    name = (getattr(upload, "name", "") or "").lower()
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            f"The image is {size // 1024} KB; the limit is {max_bytes // 1024} KB.",
            code="too_large",
        )
    raw = upload.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise ValidationError(f"The image is larger than {max_bytes // 1024} KB.", code="too_large")
    if name.endswith((".svg", ".svgz")) or _looks_like_svg(raw[:1024]):
        raise ValidationError(
            "SVG images are not accepted (they can carry scripts). Upload a PNG, JPEG or WebP.",
            code="svg",
        )
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            fmt = probe.format
            width, height = probe.size
            if fmt not in FORMATS:
                raise ValidationError("Only PNG, JPEG and WebP images are accepted.", code="format")
            if width > max_w or height > max_h:
                raise ValidationError(
                    f"The image is {width} x {height} pixels; the limit is {max_w} x {max_h}.",
                    code="dimensions",
                )
            probe.verify()
        with Image.open(io.BytesIO(raw)) as image:
            image.load()
            mode = "RGBA" if image.mode in ("RGBA", "LA", "P", "PA") else "RGB"
            if fmt == "JPEG":
                mode = "RGB"
            pixels = image.convert(mode)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            "The file is not a readable PNG, JPEG or WebP image.", code="invalid"
        ) from None
    # A fresh image holds only pixels: nothing of the upload's metadata is copied over.
    clean = Image.new(pixels.mode, pixels.size)
    clean.paste(pixels)
    out = io.BytesIO()
    extension = FORMATS[fmt][0]
    if fmt == "PNG":
        clean.save(out, format="PNG", optimize=True)
    elif fmt == "JPEG":
        clean.save(out, format="JPEG", quality=90)
    else:
        clean.save(out, format="WEBP", quality=90)
    return CleanImage(out.getvalue(), extension, width, height)


_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.I | re.S)
_CSS_FORBIDDEN = [
    (re.compile(r"@import", re.I), "@import is not allowed (it loads remote stylesheets)."),
    (re.compile(r"expression\s*\(", re.I), "expression() is not allowed (it runs script)."),
    (re.compile(r"(?<![-\w])behavior\s*:", re.I), "behavior is not allowed (it runs script)."),
    (re.compile(r"-moz-binding", re.I), "-moz-binding is not allowed (it runs script)."),
    (re.compile(r"javascript\s*:", re.I), "javascript: URLs are not allowed."),
    (re.compile(r"\\"), "CSS escape sequences (backslashes) are not allowed."),
    (re.compile(r"<"), "The character < is not allowed in custom CSS."),
    (re.compile(r"@namespace|@font-face", re.I), "@font-face and @namespace are not allowed."),
]


def clean_css(css: str) -> str:
    """Custom CSS may restyle the pages but never load remote content or run script."""
    css = (css or "").replace("\r\n", "\n")
    if len(css.encode()) > CSS_MAX_BYTES:
        raise ValidationError(
            f"Custom CSS is limited to {CSS_MAX_BYTES // 1024} KB.", code="too_large"
        )
    stripped = _CSS_COMMENT.sub(" ", css)
    if "/*" in stripped:
        raise ValidationError("A CSS comment is not closed.", code="comment")
    for pattern, message in _CSS_FORBIDDEN:
        if pattern.search(stripped):
            raise ValidationError(message, code="forbidden")
    for match in _CSS_URL.finditer(stripped):
        target = match.group(2).strip()
        if not target.startswith("/") or target.startswith("//"):
            raise ValidationError(
                f"url({target}) is not allowed: only paths on this site (starting with /) "
                "may be referenced.",
                code="remote_url",
            )
    if re.search(r"url\s*\(", stripped, re.I) and not _CSS_URL.search(stripped):
        raise ValidationError("A url() is not closed.", code="remote_url")
    return css


def clean_link(url: str) -> str:
    """Footer links: https URLs or paths on this site."""
    url = (url or "").strip()
    if not url:
        return ""
    if any(ord(c) < 33 for c in url):
        raise ValidationError("A link may not contain spaces or control characters.")
    if url.startswith("/") and not url.startswith("//"):
        return url
    if url.lower().startswith("https://") and len(url) > len("https://"):
        return url
    raise ValidationError("Links must start with https:// (or / for a page of this site).")


def clean_color(value: str) -> str:
    value = (value or "").strip()
    if not COLOR_RE.match(value):
        raise ValidationError("Enter a colour as #rrggbb.")
    return value.lower()


def _channel(c: int) -> float:
    s = c / 255
    return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4


def luminance(color: str) -> float:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def ink_for(background: str) -> str:
    """Black or white text, whichever reads better on `background` (always ≥ 4.5:1)."""
    white, black = contrast(background, "#ffffff"), contrast(background, "#111111")
    return "#ffffff" if white >= black else "#111111"


def clean_link_color(value: str) -> str:
    value = clean_color(value)
    ratio = contrast(value, "#ffffff")
    if ratio < 4.5:
        raise ValidationError(
            f"Links in this colour have a contrast of {ratio:.1f}:1 on the white card; "
            "at least 4.5:1 is needed. Choose a darker colour."
        )
    return value


def clean_language(tag: str) -> str:
    """A BCP 47 language tag in its canonical case (fr, pt-BR, zh-Hant-TW)."""
    match = LANGUAGE_RE.match((tag or "").strip())
    if not match:
        raise ValidationError("Enter a BCP 47 language tag such as fr, pt-BR or zh-Hant.")
    lang, script, region = match.groups()
    parts = [lang.lower()]
    if script:
        parts.append(script.title())
    if region:
        parts.append(region.upper())
    return "-".join(parts)
