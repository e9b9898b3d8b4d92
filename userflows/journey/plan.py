"""The plan of a journey: an ordered list of {"step": name, "settings": {...}}, built from
the flow's data when the journey starts. JSON, never pickled. Later policy (Conditional
Access, risk) inserts steps with insert_step()."""

from __future__ import annotations

from typing import Any

from .store import Journey


def _entry(step: str, **settings: Any) -> dict[str, Any]:
    return {"step": step, "settings": settings}


def build(kind: str, flow: Any) -> list[dict[str, Any]]:
    if kind == "signup":
        plan = [_entry("email"), _entry("verify_email")]
        if flow.password_enabled:
            plan.append(_entry("new_password"))
        if flow.attributes.exists():
            plan.append(_entry("attributes"))
        plan.append(_entry("create_account"))
        return plan
    if kind == "signin":
        return [
            _entry("identify"),
            _entry(
                "primary",
                password=flow.password_enabled,
                email_code=flow.email_code_enabled,
            ),
            _entry("mfa", policy=flow.mfa_policy),
        ]
    if kind == "reset":
        return [_entry("identify", purpose="reset"), _entry("reset_code"), _entry("reset_password")]
    if kind == "profile":
        return [_entry("attributes", only_missing=True)]
    raise ValueError(f"unknown journey kind {kind!r}")


def insert_step(journey: Journey, after: str | None, step_name: str, settings: dict) -> None:
    """Insert `step_name` right after the step named `after` (at the start when None, at
    the end when `after` is not in the plan). Conditional Access uses this to add MFA or a
    block step. The caller saves the journey."""
    entry = _entry(step_name, **dict(settings or {}))
    if after is None:
        journey.plan.insert(0, entry)
        return
    for index, item in enumerate(journey.plan):
        if item["step"] == after:
            journey.plan.insert(index + 1, entry)
            return
    journey.plan.append(entry)
