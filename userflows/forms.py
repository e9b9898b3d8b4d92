"""Forms of the customer pages that run on the journey engine (the admin center's forms are
admincenter/forms_userflows.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from directory.emails import EmailFormField


class EmailForm(forms.Form):
    email = EmailFormField(label=_("Email address"), max_length=254)


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
