"""The native authentication API (Entra External ID's endpoint names, parameters,
challenge types and errors): the journey engine's second adapter, for apps that draw
their own sign-up / sign-in / reset screens (MSAL native auth, or plain HTTP).

Requests are application/x-www-form-urlencoded, answers JSON. Every answer that
continues a journey carries a fresh continuation token (userflows.journey.tokens); the
steps, their rules (lockout, rate limits, code limits, no enumeration), the extension
points and the events are the engine's, shared with the pages."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from applications import native_tokens
from applications import scopes as scope_catalog
from applications.models import Application
from directory.models import User

from . import extension_points, services
from .journey import engine, store
from .journey import tokens as ct
from .journey.steps import STEPS
from .journey.steps.signin import succeeded, user_of
from .journey.steps.signup import password_problem
from .journey.store import Journey

CHALLENGE_TYPES = {"oob", "password", "redirect"}
MAX_VALUE = 4096
CODE_LENGTH = 6
# AADSTS numbers an unchanged MSAL app classifies errors by (error_codes[0]).
CODES = {
    "invalid_request": 90100,
    "unauthorized_client": 700016,
    "invalid_client": 7000218,
    "unsupported_challenge_type": 550200,
    "unsupported_grant_type": 70003,
    "invalid_scope": 70011,
    "expired_token": 552003,
    "user_not_found": 50034,
    "invalid_credentials": 50126,
    "invalid_oob_value": 50181,
    "mfa_required": 50076,
    "user_locked": 50053,
    "user_blocked": 50057,
    "user_already_exists": 1003037,
    "attribute_validation_failed": 1003033,
    "attributes_required": 55106,
    "credential_required": 55103,
    "password_policy": 399246,
    "rate_limited": 90055,
    "access_denied": 1003031,
}
PASSWORD_SUBERRORS = {
    "password_too_weak",
    "password_too_short",
    "password_too_long",
    "password_recently_used",
    "password_banned",
    "password_is_invalid",
}


class NativeError(Exception):
    def __init__(
        self, error: str, description: str, *, code: str = "", status: int = 400, **extra: Any
    ) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status
        self.code = code or error
        self.extra = extra


def _error_response(exc: NativeError) -> JsonResponse:
    number = CODES.get(exc.code, CODES.get(exc.error, 90100))
    body: dict[str, Any] = {
        "error": exc.error,
        "error_description": f"AADSTS{number}: {exc.description}",
        "error_codes": [number],
        "timestamp": timezone.now().strftime("%Y-%m-%d %H:%M:%SZ"),
        "trace_id": str(uuid.uuid4()),
        "correlation_id": str(uuid.uuid4()),
    }
    body.update({k: v for k, v in exc.extra.items() if v is not None})
    return _json(body, exc.status)


def _json(body: dict[str, Any], status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


# -- request parsing ---------------------------------------------------------------------
class Params:
    def __init__(self, request: HttpRequest) -> None:
        content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            raise NativeError("invalid_request", "Send application/x-www-form-urlencoded.")
        try:
            post = request.POST
        except Exception as exc:  # a malformed body (RequestDataTooBig, bad encoding)
            raise NativeError("invalid_request", "The request body is malformed.") from exc
        self.values: dict[str, str] = {}
        for key in post:
            items = post.getlist(key)
            if len(items) != 1:
                raise NativeError("invalid_request", f"{key} is repeated.")
            value = items[0]
            if "\x00" in value or "\x00" in key:
                raise NativeError("invalid_request", f"{key} holds a NUL character.")
            if len(value) > MAX_VALUE:
                raise NativeError("invalid_request", f"{key} is too long.")
            self.values[key] = value

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def require(self, name: str) -> str:
        value = (
            self.values.get(name, "").strip() if name != "password" else self.values.get(name, "")
        )
        if not value:
            raise NativeError("invalid_request", f"{name} is required.")
        return value


def _client(params: Params) -> Application:
    client_id = params.get("client_id").strip()
    if not client_id:
        raise NativeError("invalid_request", "client_id is required.")
    app = Application.objects.filter(client_id=client_id).first()
    if app is None or not app.is_enabled:
        raise NativeError("unauthorized_client", "The application was not found in the tenant.")
    if app.client_type != Application.CLIENT_PUBLIC or not app.native_auth_enabled:
        raise NativeError(
            "invalid_client", "The application is not enabled for native authentication."
        )
    return app


def _challenge_types(params: Params, required: bool = True) -> set[str]:
    raw = params.get("challenge_type")
    if not raw.strip():
        if required:
            raise NativeError("invalid_request", "challenge_type is required.")
        return set()
    types = set(raw.split())
    if not types <= CHALLENGE_TYPES:
        raise NativeError("invalid_request", "challenge_type holds an unknown value.")
    if "redirect" not in types:
        raise NativeError("unsupported_challenge_type", "challenge_type must include redirect.")
    return types


def _flow(app: Application) -> Any:
    return services.flow_for_client(app.client_id) or services.get_default_flow()


def _redirect() -> JsonResponse:
    return _json({"challenge_type": "redirect"})


def _mask(email: str) -> str:
    name, _, domain = email.partition("@")
    return f"{name[:1]}***@{domain}" if domain else "***"


def _oob_answer(journey: Journey, step: str) -> JsonResponse:
    return _json(
        {
            "continuation_token": ct.issue(journey, step),
            "challenge_type": "oob",
            "binding_method": "prompt",
            "challenge_channel": "email",
            "challenge_target_label": _mask(journey.values.get("email", "")),
            "code_length": CODE_LENGTH,
            "interval": 300,
        }
    )


def _types_of(journey: Journey) -> set[str]:
    return set(journey.values.get("challenge_types") or [])


def _redeem(
    params: Params, request: HttpRequest, app: Application, steps: tuple[str, ...], error: str
) -> Journey:
    token = params.get("continuation_token")
    if not token:
        raise NativeError("invalid_request", "continuation_token is required.")
    try:
        return ct.redeem(token, app.client_id, steps, request)
    except ct.TokenError as exc:
        if exc.reason == "expired":
            raise NativeError("expired_token", "The continuation token has expired.") from exc
        raise NativeError(error, "The continuation token is not valid.") from exc


def _current(journey: Journey) -> str:
    step = engine.current(journey)
    return step.name if step is not None else "done"


def endpoint(fn: Callable[[HttpRequest, Params, Application], JsonResponse]):
    @csrf_exempt
    @require_POST
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        try:
            params = Params(request)
            app = _client(params)
            return fn(request, params, app)
        except NativeError as exc:
            return _error_response(exc)
        except _Redirect:
            return _redirect()
        except extension_points.ExtensionFailure as exc:
            # A custom authentication extension (e.g. OnOtpSend for a sign-in or reset
            # code) failed and is configured to fail the step: a JSON error, not a 500.
            return _error_response(
                NativeError("invalid_request", exc.message or "Try again later.")
            )

    view.__name__ = fn.__name__
    view.__doc__ = fn.__doc__
    return view


def _outcome_error(outcome: Any, journey: Journey, step: str, grant_error: str) -> NativeError:
    """A step's refusal in the API's terms (a fresh token lets the client try again)."""
    if outcome.kind == "redirect":
        raise _Redirect()
    if outcome.kind == "block":
        return NativeError(
            "access_denied",
            outcome.message or "The journey was blocked.",
            code=outcome.code or "access_denied",
        )
    message = " ".join(m for ms in outcome.errors.values() for m in ms) or "Not valid."
    token = ct.issue(journey, step)
    code = outcome.code
    if code in PASSWORD_SUBERRORS:
        return NativeError(
            grant_error, message, code="password_policy", suberror=code, continuation_token=token
        )
    if code == "invalid_oob_value":
        return NativeError(grant_error, message, code=code, suberror=code, continuation_token=token)
    if code == "invalid_credentials":
        return NativeError("invalid_grant", message, code=code, continuation_token=token)
    if code in ("user_locked", "user_blocked"):
        return NativeError("invalid_grant", message, code=code, suberror=code)
    if code == "attribute_validation_failed":
        return NativeError(
            "attribute_validation_failed",
            message,
            invalid_attributes=[{"name": k} for k in outcome.errors if k != "__all__"],
            continuation_token=token,
        )
    if code == "rate_limited":
        return NativeError("invalid_request", message, code=code)
    if code == "user_not_found":
        return NativeError("user_not_found", message, code=code)
    return NativeError("invalid_request", message, continuation_token=token)


class _Redirect(Exception):
    pass


# -- sign-up -------------------------------------------------------------------------------
def _signup_next(request: HttpRequest, journey: Journey) -> JsonResponse:
    """What the client does after a successful sign-up continue."""
    if journey.finished:
        return _json({"continuation_token": ct.issue(journey, "signed_up")})
    step = engine.current(journey)
    assert step is not None
    if step.name == "new_password":
        raise NativeError(
            "credential_required",
            "A password is required.",
            continuation_token=ct.issue(journey, "new_password"),
        )
    if step.name == "attributes":
        blocked = step.start(journey)  # type: ignore[attr-defined]
        if blocked is not None:
            raise NativeError("access_denied", blocked.message, code="access_denied")
        pending = journey.values.pop("native_attributes", None)
        if pending is not None:
            outcome = engine.submit(journey, pending, expect="attributes")
            if not outcome.ok:
                raise _outcome_error(outcome, journey, "attributes", "invalid_grant")
            return _signup_next(request, journey)
        store.save(journey)
        raise NativeError(
            "attributes_required",
            "User attributes are required.",
            continuation_token=ct.issue(journey, "attributes"),
            required_attributes=[
                {
                    "name": f.name,
                    "type": "boolean" if f.type == "checkbox" else "string",
                    "required": f.required,
                    **({"options": {"values": f.choices}} if f.choices else {}),
                }
                for f in step.challenge(journey).fields
            ],
        )
    raise NativeError("invalid_request", "Unexpected step.")


def _attributes_param(params: Params) -> dict[str, Any] | None:
    raw = params.get("attributes")
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise NativeError("invalid_request", "attributes must be a JSON object.") from exc
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise NativeError("invalid_request", "attributes must be a JSON object.")
    return value


@endpoint
def signup_start(request: HttpRequest, params: Params, app: Application) -> JsonResponse:
    types = _challenge_types(params)
    username = params.require("username").lower()
    flow = _flow(app)
    if not flow.signup_enabled or "oob" not in types:
        return _redirect()
    if flow.password_enabled and "password" not in types:
        return _redirect()
    password = params.get("password")
    attributes = _attributes_param(params)
    if User.objects.filter(email__iexact=username).exists():
        from .journey.steps.signin import reveal_unknown_users

        if reveal_unknown_users():
            raise NativeError("user_already_exists", "An account with this email exists.")
    journey = engine.start(
        "signup", flow, request=request, client_id=app.client_id, client_type="native"
    )
    journey.values["challenge_types"] = sorted(types)
    if password:
        if not flow.password_enabled:
            raise NativeError("invalid_request", "This app does not use passwords.")
        problem = password_problem(password, username)
        if problem is not None:
            raise NativeError(
                "invalid_grant", " ".join(problem[0]), code="password_policy", suberror=problem[1]
            )
    outcome = engine.submit(journey, {"email": username}, expect="email")
    if not outcome.ok:
        raise _outcome_error(outcome, journey, "verify_email", "invalid_grant")
    if password:
        from django.contrib.auth.hashers import make_password

        journey.values["password_hash"] = make_password(password)
    if attributes is not None:
        journey.values["native_attributes"] = attributes
    journey.values["code_fresh"] = True
    store.save(journey)
    return _json({"continuation_token": ct.issue(journey, "verify_email")})


@endpoint
def signup_challenge(request: HttpRequest, params: Params, app: Application) -> JsonResponse:
    types = _challenge_types(params, required=False)
    journey = _redeem(params, request, app, ("verify_email", "new_password"), "invalid_grant")
    types = types or _types_of(journey)
    step = _current(journey)
    if step == "verify_email":
        if "oob" not in types:
            return _redirect()
        fresh = journey.values.pop("code_fresh", False)
        if not fresh and not STEPS["verify_email"]().resend(journey):  # type: ignore[attr-defined]
            raise NativeError(
                "invalid_request", "Too many codes. Wait and try again.", code="rate_limited"
            )
        store.save(journey)
        return _oob_answer(journey, "verify_email")
    if step == "new_password":
        if "password" not in types:
            return _redirect()
        return _json(
            {"challenge_type": "password", "continuation_token": ct.issue(journey, "new_password")}
        )
    raise NativeError("invalid_grant", "The continuation token is not valid.")


@endpoint
def signup_continue(request: HttpRequest, params: Params, app: Application) -> JsonResponse:
    grant_type = params.require("grant_type")
    if grant_type not in ("oob", "password", "attributes"):
        raise NativeError(
            "unsupported_grant_type", "grant_type must be oob, password or attributes."
        )
    step = {"oob": "verify_email", "password": "new_password", "attributes": "attributes"}[
        grant_type
    ]
    journey = _redeem(params, request, app, (step,), "invalid_request")
    if _current(journey) != step:
        raise NativeError("invalid_request", "The continuation token is not valid.")
    if grant_type == "oob":
        data: dict[str, Any] = {"code": params.require("oob")}
    elif grant_type == "password":
        data = {"password": params.require("password")}
    else:
        data = _attributes_param(params) or {}
    outcome = engine.submit(journey, data, expect=step)
    if not outcome.ok:
        raise _outcome_error(outcome, journey, step, "invalid_grant")
    return _signup_next(request, journey)


# -- sign-in -------------------------------------------------------------------------------
@endpoint
def initiate(request: HttpRequest, params: Params, app: Application) -> JsonResponse:
    types = _challenge_types(params)
    username = params.require("username")
    flow = _flow(app)
    usable = (flow.password_enabled and "password" in types) or (
        flow.email_code_enabled and "oob" in types
    )
    if not usable:
        return _redirect()
    journey = engine.start(
        "signin", flow, request=request, client_id=app.client_id, client_type="native"
    )
    journey.values["challenge_types"] = sorted(types)
    outcome = engine.submit(journey, {"username": username}, expect="identify")
    if not outcome.ok:
        raise _outcome_error(outcome, journey, "identify", "invalid_grant")
    return _json({"continuation_token": ct.issue(journey, "primary")})


@endpoint
def challenge(request: HttpRequest, params: Params, app: Application) -> JsonResponse:
    types = _challenge_types(params, required=False)
    journey = _redeem(params, request, app, ("primary", "mfa"), "invalid_grant")
    types = types or _types_of(journey)
    step = engine.current(journey)
    if step is None:
        raise NativeError("invalid_grant", "The continuation token is not valid.")
    if step.name == "mfa":
        if "email" not in step.methods(journey):  # type: ignore[attr-defined]
            return _redirect()  # an authenticator app: the browser asks for it
        if params.get("id") and params.get("id") != "email":
            raise NativeError("invalid_request", "Unknown authentication method id.")
        if not step.send_code(journey):  # type: ignore[attr-defined]
            raise NativeError(
                "invalid_request", "Too many codes. Wait and try again.", code="rate_limited"
            )
        store.save(journey)
        return _oob_answer(journey, "mfa")
    methods = step.challenge(journey).methods
    user = User.objects.filter(pk=journey.values.get("candidate") or None).first()
    has_password = user is None or user.has_usable_password() or user.password_migration_pending
    if "password" in methods and "password" in types and has_password:
        return _json(
            {"challenge_type": "password", "continuation_token": ct.issue(journey, "primary")}
        )
    if "email_code" in methods and "oob" in types:
        if not step.send_code(journey):  # type: ignore[attr-defined]
            raise NativeError(
                "invalid_request", "Too many codes. Wait and try again.", code="rate_limited"
            )
        store.save(journey)
        return _oob_answer(journey, "primary")
    return _redirect()


def _scope(params: Params, app: Application) -> str:
    requested = params.get("scope").split() or ["openid"]
    requested = [s for s in dict.fromkeys(requested)]
    if not scope_catalog.validate_user_scopes(app, requested):
        raise NativeError("invalid_scope", "A requested scope is not valid for this app.")
    return " ".join(requested)


def _finish(request: HttpRequest, journey: Journey, app: Application, scope: str) -> JsonResponse:
    user = user_of(journey)
    if user is None or not user.is_active or user.kind != User.Kind.CUSTOMER:
        raise NativeError("invalid_grant", "The account cannot sign in.", code="user_blocked")
    method = journey.values.get("primary_method") or (
        "password" if "pwd" in journey.amr else "email_otp"
    )
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(last_login=now, last_sign_in_at=now)
    user.last_login = now
    succeeded(journey, method, user)
    status, body = native_tokens.issue(request, app, user, scope)
    store.delete(journey)
    if status != 200:
        raise NativeError(body.get("error", "invalid_request"), body.get("error_description", ""))
    return _json(body)


@csrf_exempt
@require_POST
def token(request: HttpRequest) -> JsonResponse:
    """/oauth2/v2.0/token with grant_type password, oob or continuation_token."""
    try:
        params = Params(request)
        app = _client(params)
        return _token(request, params, app)
    except NativeError as exc:
        return _error_response(exc)
    except _Redirect:
        return _redirect()


def _token(request: HttpRequest, params: Params, app: Application) -> JsonResponse:
    grant_type = params.require("grant_type")
    scope = _scope(params, app)
    if grant_type == "continuation_token":
        journey = _redeem(params, request, app, ("signed_up", "reset_done"), "invalid_grant")
        if not journey.finished or not journey.user_id:
            raise NativeError("invalid_grant", "The continuation token is not valid.")
        if (
            journey.kind == "reset"
        ):  # a reset proves the email and sets a password: MFA may still apply
            journey.values["primary_method"] = "password"
        return _after_primary(request, journey, app, scope)
    steps = ("primary",) if grant_type == "password" else ("primary", "mfa")
    journey = _redeem(params, request, app, steps, "invalid_grant")
    step = engine.current(journey)
    if step is None:
        raise NativeError("invalid_grant", "The continuation token is not valid.")
    if grant_type == "password":
        if step.name != "primary":
            raise NativeError("invalid_grant", "The continuation token is not valid.")
        data = {"method": "password", "password": params.require("password")}
    else:
        data = {"method": "email_code", "code": params.require("oob")}
    name = step.name
    outcome = engine.submit(journey, data, expect=name)
    if not outcome.ok:
        raise _outcome_error(outcome, journey, name, "invalid_grant")
    return _after_primary(request, journey, app, scope)


def _after_primary(request: HttpRequest, journey: Journey, app: Application, scope: str):
    if journey.kind != "signin":
        # after sign-up or reset: the sign-in journey's remaining steps (MFA) still apply
        flow = _flow(app)
        signin = engine.start(
            "signin", flow, request=request, client_id=app.client_id, client_type="native"
        )
        signin.user_id = journey.user_id
        signin.amr = list(journey.amr)
        signin.values.update(
            {
                "challenge_types": journey.values.get("challenge_types") or [],
                "primary_method": journey.values.get("primary_method")
                or ("password" if "pwd" in journey.amr else "email_otp"),
                "candidate": journey.user_id,
            }
        )
        signin.done.extend(["identify", "primary"])
        store.delete(journey)
        journey = signin
        engine.advance(journey)
        store.save(journey)
    step = engine.current(journey)
    if step is not None and step.name == "mfa":
        if "email" not in step.methods(journey):  # type: ignore[attr-defined]
            return _redirect()
        raise NativeError(
            "invalid_grant",
            "Multi-factor authentication is required.",
            code="mfa_required",
            suberror="mfa_required",
            continuation_token=ct.issue(journey, "mfa"),
        )
    if step is not None:
        raise NativeError("invalid_grant", "The continuation token is not valid.")
    return _finish(request, journey, app, scope)


def introspect(request: HttpRequest) -> JsonResponse:
    """/oauth2/v2.0/introspect with a continuation token: the strong authentication
    methods the customer can use (an email one-time code)."""
    try:
        params = Params(request)
        app = _client(params)
        journey = _redeem(params, request, app, ("mfa",), "invalid_grant")
        step = engine.current(journey)
        if step is None or step.name != "mfa":
            raise NativeError("invalid_grant", "The continuation token is not valid.")
        if "email" not in step.methods(journey):  # type: ignore[attr-defined]
            return _redirect()
        user = user_of(journey)
        return _json(
            {
                "continuation_token": ct.issue(journey, "mfa"),
                "methods": [
                    {
                        "id": "email",
                        "challenge_type": "oob",
                        "challenge_channel": "email",
                        "login_hint": _mask(user.email if user else ""),
                    }
                ],
            }
        )
    except NativeError as exc:
        return _error_response(exc)


# -- password reset ------------------------------------------------------------------------
@endpoint
def reset_start(request: HttpRequest, params: Params, app: Application) -> JsonResponse:
    types = _challenge_types(params)
    username = params.require("username")
    if "oob" not in types:
        return _redirect()
    flow = _flow(app)
    if not flow.password_enabled:
        return _redirect()
    journey = engine.start(
        "reset", flow, request=request, client_id=app.client_id, client_type="native"
    )
    journey.values["challenge_types"] = sorted(types)
    outcome = engine.submit(journey, {"username": username}, expect="identify")
    if not outcome.ok:
        raise _outcome_error(outcome, journey, "identify", "invalid_grant")
    return _json({"continuation_token": ct.issue(journey, "reset_code")})


@endpoint
def reset_challenge(request: HttpRequest, params: Params, app: Application) -> JsonResponse:
    types = _challenge_types(params, required=False)
    journey = _redeem(params, request, app, ("reset_code",), "invalid_grant")
    types = types or _types_of(journey)
    if "oob" not in types:
        return _redirect()
    step = engine.current(journey)
    if step is None or step.name != "reset_code":
        raise NativeError("invalid_grant", "The continuation token is not valid.")
    if not step.send_code(journey):  # type: ignore[attr-defined]
        raise NativeError(
            "invalid_request", "Too many codes. Wait and try again.", code="rate_limited"
        )
    store.save(journey)
    return _oob_answer(journey, "reset_code")


@endpoint
def reset_continue(request: HttpRequest, params: Params, app: Application) -> JsonResponse:
    if params.require("grant_type") != "oob":
        raise NativeError("unsupported_grant_type", "grant_type must be oob.")
    journey = _redeem(params, request, app, ("reset_code",), "invalid_request")
    outcome = engine.submit(journey, {"code": params.require("oob")}, expect="reset_code")
    if not outcome.ok:
        raise _outcome_error(outcome, journey, "reset_code", "invalid_grant")
    return _json(
        {
            "expires_in": ct.MAX_AGE_SECONDS,
            "continuation_token": ct.issue(journey, "reset_password"),
        }
    )


@endpoint
def reset_submit(request: HttpRequest, params: Params, app: Application) -> JsonResponse:
    journey = _redeem(params, request, app, ("reset_password",), "invalid_request")
    outcome = engine.submit(
        journey, {"password": params.require("new_password")}, expect="reset_password"
    )
    if not outcome.ok:
        raise _outcome_error(outcome, journey, "reset_password", "invalid_grant")
    return _json({"continuation_token": ct.issue(journey, "reset_poll"), "poll_interval": 1})


@endpoint
def reset_poll(request: HttpRequest, params: Params, app: Application) -> JsonResponse:
    journey = _redeem(params, request, app, ("reset_poll",), "invalid_request")
    status = "succeeded" if journey.finished else "failed"
    return _json({"status": status, "continuation_token": ct.issue(journey, "reset_done")})
