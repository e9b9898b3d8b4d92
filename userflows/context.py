"""Which user flow applies to a request, and what the authorize request asked for.

/oauth2/v2.0/authorize validates the app's request once and stores it in a journey
(userflows.journey.store) whose opaque id the browser's session holds. The pages read the
flow, client, prompt, login_hint and ui_locales from that journey; a `next` parameter is
only ever a same-site address to return to, never parsed for parameters."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from .journey import store


@dataclass
class FlowContext:
    flow_id: str | None = None
    client_id: str = ""
    next_url: str = ""
    prompt: str = ""
    login_hint: str = ""
    ui_locales: list[str] = field(default_factory=list)


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


def _request_next(request: HttpRequest) -> str:
    value = request.POST.get("next") if request.method == "POST" else None
    value = value or request.GET.get("next") or ""
    parts_ok = value.startswith("/") and not value.startswith("//") and "\x00" not in value
    if value and (not parts_ok or not is_own_url(request, value)):
        return ""  # never send a customer to another site or another tenant
    return value


def get_context(request: HttpRequest) -> FlowContext:
    """The flow context of this request: from the browser's journey when it has one,
    else the tenant's default flow."""
    cached = getattr(request, "_userflow_ctx", None)
    if cached is not None:
        return cached
    next_url = _request_next(request)
    journey = store.of_session(request)
    if journey is not None:
        ctx = FlowContext(
            flow_id=journey.flow_id,
            client_id=journey.client_id,
            next_url=next_url or str(journey.authorize.get("return_url") or ""),
            prompt=journey.prompt,
            login_hint=journey.login_hint,
            ui_locales=journey.ui_locales,
        )
    else:
        from . import services

        flow = services.get_default_flow()
        request._userflow = flow  # type: ignore[attr-defined]
        ctx = FlowContext(flow_id=str(flow.pk), next_url=next_url)
    request._userflow_ctx = ctx  # type: ignore[attr-defined]
    return ctx


def consume_prompt(request: HttpRequest) -> None:
    """The page has acted on the journey's prompt (login, create): do not act again."""
    journey = store.of_session(request)
    if journey is not None and journey.authorize.get("prompt"):
        journey.authorize["prompt"] = ""
        store.save(journey)
    ctx = getattr(request, "_userflow_ctx", None)
    if ctx is not None:
        ctx.prompt = ""


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
