"""Admin center page: the tenant's native authentication API settings."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from admincenter.permissions import admin_view
from userflows import services

REVEALS = (
    "On, the native authentication API answers user_not_found when someone starts a "
    "sign-in or a password reset with an email that has no account, and "
    "user_already_exists when someone starts a sign-up with one that has: anyone with "
    "a native app's client ID can then learn which emails have accounts here. MSAL apps "
    'use it to offer "sign up instead". Off (the default), the API answers as the '
    "sign-in pages do: an unknown email goes on to a challenge that cannot succeed."
)


class NativeAuthForm(forms.Form):
    user_not_found_enabled = forms.BooleanField(
        required=False, label="Tell apps when an email has no account", help_text=REVEALS
    )


@admin_view("userflows.write")
@require_http_methods(["GET", "POST"])
def native_auth_settings(request: HttpRequest) -> HttpResponse:
    row = services.native_auth_settings()
    form = NativeAuthForm(
        request.POST or None, initial={"user_not_found_enabled": row.user_not_found_enabled}
    )
    if request.method == "POST" and form.is_valid():
        services.update_native_auth_settings(
            **form.cleaned_data, actor=request.user, request=request
        )
        messages.success(request, "Native authentication settings saved.")
        return redirect("userflows_admin")
    return render(request, "userflows/admin/native_auth.html", {"form": form, "reveals": REVEALS})
