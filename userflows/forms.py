"""Admin center forms of the User flows section."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import get_application_model

from .models import FlowAttribute, IdentityProvider, UserFlow


class UserFlowForm(forms.Form):
    name = forms.CharField(max_length=100)
    is_default = forms.BooleanField(required=False, label="Default flow of the tenant")
    password_enabled = forms.BooleanField(required=False, label="Email with password")
    email_code_enabled = forms.BooleanField(
        required=False, label="Email one-time passcode (no password)"
    )
    signup_enabled = forms.BooleanField(required=False, label="Customers can sign up")
    mfa_policy = forms.ChoiceField(choices=UserFlow.MFAPolicy.choices, label="MFA policy")
    identity_providers = forms.ModelMultipleChoiceField(
        queryset=IdentityProvider.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    applications = forms.ModelMultipleChoiceField(
        queryset=get_application_model().objects.all().order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="An app uses one flow; choosing it here moves it from its current flow.",
    )

    @staticmethod
    def initial_for(flow: UserFlow) -> dict[str, Any]:
        return {
            "name": flow.name,
            "is_default": flow.is_default,
            "password_enabled": flow.password_enabled,
            "email_code_enabled": flow.email_code_enabled,
            "signup_enabled": flow.signup_enabled,
            "mfa_policy": flow.mfa_policy,
            "identity_providers": list(flow.identity_providers.all()),
            "applications": [link.application for link in flow.app_links.all()],
        }


class FlowAttributeForm(forms.Form):
    attribute = forms.ChoiceField(choices=())
    label = forms.CharField(max_length=200, required=False)
    input_type = forms.ChoiceField(choices=FlowAttribute.InputType.choices)
    choices = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="For radio buttons and checkboxes: one choice per line.",
    )
    required = forms.BooleanField(required=False)
    order = forms.IntegerField(min_value=0, max_value=1000, initial=0)
    link_url = forms.URLField(
        required=False, label="Link (terms of use / privacy policy) for a single checkbox"
    )

    def __init__(self, *args: Any, attribute_choices: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["attribute"].choices = attribute_choices  # type: ignore[attr-defined]

    def clean_choices(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]


class IdentityProviderForm(forms.Form):
    name = forms.CharField(max_length=100)
    slug = forms.SlugField(
        max_length=40, required=False, help_text="OpenID Connect: short id used in URLs"
    )
    client_id = forms.CharField(max_length=255)
    client_secret = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text="Stored encrypted. Leave empty to keep the current secret.",
    )
    issuer = forms.URLField(required=False, help_text="OpenID Connect issuer (discovery)")
    scopes = forms.CharField(max_length=255, required=False, initial="openid email profile")
    claim_mapping = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="One 'claim=attribute' per line, e.g. family_name=surname",
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind != IdentityProvider.Kind.OIDC:
            for name in ("slug", "issuer", "claim_mapping"):
                del self.fields[name]

    def clean_claim_mapping(self) -> dict[str, str]:
        mapping = {}
        for line in self.cleaned_data["claim_mapping"].splitlines():
            if not line.strip():
                continue
            claim, sep, attribute = line.partition("=")
            if not sep or not claim.strip() or not attribute.strip():
                raise forms.ValidationError(f"Write 'claim=attribute', not {line.strip()!r}.")
            mapping[claim.strip()] = attribute.strip()
        return mapping

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.kind == IdentityProvider.Kind.OIDC and not data.get("slug") and not self.errors:
            self.add_error("slug", "Give the provider a short id.")
        return data


class PasswordPolicyForm(forms.Form):
    min_length = forms.IntegerField(min_value=8, max_value=128, label="Minimum length")
    reject_common = forms.BooleanField(required=False, label="Reject common passwords")


class EmailForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Verification code"), max_length=12)


class PasswordForm(forms.Form):
    """A new password typed twice; the journey's step applies the password policy."""

    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(
        label=_("Confirm password"), widget=forms.PasswordInput, strip=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The passwords do not match."))
        return data
