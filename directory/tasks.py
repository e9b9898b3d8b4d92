"""Celery tasks of the directory (tenant tasks: the schema travels in the headers)."""

from __future__ import annotations

from ciam.celery import app


@app.task(name="directory.run_import_job")
def run_import_job(job_id: str) -> str:
    """Run a bulk user import job by its primary key."""
    from .services_import import run_job

    return run_job(job_id).status
