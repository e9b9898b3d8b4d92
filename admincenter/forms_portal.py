from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from tenants import services

COUNTRIES = [
    ("US", "United States"),
    ("GB", "United Kingdom"),
    ("FR", "France"),
    ("DE", "Germany"),
    ("ES", "Spain"),
    ("JP", "Japan"),
    ("NL", "Netherlands"),
    ("CA", "Canada"),
    ("AU", "Australia"),
    ("IN", "India"),
    ("BR", "Brazil"),
    ("CH", "Switzerland"),
]


class OperatorSignInForm(forms.Form):
    email = forms.EmailField()
    password = forms.CharField(widget=forms.PasswordInput)


class CreateTenantForm(forms.Form):
    display_name = forms.CharField(max_length=120, label="Tenant display name")
    name = forms.CharField(
        max_length=40,
        label="Tenant name",
        help_text="Lower-case letters, digits and hyphens. Used in the tenant's addresses.",
    )
    country = forms.ChoiceField(choices=COUNTRIES, label="Country/Region")

    def clean_name(self) -> str:
        try:
            return services.validate_tenant_name(self.cleaned_data["name"])
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc


class DeleteTenantForm(forms.Form):
    confirm = forms.CharField(label="Type the tenant name to confirm")

    def __init__(self, *args, tenant_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant_name = tenant_name

    def clean_confirm(self) -> str:
        if self.cleaned_data["confirm"].strip() != self.tenant_name:
            raise forms.ValidationError("The name does not match.")
        return self.cleaned_data["confirm"]
