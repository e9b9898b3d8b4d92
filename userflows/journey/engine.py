"""Runs a journey's plan: the current step, submitting to it, advancing past satisfied and
automatic steps. Adapters call start(), current(), submit() and save."""

from __future__ import annotations

from typing import Any

from . import plan as plan_module
from . import store
from .steps import STEPS, Outcome, Step
from .store import Journey


def start(
    kind: str,
    flow: Any,
    *,
    request: Any = None,
    client_id: str = "",
    client_type: str = "browser",
    authorize: dict[str, Any] | None = None,
) -> Journey:
    return store.create(
        kind,
        str(flow.pk),
        client_id=client_id,
        client_type=client_type,
        authorize=authorize,
        plan=plan_module.build(kind, flow),
        request=request,
    )


def step_of(entry: dict[str, Any]) -> Step:
    return STEPS[entry["step"]](entry.get("settings") or {})


def current(journey: Journey) -> Step | None:
    """The first planned step not done and not satisfied; None when the plan is done."""
    for entry in journey.plan:
        if entry["step"] in journey.done:
            continue
        step = step_of(entry)
        if step.satisfied(journey):
            journey.done.append(entry["step"])  # passed for good (the caller saves)
            continue
        return step
    return None


def submit(journey: Journey, data: dict[str, Any], *, expect: str | None = None) -> Outcome:
    """Submit `data` to the current step (which must be `expect` when given), then run the
    automatic steps that follow. Saves the journey."""
    step = current(journey)
    if step is None or (expect is not None and step.name != expect):
        return Outcome.invalid({"__all__": "This step is not expected now."}, code="wrong_step")
    outcome = step.submit(journey, data)
    if outcome.ok:
        journey.done.append(step.name)
        outcome = advance(journey)
    store.save(journey)
    return outcome


def advance(journey: Journey) -> Outcome:
    """Run automatic steps until one asks something or the plan ends."""
    while True:
        step = current(journey)
        if step is None:
            journey.finished = True
            return Outcome.next()
        if not step.automatic:
            return Outcome.next()
        outcome = step.submit(journey, {})
        if not outcome.ok:
            return outcome
        journey.done.append(step.name)


def skip_to(journey: Journey, name: str) -> None:
    """Mark every step before `name` done (a native client that already proved them)."""
    for entry in journey.plan:
        if entry["step"] == name:
            return
        if entry["step"] not in journey.done:
            journey.done.append(entry["step"])
