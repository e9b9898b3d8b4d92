"""Which user flow applies to a request, and what the authorize request asked for.

The app sends the customer to /oauth2/v2.0/authorize; when sign-in is needed the customer
lands on /account/login/?next=<authorize URL>. The client_id, prompt, login_hint and
ui_locales inside that `next` pick the flow and shape the pages. The result is kept in the
session (JSON only) so that later steps (code pages, sign-up steps) see the same flow."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

SESSION_KEY = "userflow_ctx"


@dataclass
class FlowContext:
    flow_id: str | None = None
    client_id: str = ""
    next_url: str = ""
    prompt: str = ""
    login_hint: str = ""
    ui_locales: list[str] = field(default_factory=list)


def parse_authorize_next(next_url: str) -> dict[str, str]:
    """Query parameters of an authorize URL carried in `next` (empty for other URLs)."""
    if not next_url:
        return {}
    parts = urlsplit(next_url)
    if parts.scheme or parts.netloc:  # only same-site relative URLs are honoured
        return {}
    if not parts.path.rstrip("/").endswith("/oauth2/v2.0/authorize"):
        return {}
    return {k: v[0] for k, v in parse_qs(parts.query).items() if v}


def _request_next(request: HttpRequest) -> str | None:
    value = request.POST.get("next") if request.method == "POST" else None
    return value or request.GET.get("next")


def get_context(request: HttpRequest) -> FlowContext:
    """The flow context of this request: from `next` when it carries one, else the one
    remembered in the session, else the tenant's default flow."""
    from . import services

    cached = getattr(request, "_userflow_ctx", None)
    if cached is not None:
        return cached
    ctx = _resolve_context(request, services)
    request._userflow_ctx = ctx  # type: ignore[attr-defined]
    return ctx


def is_own_url(request: HttpRequest, url: str) -> bool:
    """True for a URL on this site *and* inside this tenant: on the shared host a tenant
    is a path (/t/<name>/), so a `next` into another tenant's pages is refused too."""
    if not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return False
    prefix = getattr(request, "tenant_path_prefix", "") or ""
    if not prefix:
        return True
    path = unquote(urlsplit(url).path)
    # normalise dot segments, as the browser will, before comparing
    segments: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment not in (".",):
            segments.append(segment)
    return "/".join(segments).startswith(prefix + "/")


def _resolve_context(request: HttpRequest, services: Any) -> FlowContext:
    next_url = _request_next(request)
    if next_url and not is_own_url(request, next_url):
        next_url = ""  # never send a customer to another site or another tenant
    stored = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if next_url is None and stored:
        return FlowContext(**stored)
    if next_url is not None and stored and stored.get("next_url") == next_url:
        return FlowContext(**stored)
    params = parse_authorize_next(next_url or "")
    client_id = params.get("client_id", "")
    flow = services.flow_for_client(client_id) if client_id else None
    if flow is None:
        flow = services.get_default_flow()
    request._userflow = flow  # type: ignore[attr-defined]
    ctx = FlowContext(
        flow_id=str(flow.pk),
        client_id=client_id,
        next_url=next_url or "",
        prompt=params.get("prompt", ""),
        login_hint=params.get("login_hint", ""),
        ui_locales=params.get("ui_locales", "").split(),
    )
    remember(request, ctx)
    return ctx


def remember(request: HttpRequest, ctx: FlowContext) -> None:
    """Keep the flow context in the session (JSON) for the later steps."""
    request._userflow_ctx = ctx  # type: ignore[attr-defined]
    if hasattr(request, "session") and request.session.get(SESSION_KEY) != asdict(ctx):
        request.session[SESSION_KEY] = asdict(ctx)


def get_flow(request: HttpRequest):
    """The UserFlow row for this request (cached on the request)."""
    from .models import UserFlow

    cached = getattr(request, "_userflow", None)
    if cached is not None:
        return cached
    ctx = get_context(request)
    flow = UserFlow.objects.filter(pk=ctx.flow_id).first() if ctx.flow_id else None
    if flow is None:
        from . import services

        flow = services.get_default_flow()
    request._userflow = flow  # type: ignore[attr-defined]
    return flow
