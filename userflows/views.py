"""Customer entrance pages: sign-in (allauth's, shaped by the flow and the authorize
request's prompt / login_hint), sign-up (our steps), and attribute collection."""

from __future__ import annotations

from urllib.parse import urlencode

from allauth.account import app_settings as account_settings
from allauth.account.utils import perform_login
from allauth.account.views import LoginView, RequestLoginCodeView
from allauth.account.views import reauthenticate as allauth_reauthenticate
from allauth.mfa.base.views import reauthenticate as allauth_mfa_reauthenticate
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from applications.models import Application

from . import context, extension_points, hooks, signup
from .attributes import AttributesForm, current_values
from .steps import pending_step


def _with_next(url: str, ctx: context.FlowContext) -> str:
    return f"{url}?{urlencode({'next': ctx.next_url})}" if ctx.next_url else url


def _prompt_none(request: HttpRequest, ctx: context.FlowContext) -> HttpResponse:
    """prompt=none must not show a page: answer the app with login_required (OIDC Core
    3.1.2.6) when its redirect URI is registered, else a plain error page."""
    params = context.parse_authorize_next(ctx.next_url)
    app = Application.objects.filter(client_id=ctx.client_id).first() if ctx.client_id else None
    redirect_uri = params.get("redirect_uri", "")
    if app is not None and redirect_uri and app.redirect_uri_allowed(redirect_uri):
        query = {"error": "login_required"}
        if params.get("state"):
            query["state"] = params["state"]
        sep = "&" if "?" in redirect_uri else "?"
        return redirect(f"{redirect_uri}{sep}{urlencode(query)}")
    return render(request, "userflows/error.html", {"error": "login_required"}, status=400)


class FlowLoginView(LoginView):
    """allauth's sign-in, with the email from the authorize request's login_hint."""

    def get_initial(self) -> dict:
        return {"login": context.get_context(self.request).login_hint}


class FlowRequestLoginCodeView(RequestLoginCodeView):
    def get_initial(self) -> dict:
        return {"email": context.get_context(self.request).login_hint}


allauth_login = FlowLoginView.as_view()
allauth_request_login_code = FlowRequestLoginCodeView.as_view()


def login(request: HttpRequest) -> HttpResponse:
    ctx = context.get_context(request)
    if request.method == "GET":
        if ctx.prompt == "none" and not request.user.is_authenticated:
            return _prompt_none(request, ctx)
        if ctx.prompt == "create" and not request.user.is_authenticated:
            return redirect(_with_next(reverse("account_signup"), ctx))
        if ctx.prompt == "login" and request.user.is_authenticated:
            logout(request)  # re-authentication asked for: drop the session, keep the flow
            context.remember(request, ctx)
    return allauth_login(request)


def request_login_code(request: HttpRequest) -> HttpResponse:
    if not context.get_flow(request).email_code_enabled:
        messages.error(request, _("This app does not offer sign-in with an email code."))
        return redirect(_with_next(reverse("account_login"), context.get_context(request)))
    return allauth_request_login_code(request)


@require_http_methods(["GET", "POST"])
def signup_view(request: HttpRequest) -> HttpResponse:
    ctx = context.get_context(request)
    flow = context.get_flow(request)
    if request.user.is_authenticated:
        return redirect(ctx.next_url or "userflows_profile")
    if not flow.signup_enabled:
        return render(request, "account/signup_closed.html")
    state = request.session.get(signup.SESSION_KEY) or {}
    if request.GET.get("restart") or state.get("flow_id") != str(flow.pk):
        state = {}
    state.setdefault("done", [])
    state["flow_id"] = str(flow.pk)
    state.setdefault("login_hint", ctx.login_hint)
    step = pending_step(flow, state)
    if step is None:  # a finished state left behind: start over
        state, step = {"done": [], "flow_id": str(flow.pk)}, pending_step(flow, {"done": []})
    assert step is not None
    data = request.POST if request.method == "POST" else None
    try:
        form = step.build_form(request, flow, state, data)
        valid = data is not None and form.is_valid()
        if valid:
            step.submit(request, flow, state, form)
    except (hooks.Blocked, extension_points.ExtensionFailure) as exc:
        # A custom authentication extension ended the sign-up (block page), or failed and
        # is configured to fail the step: the journey ends here, nothing was created.
        request.session.pop(signup.SESSION_KEY, None)
        title = getattr(exc, "title", "") or _("You cannot sign up right now")
        return render(
            request, "userflows/blocked.html", {"title": title, "message": exc.message}, status=403
        )
    except ValidationError as exc:
        form.add_error(None, exc)
    else:
        if valid:
            state["done"].append(step.key)
            if pending_step(flow, state) is None:
                try:
                    user = signup.complete_signup(request, flow, state)
                except ValidationError as exc:
                    request.session.pop(signup.SESSION_KEY, None)
                    messages.error(request, " ".join(exc.messages))
                    return redirect(_with_next(reverse("account_signup"), ctx))
                request.session.pop(signup.SESSION_KEY, None)
                return perform_login(
                    request,
                    user,
                    email_verification=account_settings.EMAIL_VERIFICATION,
                    redirect_url=ctx.next_url or None,
                    signup=True,
                    email=user.email,
                )
            request.session[signup.SESSION_KEY] = state
            return redirect(_with_next(reverse("account_signup"), ctx))
    request.session[signup.SESSION_KEY] = state
    return render(
        request,
        "userflows/signup.html",
        {"form": form, "step": step, "state": state, "flow": flow, "next_url": ctx.next_url},
    )


@require_http_methods(["GET", "POST"])
def collect_attributes(request: HttpRequest) -> HttpResponse:
    """The CollectAttributesStage page: the flow's required attributes this account lacks."""
    from allauth.account.stages import LoginStageController

    stage = LoginStageController.enter(request, "userflows_collect_attributes")
    if stage is None or stage.login.user is None:
        return redirect("account_login")
    user = stage.login.user
    flow = context.get_flow(request)
    form = AttributesForm(
        request.POST or None, flow=flow, only_missing_for=user, initial=current_values(user, flow)
    )
    if request.method == "POST" and form.is_valid():
        signup.save_collected_attributes(request, flow, user, form.cleaned_data)
        return stage.exit()
    return render(request, "userflows/collect_attributes.html", {"form": form, "flow": flow})


def _resuming(view):
    """allauth replays the request that asked for re-authentication by resolving its full
    path; on a tenant addressed by path (/t/<name>/...) that path carries the tenant prefix
    and does not resolve. The customer is then sent back to the page, now re-authenticated,
    to submit it again."""

    def wrapper(request: HttpRequest) -> HttpResponse:
        try:
            return view(request)
        except Resolver404:
            # allauth has already put the suspended request's path and query in `request`
            target = request.get_full_path()
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = reverse("userflows_profile")
            return redirect(target)

    return wrapper


reauthenticate = _resuming(allauth_reauthenticate)
mfa_reauthenticate = _resuming(allauth_mfa_reauthenticate)


def federated_login(request: HttpRequest, provider_id: str) -> HttpResponse:
    """allauth's OpenID Connect login, which fetches the provider's discovery document:
    a provider that cannot be reached, or that ciam.outbound refuses, is a failed
    sign-in (allauth's error page), not a server error."""
    import requests
    from allauth.socialaccount.providers.openid_connect.views import login as oidc_login

    try:
        return oidc_login(request, provider_id)
    except requests.RequestException:
        return render(request, "socialaccount/authentication_error.html", status=401)
