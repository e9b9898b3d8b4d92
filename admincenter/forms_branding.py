"""Admin center forms of Company branding. They only shape the input; the rules live in
branding.validation and branding.services (errors come back beside their field)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.conf import settings

from branding.models import Branding, Layout
from branding.services import EMAIL_KINDS, TEXT_FIELDS
from branding.validation import IMAGE_FIELDS, IMAGE_LIMITS

IMAGE_LABELS = {
    "favicon": "Favicon",
    "background_image": "Background image",
    "banner_logo": "Banner logo",
    "square_logo": "Square logo (light theme)",
    "square_logo_dark": "Square logo (dark theme)",
}


class ColorInput(forms.TextInput):
    input_type = "color"


class BrandingForm(forms.Form):
    favicon = forms.FileField(required=False)
    background_color = forms.CharField(widget=ColorInput, max_length=7)
    background_image = forms.FileField(required=False)
    banner_logo = forms.FileField(required=False)
    square_logo = forms.FileField(required=False)
    square_logo_dark = forms.FileField(required=False)
    layout = forms.ChoiceField(choices=Layout.choices)
    show_header = forms.BooleanField(required=False, label="Show header")
    show_footer = forms.BooleanField(required=False, label="Show footer")
    privacy_url = forms.CharField(required=False, label="Privacy & cookies link")
    privacy_text = forms.CharField(required=False, label="Privacy & cookies text")
    terms_url = forms.CharField(required=False, label="Terms of use link")
    terms_text = forms.CharField(required=False, label="Terms of use text")
    troubleshooting_url = forms.CharField(required=False, label="Troubleshooting link")
    troubleshooting_text = forms.CharField(required=False, label="Troubleshooting text")
    sign_in_text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    username_hint = forms.CharField(required=False, label="Username hint")
    sspr_link_text = forms.CharField(required=False, label="Self-service password reset link text")
    button_color = forms.CharField(widget=ColorInput, max_length=7)
    link_color = forms.CharField(
        widget=ColorInput, max_length=7, help_text="Needs a contrast of 4.5:1 on white."
    )
    custom_css = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        label="Custom CSS",
        help_text="Up to 25 KB; no @import, remote url(), expression or behavior.",
    )
    default_language = forms.CharField(max_length=35, help_text="BCP 47 tag, e.g. en or fr-CA.")
    sender_name = forms.CharField(required=False, label="Email sender name")

    def __init__(self, *args: Any, branding: Branding | None = None, **kwargs: Any) -> None:
        if branding is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = {
                f: getattr(branding, f) for f in self.base_fields if f not in IMAGE_FIELDS
            }
        super().__init__(*args, **kwargs)
        for field in IMAGE_FIELDS:
            size, width, height = IMAGE_LIMITS[field]
            self.fields[field].label = IMAGE_LABELS[field]
            self.fields[
                field
            ].help_text = (
                f"PNG, JPEG or WebP; at most {size // 1024} KB and {width} x {height} pixels."
            )
            self.fields[field].widget.attrs["accept"] = "image/png,image/jpeg,image/webp"
            if branding is not None and getattr(branding, field):
                self.fields[f"{field}_clear"] = forms.BooleanField(
                    required=False, label=f"Remove the current {IMAGE_LABELS[field].lower()}"
                )

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k not in IMAGE_FIELDS}


class PreviewForm(forms.Form):
    preview_page = forms.ChoiceField(choices=[("signin", "Sign-in"), ("signup", "Sign-up")])
    preview_language = forms.CharField(max_length=35, required=False)


class JSONField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 6, "spellcheck": "false"})

    def to_python(self, value: Any) -> Any:
        value = (value or "").strip()
        if not value:
            return {}
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"Not valid JSON: {exc.msg} (line {exc.lineno}).") from None
        if not isinstance(parsed, dict):
            raise forms.ValidationError("Expected a JSON object.")
        return parsed

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return json.dumps(value, indent=2, ensure_ascii=False)
        return value


class LanguageForm(forms.Form):
    language = forms.CharField(max_length=35, help_text="BCP 47 tag, e.g. fr, pt-BR, nl.")
    strings = JSONField(
        required=False,
        label="Page strings",
        help_text='Built-in English text → your text, e.g. {"Sign In": "Connexion"}.',
    )
    attributes = JSONField(
        required=False,
        label="Custom attribute labels",
        help_text='{"loyaltyNumber": {"label": "…", "help_text": "…"}}',
    )
    emails = JSONField(
        required=False,
        help_text=f"{{kind: {{subject, intro}}}}; kinds: {', '.join(EMAIL_KINDS)}.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in TEXT_FIELDS:
            self.fields[f"text_{field}"] = forms.CharField(
                required=False, label=field.replace("_", " ").capitalize()
            )

    def data_for_service(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "texts": {f: data.get(f"text_{f}", "") for f in TEXT_FIELDS},
            "strings": data.get("strings") or {},
            "attributes": data.get("attributes") or {},
            "emails": data.get("emails") or {},
        }


def builtin_language_names() -> dict[str, str]:
    return dict(settings.LANGUAGES)
