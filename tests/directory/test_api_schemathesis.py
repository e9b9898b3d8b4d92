"""Property-based testing of the management API against its own OpenAPI document
(Schemathesis): no generated request, valid or not, may make the server fail (5xx).

Operations are driven one by one with Hypothesis (schemathesis's lazy pytest fixture
does not work with pytest 9), against the app in-process over WSGI."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from .conftest import issue_token

EXAMPLES_PER_OPERATION = 8


@pytest.fixture
def in_process_requests():
    # Keep the test transaction's connection open across in-process requests, as
    # Django's test client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_api_never_answers_with_a_server_error(tenant, make_customer, in_process_requests):
    # given a tenant with a user, a group, and a token holding every permission
    from directory import services_groups

    user = make_customer("seed@example.com")
    with tenant.context():
        services_groups.create_group(display_name="Seed", actor="t", member_ids=[user.pk])
    headers = {"Authorization": f"Bearer {issue_token(tenant)}"}
    schema = schemathesis.openapi.from_wsgi(tenant.url("/api/v1/openapi.json"), in_process_requests)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    failures: list[str] = []

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case) -> None:
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        try:
            run()
        except Exception as exc:  # collect every failing operation, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    # then
    assert not failures, "\n\n".join(failures)
