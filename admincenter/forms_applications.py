"""Forms of the App registrations and Keys sections."""

from __future__ import annotations

from django import forms

from applications.claims import OPTIONAL_CLAIMS
from applications.models import AppType, SigningAlgorithm
from directory.emails import EmailFormField


class UriListField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value):  # type: ignore[override]
        return [line.strip() for line in (value or "").split() if line.strip()]


class RegisterAppForm(forms.Form):
    name = forms.CharField(max_length=255)
    app_type = forms.ChoiceField(label="Type", choices=AppType.choices)
    redirect_uris = UriListField(
        label="Redirect URIs",
        required=False,
        help_text="One per line. https, or http for loopback.",
    )
    first_party = forms.BooleanField(
        label="First-party app (users are not asked for consent)", required=False, initial=True
    )


class EditAppForm(forms.Form):
    name = forms.CharField(max_length=255)
    redirect_uris = UriListField(label="Redirect URIs", required=False)
    post_logout_redirect_uris = UriListField(label="Post-logout redirect URIs", required=False)
    skip_authorization = forms.BooleanField(label="First-party app (skip consent)", required=False)
    algorithm = forms.ChoiceField(label="Token signing algorithm", choices=SigningAlgorithm.choices)
    access_token_lifetime = forms.IntegerField(min_value=300, max_value=86400)
    id_token_lifetime = forms.IntegerField(min_value=300, max_value=86400)
    refresh_token_lifetime = forms.IntegerField(min_value=3600, max_value=90 * 86400)
    token_claims = forms.MultipleChoiceField(
        label="Optional claims",
        required=False,
        choices=[(c, c) for c in OPTIONAL_CLAIMS],
        widget=forms.CheckboxSelectMultiple,
    )
    include_groups = forms.BooleanField(label="Emit security groups", required=False)
    extension_claims = forms.CharField(
        label="Claims from custom authentication extensions",
        required=False,
        help_text="Claim names (space or comma separated) that OnTokenIssuanceStart "
        "extensions may add to this app's tokens.",
    )
    identifier_uri = forms.CharField(label="Application ID URI (web APIs)", required=False)
    exposed_scopes = forms.CharField(
        label="Exposed scopes (web APIs)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line: value description",
    )
    app_roles = forms.CharField(
        label="App roles",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line: value description",
    )
    jwks_uri = forms.URLField(label="JWKS URL for private_key_jwt", required=False)
    backchannel_logout_uri = forms.URLField(
        label="Back-channel logout URL", required=False, assume_scheme="https"
    )
    require_pushed_authorization_requests = forms.BooleanField(
        label="Require pushed authorization requests (PAR)", required=False
    )
    frontchannel_logout_uri = forms.URLField(
        label="Front-channel logout URL", required=False, assume_scheme="https"
    )
    public_keys = forms.CharField(
        label="Public keys for private_key_jwt",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A JWKS, a JWK or a PEM public key.",
    )
    is_enabled = forms.BooleanField(label="Enabled", required=False)
    native_auth_enabled = forms.BooleanField(
        label="Native authentication",
        required=False,
        help_text="Public clients (native, SPA) only: the app may sign customers up and in "
        "through the native authentication API, with its own screens.",
    )

    @staticmethod
    def parse_items(text: str) -> list[dict[str, str]]:
        items = []
        for line in (text or "").splitlines():
            if line.strip():
                value, _sep, description = line.strip().partition(" ")
                items.append({"value": value, "description": description.strip()})
        return items

    @staticmethod
    def format_items(items: list[dict[str, str]]) -> str:
        return "\n".join(f"{i['value']} {i.get('description', '')}".strip() for i in items or [])


class SecretForm(forms.Form):
    description = forms.CharField(max_length=200, required=False)
    expires_in_days = forms.TypedChoiceField(
        label="Expires",
        coerce=int,
        choices=[(90, "90 days"), (180, "180 days"), (365, "1 year"), (730, "2 years")],
        initial=180,
    )


class PermissionForm(forms.Form):
    permission = forms.ChoiceField(label="Permission")

    def __init__(self, *args, choices: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["permission"].choices = choices  # type: ignore[attr-defined]


class RotateForm(forms.Form):
    algorithm = forms.ChoiceField(choices=SigningAlgorithm.choices)


class RoleAssignmentForm(forms.Form):
    email = EmailFormField(label="User email")
    role = forms.ChoiceField(label="App role")

    def __init__(self, *args, roles: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, r) for r in roles]  # type: ignore[attr-defined]
