"""Self-service account pages for signed-in customers."""

from __future__ import annotations

from typing import cast

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from branding import emails
from directory.models import User

from . import account, context
from .attributes import AttributesForm, current_values


def customer_required(view):
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs):
        if cast(User, request.user).kind != User.Kind.CUSTOMER:
            raise Http404()
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@customer_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """Edit the profile attributes of the customer's user flow."""
    flow = context.get_flow(request)
    user = cast(User, request.user)
    form = AttributesForm(request.POST or None, flow=flow, initial=current_values(user, flow))
    if request.method == "POST" and form.is_valid():
        account.update_profile(request, user, flow, form.cleaned_data)
        messages.success(request, _("Your profile was saved."))
        return redirect("userflows_profile")
    return render(request, "userflows/profile.html", {"form": form})


@customer_required
@require_http_methods(["GET", "POST"])
def consents(request: HttpRequest) -> HttpResponse:
    """Apps the customer has granted access to, with revocation."""
    user = cast(User, request.user)
    apps = account.consented_apps(user)
    if request.method == "POST":
        app = next((a for a in apps if str(a.pk) == request.POST.get("application")), None)
        if app is None:
            raise Http404()
        account.revoke_consent(request, user, app)
        messages.success(request, _("Access for %(app)s was removed.") % {"app": app.name})
        return redirect("userflows_consents")
    return render(request, "userflows/consents.html", {"apps": apps})


@customer_required
@reauthentication_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest) -> HttpResponse:
    """Delete the account, after a fresh re-authentication."""
    if request.method == "POST" and request.POST.get("confirm") == "on":
        user = cast(User, request.user)
        address = user.email
        logout(request)
        account.delete_account(request, user)
        emails.send("account_deleted", address, request, {})
        return render(request, "userflows/deleted.html")
    error = _("Tick the box to confirm.") if request.method == "POST" else None
    return render(request, "userflows/delete.html", {"error": error})
