"""Celery tasks carry their tenant's schema, and refuse to run without one."""

import pytest
from django.db import connection

from ciam.celery import PublicSchemaRefused, app


@app.task(name="tests.which_schema")
def which_schema() -> str:
    return connection.schema_name


def test_task_sent_from_a_tenant_runs_in_that_tenant(tenant):
    with tenant.context():
        result = which_schema.delay()
    assert result.get() == tenant.schema


def test_task_sent_from_the_public_schema_refuses_to_run(tenant):
    connection.set_schema_to_public()
    with pytest.raises(PublicSchemaRefused):
        which_schema.delay()


def test_schema_travels_in_the_headers(tenant):
    from tenant_schemas_celery.task import headers_with_schema

    with tenant.context():
        assert headers_with_schema({})["_schema_name"] == tenant.schema
