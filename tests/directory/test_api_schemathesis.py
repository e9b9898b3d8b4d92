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


# --- SCIM: no OpenAPI document, so Hypothesis generates the filters and bodies ---------

from hypothesis import strategies as st  # noqa: E402

SCIM_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
SCIM_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ATTRIBUTES = st.sampled_from(
    [
        "userName",
        "displayName",
        "emails.value",
        'emails[type eq "work"].value',
        "name.givenName",
        "externalId",
        "meta.lastModified",
        "meta.created",
        "id",
        "active",
        "members.value",
        "title",
        "nope",
    ]
)
VALUES = st.one_of(
    st.text(max_size=30).map(lambda s: '"' + s.replace('"', "") + '"'),
    st.integers().map(str),
    st.sampled_from(["true", "false", "null", '"2024-01-01T00:00:00Z"', '"notadate"']),
)
COMPARISON = st.builds(
    lambda a, op, v: f"{a} {op} {v}",
    ATTRIBUTES,
    st.sampled_from(["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr", "xx"]),
    VALUES,
)
FILTERS = st.one_of(
    COMPARISON,
    st.builds(
        lambda a, j, b: f"{a} {j} {b}", COMPARISON, st.sampled_from(["and", "or"]), COMPARISON
    ),
    st.builds(lambda a: f"not ({a})", COMPARISON),
    st.text(max_size=40),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=10,
)
USER_BODIES = st.fixed_dictionaries(
    {"schemas": st.just([SCIM_USER])},
    optional={
        "userName": st.one_of(st.emails(), st.text(max_size=300)),
        "displayName": st.text(max_size=300),
        "externalId": st.text(max_size=300),
        "emails": st.lists(st.fixed_dictionaries({"value": st.text(max_size=40)}), max_size=2),
        "name": st.dictionaries(st.sampled_from(["givenName", "familyName"]), JSON_VALUES),
        "active": JSON_VALUES,
        "extra": JSON_VALUES,
    },
)
PATCH_BODIES = st.fixed_dictionaries(
    {
        "schemas": st.just([PATCH_OP]),
        "Operations": st.lists(
            st.fixed_dictionaries(
                {"op": st.sampled_from(["add", "replace", "remove", "bad"])},
                optional={
                    "path": st.one_of(ATTRIBUTES, st.text(max_size=20)),
                    "value": JSON_VALUES,
                },
            ),
            max_size=3,
        ),
    }
)


@pytest.mark.django_db
def test_scim_never_answers_with_a_server_error(tenant, make_customer):
    # given a tenant with a customer, a group and a SCIM token
    from django.test import Client

    from directory import services_access, services_groups

    user = make_customer("scim-seed@example.com")
    with tenant.context():
        group = services_groups.create_group(display_name="Seed", actor="t", member_ids=[user.pk])
        _, token = services_access.create_scim_token(name="fuzz", actor="tests")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    base = tenant.url("/scim/v2")
    failures: list[str] = []

    def check(response, what):
        if response.status_code >= 500:
            failures.append(f"{what} -> {response.status_code}")

    fuzz = settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )

    @fuzz
    @given(
        resource=st.sampled_from(["/Users", "/Groups"]),
        params=st.fixed_dictionaries(
            {"filter": FILTERS},
            optional={
                "startIndex": st.one_of(st.integers().map(str), st.text(max_size=5)),
                "count": st.one_of(st.integers().map(str), st.text(max_size=5)),
                "sortBy": ATTRIBUTES,
                "attributes": st.one_of(ATTRIBUTES, st.text(max_size=10)),
            },
        ),
    )
    def lists(resource, params):
        check(client.get(base + resource, params), f"GET {resource} {params!r}")
        body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], **params}
        check(
            client.post(base + resource + "/.search", body, content_type="application/scim+json"),
            f"POST {resource}/.search {body!r}",
        )

    @fuzz
    @given(body=USER_BODIES, patch=PATCH_BODIES)
    def writes(body, patch):
        check(
            client.post(base + "/Users", body, content_type="application/scim+json"),
            f"POST /Users {body!r}",
        )
        for path in (f"/Users/{user.pk}", f"/Groups/{group.pk}"):
            check(
                client.patch(base + path, patch, content_type="application/scim+json"),
                f"PATCH {path} {patch!r}",
            )

    # when
    lists()
    writes()
    # then
    assert not failures, "\n".join(failures[:20])
