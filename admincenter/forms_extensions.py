"""Admin center forms for custom authentication extensions (validation lives in services)."""

from __future__ import annotations

from typing import Any

from django import forms

from extensions.models import DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS, MIN_TIMEOUT_MS, Event


def _names(text: str) -> list[str]:
    return [n for n in text.replace(",", " ").split() if n]


class ExtensionForm(forms.Form):
    name = forms.CharField(max_length=100)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    target_url = forms.CharField(label="Target URL", max_length=500)
    app_id_uri = forms.CharField(
        label="App ID URI",
        required=False,
        max_length=255,
        help_text="The aud of the bearer token each call carries. Empty: "
        "api://{host of the target URL}/{extension id}.",
    )
    events = forms.MultipleChoiceField(choices=Event.choices, widget=forms.CheckboxSelectMultiple)
    user_flows = forms.MultipleChoiceField(
        label="User flows",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None chosen: every user flow.",
    )
    applications = forms.MultipleChoiceField(
        label="Apps",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None chosen: every app.",
    )
    include_app_only_tokens = forms.BooleanField(
        label="Also for app-only tokens (client credentials)", required=False
    )
    allowed_claims = forms.CharField(
        label="Claims it may return",
        required=False,
        help_text="Space or comma separated; empty: any claim. A claim reaches a token only "
        "when the app's claims mapping names it.",
    )
    timeout_ms = forms.IntegerField(
        label="Timeout (ms)",
        min_value=MIN_TIMEOUT_MS,
        max_value=MAX_TIMEOUT_MS,
        initial=DEFAULT_TIMEOUT_MS,
    )
    max_retries = forms.TypedChoiceField(
        label="Retries (connection failures only)",
        choices=[(0, "0"), (1, "1")],
        coerce=int,
        initial=0,
    )
    on_failure = forms.ChoiceField(
        label="When the API fails",
        choices=[
            ("fail", "Fail the step (the customer sees an error)"),
            ("continue", "Continue without the extension's changes"),
        ],
    )
    encryption_public_key = forms.CharField(
        label="Public key for OnPasswordSubmit (JWK or PEM, RSA)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    is_enabled = forms.BooleanField(label="Enabled", required=False, initial=True)

    def __init__(
        self, *args: Any, flows: list[tuple[str, str]], apps: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user_flows"].choices = flows
        self.fields["applications"].choices = apps

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["allowed_claims"] = _names(data["allowed_claims"])
        return data


class TestForm(forms.Form):
    event = forms.ChoiceField(choices=Event.choices)
