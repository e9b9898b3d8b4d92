"""Celery tasks of insights (tenant tasks; beat sends them to every tenant through
`tenants.for_each_tenant`)."""

from __future__ import annotations

from ciam.celery import app

from . import rollup


@app.task(name="insights.roll_up")
def roll_up_task() -> dict[str, int]:
    """Roll up pending events and copy the Redis token counters."""
    return {"events": rollup.roll_up_pending(), "token_counters": rollup.drain_token_counters()}


@app.task(name="insights.purge_events")
def purge_events_task() -> int:
    return rollup.purge_old_events()
