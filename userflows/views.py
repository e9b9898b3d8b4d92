"""Customer entrance pages: sign-in (allauth's, shaped by the flow and the authorize
request's prompt / login_hint), sign-up (our steps), and attribute collection."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from allauth.account import app_settings as account_settings
from allauth.account.utils import perform_login
from allauth.account.views import LoginView, RequestLoginCodeView
from allauth.account.views import reauthenticate as allauth_reauthenticate
from allauth.mfa.base.views import reauthenticate as allauth_mfa_reauthenticate
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from applications.models import Application

from . import context, signup
from .attributes import AttributesForm, current_values
from .forms import CodeForm, EmailForm, PasswordForm
from .journey import browser, engine, store
from .journey.steps.base import flow_of


def _with_next(url: str, ctx: context.FlowContext) -> str:
    return f"{url}?{urlencode({'next': ctx.next_url})}" if ctx.next_url else url


def _prompt_none(request: HttpRequest, ctx: context.FlowContext) -> HttpResponse:
    """prompt=none must not show a page: answer the app with login_required (OIDC Core
    3.1.2.6) when its redirect URI is registered, else a plain error page."""
    journey = store.of_session(request)
    params = journey.authorize if journey is not None else {}
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
            journey = store.of_session(request)
            logout(request)  # re-authentication asked for: drop the session, keep the flow
            if journey is not None:
                store.attach(request, journey)
            context.consume_prompt(request)
    return allauth_login(request)


def request_login_code(request: HttpRequest) -> HttpResponse:
    if not context.get_flow(request).email_code_enabled:
        messages.error(request, _("This app does not offer sign-in with an email code."))
        return redirect(_with_next(reverse("account_login"), context.get_context(request)))
    return allauth_request_login_code(request)


class _StepView:
    """What the sign-up template needs of a step (its challenge)."""

    def __init__(self, challenge: Any) -> None:
        self.key = challenge.step
        self.title = challenge.title
        self.submit_label = challenge.submit_label


def _page_form(journey: Any, challenge: Any, data: Any) -> forms.Form:
    """The HTML form of a sign-up step (shape and confirmation only: the step decides)."""
    if challenge.step == "email":
        return EmailForm(data, initial=challenge.initial)
    if challenge.step == "verify_email":
        return CodeForm(data)
    if challenge.step == "new_password":
        return PasswordForm(data)
    return AttributesForm(data, flow=flow_of(journey), initial=challenge.initial)


def _step_data(challenge: Any, form: forms.Form) -> dict[str, Any]:
    if challenge.step == "new_password":
        return {"password": form.cleaned_data["password1"]}
    return dict(form.data.items()) if challenge.step == "attributes" else dict(form.cleaned_data)


def _show_errors(form: forms.Form, errors: dict[str, list[str]]) -> None:
    for field, messages_ in errors.items():
        target = "password1" if field == "password" else field
        form.add_error(target if target in form.fields else None, messages_)


def _blocked(request: HttpRequest, outcome: Any) -> HttpResponse:
    """The journey ended (a custom authentication extension's block page, or one that
    failed and is configured to fail the step): nothing was created."""
    store.detach(request)
    title = getattr(outcome, "title", "") or _("You cannot sign up right now")
    context_ = {"title": title, "message": outcome.message}
    return render(request, "userflows/blocked.html", context_, status=403)


@require_http_methods(["GET", "POST"])
def signup_view(request: HttpRequest) -> HttpResponse:
    """Sign-up page: a thin adapter over the journey engine's sign-up plan."""
    ctx = context.get_context(request)
    flow = context.get_flow(request)
    if request.user.is_authenticated:
        return redirect(ctx.next_url or "userflows_profile")
    if not flow.signup_enabled:
        return render(request, "account/signup_closed.html")
    journey = browser.signup_journey(request, flow, restart=bool(request.GET.get("restart")))
    if journey.kind == "signup" and "create" in journey.prompt.split():
        context.consume_prompt(request)
    step = engine.current(journey)
    if step is None:  # a finished journey left behind: start over
        journey = browser.signup_journey(request, flow, restart=True)
        step = engine.current(journey)
    assert step is not None
    if step.name == "attributes":
        blocked = step.start(journey)  # type: ignore[attr-defined]
        store.save(journey)
        if blocked is not None:
            return _blocked(request, blocked)
    challenge = step.challenge(journey)
    data = request.POST if request.method == "POST" else None
    form = _page_form(journey, challenge, data)
    if data is not None and form.is_valid():
        outcome = engine.submit(journey, _step_data(challenge, form), expect=step.name)
        if outcome.kind == "block":
            return _blocked(request, outcome)
        if outcome.kind == "invalid":
            _show_errors(form, outcome.errors)
        elif journey.finished:
            return _finish_signup(request, journey, ctx)
        else:
            return redirect(_with_next(reverse("account_signup"), ctx))
    return render(
        request,
        "userflows/signup.html",
        {
            "form": form,
            "step": _StepView(challenge),
            "state": {"email": journey.values.get("email", "")},
            "flow": flow,
            "next_url": ctx.next_url,
        },
    )


def _finish_signup(request: HttpRequest, journey: Any, ctx: context.FlowContext) -> HttpResponse:
    from directory.models import User

    # The finished journey stays the browser's until it expires: the pages that follow
    # (consent, attribute collection) still see its flow and authorize request.
    user = User.objects.get(pk=journey.user_id)
    return perform_login(
        request,
        user,
        email_verification=account_settings.EMAIL_VERIFICATION,
        redirect_url=ctx.next_url or None,
        signup=True,
        email=user.email,
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
