"""HTTP side of the device authorization grant (RFC 8628): the device authorization
endpoint, the token endpoint's device_code grant and the verification page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.views.mixins import OAuthLibMixin
from oauthlib.common import Request as OauthlibRequest

from directory.models import User

from . import device, refresh
from . import scopes as scope_catalog


@method_decorator(csrf_exempt, name="dispatch")
class DeviceAuthorizationView(OAuthLibMixin, View):
    """POST /oauth2/v2.0/devicecode (RFC 8628 §3.1-3.2): client_id (public clients) or
    client authentication, and scope."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from .views import basic_challenge, oauthlib_request

        oauth_request = oauthlib_request(self, request)
        try:
            refresh.authenticate(oauth_request, device.GRANT_TYPE)
        except refresh.GrantError as error:
            body = {"error": error.error, "error_description": error.description}
            return basic_challenge(request, refresh.json_response(body, error.status))
        client = oauth_request.client
        scopes = (oauth_request.scope or "openid").split()
        if not scope_catalog.validate_user_scopes(client, scopes):
            return refresh.json_response(
                {"error": "invalid_scope", "error_description": "Unknown or disallowed scope."},
                400,
            )
        started = device.start(client.client_id, scopes)
        base = request.tenant_base_url  # type: ignore[attr-defined]
        uri = f"{base}/device"
        return refresh.json_response(
            {
                "device_code": started["device_code"],
                "user_code": started["user_code"],
                "verification_uri": uri,
                "verification_uri_complete": f"{uri}?user_code={started['user_code']}",
                "expires_in": device.EXPIRES_IN,
                "interval": started["interval"],
                "message": (
                    f"To sign in, use a web browser to open the page {uri} and enter the "
                    f"code {started['user_code']} to authenticate."
                ),
            }
        )


def token_response(oauth_request: OauthlibRequest) -> HttpResponse:
    """The token endpoint's answer to grant_type=urn:ietf:params:oauth:grant-type:
    device_code (RFC 8628 §3.4-3.5)."""
    try:
        refresh.authenticate(oauth_request, device.GRANT_TYPE)
        client = oauth_request.client
        state = device.poll(client.client_id, oauth_request.device_code or "")
    except refresh.GrantError as error:
        body = {"error": error.error, "error_description": error.description}
        return refresh.json_response(body, error.status)
    except device.DeviceError as error:
        return refresh.json_response(
            {"error": error.error, "error_description": error.description}, 400
        )
    user = User.objects.filter(pk=state["user_id"], is_active=True).first()
    if user is None:
        return refresh.json_response(
            {"error": "access_denied", "error_description": "The account is disabled."}, 400
        )
    oauth_request.auth_time = state["auth_time"]
    return refresh.json_response(refresh.issue_new_family(oauth_request, user, state["scopes"]))


def verification_page(request: HttpRequest) -> HttpResponse:
    """The verification URI: the signed-in user enters the user code shown on the
    device, sees which app asks for what, and approves or denies."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    context: dict[str, Any] = {"user_code": request.GET.get("user_code", "")}
    if request.method != "POST":
        return render(request, "applications/device.html", context)
    user_code = request.POST.get("user_code", "")
    context["user_code"] = user_code
    address = request.META.get("REMOTE_ADDR", "")
    if device.attempts_exceeded(address):
        context["error"] = "Too many wrong codes. Try again later."
        return render(request, "applications/device.html", context, status=429)
    found = device.pending_request(user_code)
    if found is None:
        device.record_wrong_attempt(address)
        context["error"] = "That code is wrong or has expired. Check the code on your device."
        return render(request, "applications/device.html", context, status=400)
    _digest, state = found
    action = request.POST.get("action")
    if action not in {"approve", "deny"}:
        from .models import Application

        context["application"] = Application.objects.filter(client_id=state["client_id"]).first()
        context["scopes"] = state["scopes"]
        context["confirm"] = True
        return render(request, "applications/device.html", context)
    device.decide(user_code, request.user, approve=action == "approve")
    context["done"] = "approved" if action == "approve" else "denied"
    return render(request, "applications/device.html", context)
