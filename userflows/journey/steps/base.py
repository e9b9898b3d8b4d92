"""What a step is: challenge(journey) says what to ask, submit(journey, data) answers with
an Outcome. Steps know nothing of HTML or JSON; the adapters render a Challenge as a form
or as a native-auth answer, and an Outcome as a redirect, a page or a JSON error."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db import transaction

from insights.services import record_event

from ..store import Journey


@dataclass
class Field:
    name: str
    type: str = "text"  # email | code | password | text | checkbox | radio | ...
    label: Any = ""
    required: bool = True
    choices: list[str] = field(default_factory=list)
    link_url: str = ""


@dataclass
class Challenge:
    step: str
    title: Any = ""
    submit_label: Any = ""
    fields: list[Field] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)  # e.g. ["password", "email_code"]
    errors: dict[str, list[str]] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)  # code_length, target label, ...
    initial: dict[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    """kind: "next" (step done), "invalid" (field errors; `code` names the error for the
    native API), "redirect" (to a federated provider or the browser), "block" (the
    journey ends with `message`)."""

    kind: str
    errors: dict[str, list[str]] = field(default_factory=dict)
    code: str = ""  # machine-readable reason (invalid_oob_value, password_too_weak, ...)
    url: str = ""
    title: str = ""
    message: str = ""

    @classmethod
    def next(cls) -> Outcome:
        return cls("next")

    @classmethod
    def invalid(cls, errors: dict[str, Any], code: str = "") -> Outcome:
        flat = {
            k: [str(m) for m in (v if isinstance(v, list | tuple) else [v])]
            for k, v in errors.items()
        }
        return cls("invalid", errors=flat, code=code)

    @classmethod
    def redirect(cls, url: str = "", code: str = "") -> Outcome:
        return cls("redirect", url=url, code=code)

    @classmethod
    def block(cls, message: str, title: str = "", code: str = "") -> Outcome:
        return cls("block", message=str(message), title=str(title), code=code)

    @property
    def ok(self) -> bool:
        return self.kind == "next"


class Step:
    name: ClassVar[str] = ""
    # An automatic step has nothing to ask: the engine submits it as soon as it is reached.
    automatic: ClassVar[bool] = False

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        self.settings = settings or {}

    def satisfied(self, journey: Journey) -> bool:
        """True when there is nothing left to do here (the engine skips the step)."""
        return False

    def challenge(self, journey: Journey) -> Challenge:
        raise NotImplementedError

    def submit(self, journey: Journey, data: dict[str, Any]) -> Outcome:
        raise NotImplementedError


def event(journey: Journey, kind: str, *, user_id: Any = None, **data: Any) -> None:
    """Write an outbox event for this journey (inside the caller's transaction when there
    is one, so that the event exists exactly when the step's effect does)."""
    with transaction.atomic():
        record_event(
            kind,
            request=journey.request,
            user_id=user_id if user_id is not None else journey.user_id,
            client_id=journey.client_id,
            flow_id=journey.flow_id or None,
            data=data,
        )


def flow_of(journey: Journey) -> Any:
    from ...models import UserFlow
    from ...services import get_default_flow

    cache = journey.__dict__.setdefault("_cache", {})
    if "flow" not in cache:
        flow = UserFlow.objects.filter(pk=journey.flow_id).first() if journey.flow_id else None
        cache["flow"] = flow or get_default_flow()
    return cache["flow"]


def extension_context(journey: Journey) -> Any:

    from applications import tokens

    from ... import extension_points

    request = journey.request
    issuer = getattr(request, "tenant_base_url", "") if request is not None else ""
    return extension_points.JourneyContext(
        tenant_id=tokens.tenant_id(),
        issuer=issuer,
        journey_id=journey.id,
        flow_id=journey.flow_id or None,
        client_id=journey.client_id,
        client_type="native" if journey.client_type == "native" else "browser",
        email=str(journey.values.get("email") or ""),
        user_id=journey.user_id,
        ui_locale=(journey.ui_locales or [""])[0],
        client_ip=journey.client_ip,
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:512],
        attributes=dict(journey.values.get("attributes") or {}),
        risk_level=journey.risk,
    )
