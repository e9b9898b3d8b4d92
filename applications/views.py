"""OAuth 2.0 / OpenID Connect endpoints of a tenant (discovery, JWKS, authorize, token,
userinfo, introspection, revocation, logout), on every base URL the tenant has."""

from __future__ import annotations

import hashlib
import time
import uuid
from typing import Any, cast
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render, resolve_url
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.exceptions import (
    ClientIdMissmatch,
    InvalidIDTokenError,
    InvalidOIDCClientError,
    OAuthToolkitError,
)
from oauth2_provider.views import (
    AuthorizationView,
    RevokeTokenView,
    RPInitiatedLogoutView,
    UserInfoView,
)
from oauth2_provider.views.mixins import OAuthLibMixin
from oauthlib.common import Request as OauthlibRequest

from ciam.tenancy import TenantRequest
from directory.models import User

from . import cache as app_cache
from . import device, device_views, interaction, keys, par, refresh, services, token_claims, tokens
from . import logout as logout_channels
from . import scopes as scope_catalog
from .models import Application, IDToken, RefreshToken
from .validator import TenantOAuth2Validator

RESPONSE_MODES = ["query", "form_post"]
PROMPTS = ["none", "login", "consent", "create", "select_account"]


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def endpoints(base: str) -> dict[str, str]:
    return {
        "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
        "token_endpoint": f"{base}/oauth2/v2.0/token",
        "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
        "jwks_uri": f"{base}/discovery/v2.0/keys",
        "userinfo_endpoint": f"{base}/oidc/userinfo",
        "introspection_endpoint": f"{base}/oauth2/v2.0/introspect",
        "revocation_endpoint": f"{base}/oauth2/v2.0/revoke",
        "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
        "pushed_authorization_request_endpoint": f"{base}/oauth2/v2.0/par",
    }


def discovery(request: TenantRequest) -> JsonResponse:
    """OpenID Provider metadata: the issuer is the base URL this was fetched from."""
    base = request.tenant_base_url
    auth_methods = ["client_secret_basic", "client_secret_post", "private_key_jwt"]
    data: dict[str, Any] = {
        "issuer": base,
        **endpoints(base),
        "scopes_supported": list(scope_catalog.OIDC_SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": RESPONSE_MODES,
        "grant_types_supported": [
            "authorization_code",
            "refresh_token",
            "client_credentials",
            device.GRANT_TYPE,
        ],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "ES256"],
        "token_endpoint_auth_methods_supported": auth_methods,
        "token_endpoint_auth_signing_alg_values_supported": ["RS256", "ES256", "PS256"],
        "introspection_endpoint_auth_methods_supported": auth_methods,
        "revocation_endpoint_auth_methods_supported": [*auth_methods, "none"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": TenantOAuth2Validator().get_discovery_claims(request),
        "prompt_values_supported": PROMPTS,
        "claims_parameter_supported": False,
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "require_pushed_authorization_requests": False,
        "frontchannel_logout_supported": True,
        "frontchannel_logout_session_supported": True,
        "backchannel_logout_supported": True,
        "backchannel_logout_session_supported": True,
        "tenant_region_scope": None,
    }
    response = JsonResponse(data)
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


def no_v2_discovery(request: HttpRequest) -> JsonResponse:
    base = request.tenant_base_url  # type: ignore[attr-defined]
    return JsonResponse(
        {
            "error": "not_found",
            "error_description": f"The metadata is at {base}/.well-known/openid-configuration.",
        },
        status=404,
    )


def jwks(request: HttpRequest) -> JsonResponse:
    """The tenant's JSON Web Key Set (public keys only)."""
    response = JsonResponse(keys.jwks())
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = f"public, max-age={keys.JWKS_MAX_AGE_SECONDS}"
    return response


def _apply_pushed_request(request: HttpRequest) -> str:
    """RFC 9126 §4: an authorization request naming a pushed `request_uri` is the pushed
    one (its parameters replace the query's); an app that requires PAR accepts nothing
    else. Returns why the request is refused, or ""."""
    client_id = request.GET.get("client_id", "")
    request_uri = request.GET.get("request_uri")
    if request_uri is None:
        snapshot = app_cache.client(client_id)
        if snapshot is not None and snapshot.app.require_pushed_authorization_requests:
            return "This app sends its authorization requests through PAR (request_uri)."
        return ""
    pushed = par.resolve(request_uri, client_id)
    if pushed is None:
        return "The request_uri is unknown, expired, or was pushed by another client."
    query = QueryDict(mutable=True)
    for key, value in pushed.items():
        query[key] = value
    # Kept in the query: the sign-in page sends the browser back to this same URL.
    query["request_uri"] = request_uri
    query._mutable = False
    request.GET = query  # type: ignore[assignment]
    request.META["QUERY_STRING"] = query.urlencode()  # what DOT hands to oauthlib
    return ""


@method_decorator(csrf_exempt, name="dispatch")
class PushedAuthorizationView(OAuthLibMixin, View):
    """The PAR endpoint (RFC 9126 §2): the client authenticates as at the token
    endpoint; the request is checked (response type, redirect URI, scopes) when pushed."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        oauth_request = oauthlib_request(self, request)
        try:
            refresh.authenticate(oauth_request, "authorization_code")
        except refresh.GrantError as error:
            body = {"error": error.error, "error_description": error.description}
            return basic_challenge(request, refresh.json_response(body, error.status))
        client = oauth_request.client
        params = {k: v for k, v in request.POST.items()}

        def refuse(description: str) -> HttpResponse:
            body = {"error": "invalid_request", "error_description": description}
            return refresh.json_response(body, 400)

        if "request_uri" in params:
            return refuse("request_uri must not be pushed.")
        if params.get("response_type") != "code":
            return refuse("response_type must be code.")
        if not client.redirect_uri_allowed(params.get("redirect_uri", "")):
            return refuse("redirect_uri is not registered for this app.")
        if not scope_catalog.validate_user_scopes(client, params.get("scope", "").split()):
            return refresh.json_response(
                {"error": "invalid_scope", "error_description": "Unknown scope."}, 400
            )
        request_uri = par.push(client.client_id, params)
        return refresh.json_response(
            {"request_uri": request_uri, "expires_in": par.LIFETIME}, status=201
        )


class TenantAuthorizationView(AuthorizationView):
    """The authorization endpoint: DOT's view plus max_age, login_hint, select_account,
    response_mode=form_post, admin consent and a session id for the ID token's `sid`."""

    template_name = "applications/authorize.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # A request with an unknown client or an unregistered redirect_uri is answered at
        # once, not after sending a signed-out user through the sign-in page first.
        if request.method == "GET" and not request.user.is_authenticated:
            try:
                self.validate_authorization_request(request)
            except OAuthToolkitError as error:
                return self.error_response(error, None)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refused = _apply_pushed_request(request)
        if refused:
            return self._plain_error(refused)
        if "approval_prompt" in request.GET:
            # DOT lets this parameter turn on "a live token means consent", which would
            # skip the consent page after consent (or admin consent) was withdrawn, and
            # ignore prompt=consent. Remembered consent is the Consent table only.
            query = request.GET.copy()
            del query["approval_prompt"]
            request.GET = query  # type: ignore[assignment]
        mode = request.GET.get("response_mode", "query")
        if mode not in RESPONSE_MODES:
            return self._plain_error("response_mode must be query or form_post.")
        prompt = set(request.GET.get("prompt", "").split())
        if prompt & {"login", "select_account"} and "none" not in prompt:
            # Only a valid request may end the user's session.
            try:
                self.validate_authorization_request(request)
            except OAuthToolkitError as error:
                return self.error_response(error, None)
            return self.handle_prompt_login()
        max_age = request.GET.get("max_age")
        if max_age is not None and request.user.is_authenticated:
            if not max_age.isdigit():
                return self._plain_error("max_age must be a number of seconds.")
            auth_time = services.auth_time_of(request.user).timestamp()
            if time.time() - auth_time > int(max_age):
                if "none" in prompt:
                    return self._login_required()
                return self.handle_prompt_login()
        if request.user.is_authenticated and "consent" not in prompt:
            consented = self._consented_response(request)
            if consented is not None:
                return consented
        return super().get(request, *args, **kwargs)

    def _consented_response(self, request: HttpRequest) -> HttpResponse | None:
        """Skip the consent page when an admin consented for the tenant, or the user
        consented before (the Consent table, whatever happened to the tokens since)."""
        try:
            scopes, credentials = self.validate_authorization_request(request)
        except OAuthToolkitError:
            return None  # DOT's get() renders the error
        app = Application.objects.filter(client_id=credentials["client_id"]).first()
        if app is None or app.skip_authorization:
            return None
        if not (
            scope_catalog.admin_consent_covers(app, list(scopes))
            or services.consent_covers(request.user, app, list(scopes))
        ):
            return None
        try:
            uri, _headers, _body, _status = self.create_authorization_response(
                request=request, scopes=" ".join(scopes), credentials=credentials, allow=True
            )
        except OAuthToolkitError as error:
            return self.error_response(error, app)
        return self.redirect(uri, app)

    def handle_prompt_login(self) -> HttpResponse:
        """Re-authentication (prompt=login/select_account, max_age exceeded): end the
        current session and come back here, without the prompt, after signing in."""
        if self.request.user.is_authenticated:
            logout(self.request)
        query = [(k, v) for k, v in self.request.GET.items() if k != "prompt"]
        next_url = f"{self.request.path}?{urlencode(query)}"
        self._start_journey(next_url, prompt_handled=True)
        return redirect_to_login(next_url, self.get_login_url(), self.get_redirect_field_name())

    def handle_prompt_create(self) -> HttpResponse | None:
        """prompt=create, signed out: the journey (a sign-up) starts here; back here
        without `create` once the account exists."""
        if not self.request.user.is_authenticated:
            rest = [p for p in self.request.GET.get("prompt", "").split() if p != "create"]
            query = [(k, v) for k, v in self.request.GET.items() if k != "prompt"]
            if rest:
                query.append(("prompt", " ".join(rest)))
            self._start_journey(f"{self.request.path}?{urlencode(query)}")
        return super().handle_prompt_create()

    def handle_no_permission(self) -> HttpResponse:
        """Signed out: the customer's journey starts here, with this request stored in
        it once (when it is valid; an invalid one is answered after sign-in, as before)."""
        if not self.request.user.is_authenticated:
            error = self._start_journey(self.request.get_full_path())
            if error is not None and "none" in self.request.GET.get("prompt", "").split():
                return self.error_response(error, None)  # prompt=none shows no page
        return super().handle_no_permission()

    def _start_journey(self, return_url: str, prompt_handled: bool = False) -> Any:
        try:
            scopes, credentials = self.validate_authorization_request(self.request)
        except OAuthToolkitError as error:
            return error
        params = {**self.request.GET.dict(), **credentials, "scope": " ".join(scopes)}
        authorize = {k: params[k] for k in interaction.KEPT if isinstance(params.get(k), str)}
        if prompt_handled:
            authorize["prompt"] = " ".join(
                p
                for p in authorize.get("prompt", "").split()
                if p not in ("login", "select_account")
            )
        authorize["return_url"] = return_url
        interaction.start(self.request, authorize)
        return None

    def _plain_error(self, description: str) -> HttpResponse:
        return render(
            self.request,
            "applications/authorize_error.html",
            {"error": "invalid_request", "description": description},
            status=400,
        )

    def _login_required(self) -> HttpResponse:
        self.request.user = AnonymousUser()
        return self.handle_no_permission()

    def get_login_url(self) -> str:
        url = resolve_url(super().get_login_url())
        hint = self.request.GET.get("login_hint")
        if hint:
            url = f"{url}{'&' if '?' in url else '?'}{urlencode({'login_hint': hint})}"
        return url

    def create_authorization_response(self, request, scopes, credentials, allow):  # type: ignore[override]
        credentials = {**credentials, "sid": services.session_id(request)}
        response = super().create_authorization_response(request, scopes, credentials, allow)
        if allow and request.method == "POST":
            # The user approved on the consent page: remember it.
            app = Application.objects.filter(client_id=credentials["client_id"]).first()
            if app is not None and not app.skip_authorization:
                services.record_consent(request.user, app, scopes.split())
        return response

    def redirect(self, redirect_to: str, application: Any) -> HttpResponse:
        if (
            self.request.GET.get("response_mode") == "form_post"
            or self.request.POST.get("response_mode") == "form_post"
        ):
            parts = urlsplit(redirect_to)
            action = parts._replace(query="").geturl()
            return render(
                self.request,
                "applications/form_post.html",
                {"action": action, "params": parse_qsl(parts.query)},
            )
        return super().redirect(redirect_to, application)

    def error_response(self, error, application, **kwargs):
        """Redirect errors to the app only when its redirect URI is trusted; otherwise an
        error page (RFC 6749 §4.1.2.1: never redirect to an unverified URI)."""
        redirect, error_response = OAuthLibMixin.error_response(self, error, **kwargs)
        if redirect:
            return self.redirect(error_response["url"], application)
        oauth_error = error_response["error"]
        return render(
            self.request,
            "applications/authorize_error.html",
            {"error": oauth_error.error, "description": oauth_error.description},
            status=oauth_error.status_code,
        )


@method_decorator(csrf_exempt, name="dispatch")
class TenantTokenView(OAuthLibMixin, View):
    """The token endpoint (RFC 6749 §3.2); errors in RFC 6749 §5.2 shape."""

    def _oauthlib_request(self, request: HttpRequest) -> OauthlibRequest:
        return oauthlib_request(self, request)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        grant_type = request.POST.get("grant_type")
        native = interaction.native_handler("token")
        try:
            if (
                native is not None
                and "continuation_token" in request.POST
                and grant_type in interaction.NATIVE_GRANT_TYPES
            ):
                return native(request)  # the native authentication API's grants
            if grant_type == "refresh_token":
                oauth_request = self._oauthlib_request(request)
                return basic_challenge(request, refresh.token_response(request, oauth_request))
            if grant_type == device.GRANT_TYPE:
                oauth_request = self._oauthlib_request(request)
                return basic_challenge(request, device_views.token_response(oauth_request))
            _url, headers, body, status = self.create_token_response(request)
        except token_claims.TokenIssuanceRefused as refused:
            # A custom authentication extension configured to fail issuance failed:
            # nothing was issued or saved (it runs before the first token is built).
            error = {"error": "access_denied", "error_description": refused.message}
            return _no_store(JsonResponse(error, status=400))
        response = HttpResponse(content=body, status=status, content_type="application/json")
        for key, value in headers.items():
            response[key] = value
        if "Access-Control-Allow-Origin" not in response:
            # oauthlib adds CORS to successful answers only; a SPA must read errors too
            from . import cors

            origin = cors.registered_origin(request)
            if origin:
                response["Access-Control-Allow-Origin"] = origin
                response["Vary"] = "Origin"
        return basic_challenge(request, response)


def oauthlib_request(view: OAuthLibMixin, request: HttpRequest) -> OauthlibRequest:
    core = view.get_oauthlib_core()
    uri, method, body, headers = core._extract_params(request)
    return OauthlibRequest(uri, method, body, headers)


def basic_challenge(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """RFC 6749 §5.2: a 401 invalid_client names the scheme clients authenticate with
    here (Basic); oauthlib would say Bearer."""
    if response.status_code == 401:
        realm = cast(TenantRequest, request).tenant_base_url
        response["WWW-Authenticate"] = f'Basic realm="{realm}", error="invalid_client"'
    return response


@method_decorator(csrf_exempt, name="dispatch")
class IntrospectView(OAuthLibMixin, View):
    """Token introspection (RFC 7662). The caller authenticates as a confidential client
    of this tenant; it learns about tokens issued to itself, or, for a web API, tokens
    carrying its scopes. Anything else -- other tenants' tokens included -- is inactive."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        native = interaction.native_handler("introspect")
        if native is not None and "continuation_token" in request.POST:
            return native(request)  # native authentication: which MFA methods are open
        core = self.get_oauthlib_core()
        uri, method, body, headers = core._extract_params(request)
        oauth_request = OauthlibRequest(uri, method, body, headers)
        validator = TenantOAuth2Validator()
        if not validator.authenticate_client(oauth_request):
            response = JsonResponse({"error": "invalid_client"}, status=401)
            return basic_challenge(request, response)
        caller = oauth_request.client
        token = request.POST.get("token", "")
        if not token:
            return JsonResponse(
                {"error": "invalid_request", "error_description": "token is required"}, status=400
            )
        return _no_store(JsonResponse(_introspect(token, caller, validator)))


def _introspect(token: str, caller: Any, validator: TenantOAuth2Validator) -> dict[str, Any]:
    inactive = {"active": False}
    access = validator._load_access_token(token)
    if access is not None and access.is_valid():
        if not _may_introspect(caller, access.application, access.scope):
            return inactive
        claims = tokens.verify(token) or {}
        data = {
            "active": True,
            "token_type": "Bearer",
            "scope": access.scope,
            "client_id": access.application.client_id if access.application else None,
            "exp": int(access.expires.timestamp()),
            "iat": claims.get("iat"),
            "sub": str(access.user_id) if access.user_id else claims.get("sub"),
            "aud": claims.get("aud"),
            "iss": claims.get("iss"),
            "jti": claims.get("jti"),
            "tid": tokens.tenant_id(),
        }
        if access.user_id:
            data["username"] = access.user.email
        return {k: v for k, v in data.items() if v is not None}
    checksum = hashlib.sha256(token.encode()).hexdigest()
    refresh = RefreshToken.objects.filter(token_checksum=checksum, revoked__isnull=True).first()
    if refresh is not None and refresh.application_id == caller.pk:
        lifetime = refresh.application.refresh_token_lifetime
        exp = int(refresh.created.timestamp()) + lifetime
        if exp > time.time():
            return {
                "active": True,
                "token_type": "refresh_token",
                "client_id": caller.client_id,
                "sub": str(refresh.user_id),
                "exp": exp,
                "tid": tokens.tenant_id(),
            }
    return inactive


def _may_introspect(caller: Any, issued_to: Any, scope: str) -> bool:
    if issued_to is not None and caller.pk == issued_to.pk:
        return True
    if caller.app_type == "api":
        prefix = scope_catalog.identifier_uri(caller) + "/"
        return any(s.startswith(prefix) for s in scope.split())
    return False


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


@method_decorator(csrf_exempt, name="dispatch")
class TenantRevokeView(RevokeTokenView):
    """Token revocation (RFC 7009)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return basic_challenge(request, super().post(request, *args, **kwargs))


@method_decorator(csrf_exempt, name="dispatch")
class TenantUserInfoView(UserInfoView):
    """The UserInfo endpoint (OIDC Core §5.3): bearer access token of this tenant; CORS
    and RFC 6750 errors in applications/cors.py."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from . import cors

        if request.method == "OPTIONS":
            return cors.preflight(request)
        sent = "HTTP_AUTHORIZATION" in request.META or "access_token" in request.POST
        return cors.userinfo(request, super().dispatch(request, *args, **kwargs), sent)


def _app_home(application: Any) -> str:
    """Where "Return to the app" leads after a sign-out without a post-logout URI: the
    origin of the app's first registered https (or loopback) redirect URI."""
    for uri in application.redirect_uris.split() if application is not None else []:
        parts = urlsplit(uri)
        loopback = parts.hostname in {"localhost", "127.0.0.1", "[::1]"}
        if parts.scheme == "https" or (parts.scheme == "http" and loopback):
            return f"{parts.scheme}://{parts.netloc}/"
    return ""


class TenantLogoutView(RPInitiatedLogoutView):
    """RP-initiated logout; post_logout_redirect_uri must be registered on the app."""

    template_name = "applications/logout_confirm.html"

    def validate_logout_request_user(self, id_token_hint, client_id):
        """The id_token_hint must be an ID token this tenant signed (expired ones too),
        for this client when one is named. ID tokens have no rows: an unsaved IDToken
        carries its app and user to DOT's logout."""
        if not id_token_hint:
            return None
        claims = (
            tokens.verify(id_token_hint, check_exp=False)
            if isinstance(id_token_hint, str)
            else None
        )
        audience = (claims or {}).get("aud")
        if claims is None or not isinstance(audience, str) or "\x00" in audience:
            raise InvalidIDTokenError()
        app = Application.objects.filter(client_id=audience).first()
        user = (
            User.objects.filter(pk=claims.get("sub")).first()
            if _is_uuid(claims.get("sub"))
            else None
        )
        if app is None or user is None:
            raise InvalidIDTokenError()
        if client_id and client_id != app.client_id:
            raise ClientIdMissmatch()
        return IDToken(application=app, user=user, jti=str(claims.get("jti", "")))

    def get_request_application(self, id_token, client_id):
        if client_id:
            app = (
                Application.objects.filter(client_id=client_id).first()
                if "\x00" not in client_id
                else None
            )
            if app is None:
                raise InvalidOIDCClientError()
            return app
        return id_token.application if id_token else None

    def do_logout(
        self, application=None, post_logout_redirect_uri=None, state=None, token_user=None
    ):
        # Before the session ends: which apps did it sign in to (Back-/Front-Channel
        # Logout 1.0)?
        sid = services.session_id(self.request)
        user = token_user or self.request.user
        sub = str(user.pk) if getattr(user, "is_authenticated", False) else ""
        issuer = self.request.tenant_base_url  # type: ignore[attr-defined]
        apps = logout_channels.apps_of_session(sid) if sub else []
        response = super().do_logout(application, post_logout_redirect_uri, state, token_user)
        logout_channels.notify_session_ended(apps, issuer, sub, sid)
        frames = logout_channels.front_channel_urls(apps, issuer, sid)
        if not post_logout_redirect_uri:
            return render(
                self.request,
                "applications/signed_out.html",
                {
                    "frames": frames,
                    "application": application,
                    "return_url": _app_home(application),
                },
            )
        if frames:
            return render(
                self.request,
                "applications/signed_out.html",
                {"frames": frames, "continue_to": response["Location"]},
            )
        return response
