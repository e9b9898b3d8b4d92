from __future__ import annotations

from django import forms

from directory.emails import EmailFormField
from directory.roles import Role


class AdminSignInForm(forms.Form):
    email = EmailFormField()
    password = forms.CharField(widget=forms.PasswordInput)


class TOTPCodeForm(forms.Form):
    code = forms.RegexField(
        regex=r"^\s*\d{6}\s*$",
        max_length=8,
        label="Code",
        error_messages={"invalid": "Enter the 6-digit code."},
    )


class InviteAdminForm(forms.Form):
    email = EmailFormField()
    display_name = forms.CharField(max_length=256, required=False)
    roles = forms.MultipleChoiceField(choices=Role.choices, widget=forms.CheckboxSelectMultiple)


class AdminRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(choices=Role.choices, widget=forms.CheckboxSelectMultiple)


class TenantSettingsForm(forms.Form):
    require_admin_mfa = forms.BooleanField(
        required=False, label="Require multifactor authentication for admin accounts"
    )


class AuditFilterForm(forms.Form):
    action = forms.CharField(required=False)
    actor = forms.CharField(required=False)
    target_type = forms.CharField(required=False)
    since = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "date"}))
    until = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "date"}))


class CustomDomainForm(forms.Form):
    domain = forms.CharField(
        max_length=253, label="Custom domain", help_text="For example login.contoso.com"
    )
