"""Finding 7: bad input that answered 500 (or was silently cut, or let an admin account
into a SCIM group) is a 4xx in the protocol's error shape; CSV exports cannot carry
spreadsheet formulas."""

from __future__ import annotations

import csv
import io

import pytest

from tests.security.live import (  # noqa: F401
    SCIM_GROUP,
    SCIM_PATCH,
    SCIM_USER,
    assert_api_error,
    assert_scim_error,
    committed,
    live_api,
    live_scim,
)

DEEP = "[" * 20000 + "]" * 20000


@pytest.mark.parametrize(
    "params",
    [
        {"filter": 'userName eq "a\x00b"'},
        {"filter": 'meta.lastModified gt "notadate"'},
        {"startIndex": "99999999999999999999"},
        {"count": "99999999999999999999"},
        {"attributes": "userName\x00"},
    ],
)
def test_scim_list_parameters(live_scim, params):  # noqa: F811
    response = live_scim.get("/Users", params)
    expected = "invalidFilter" if "filter" in params else "invalidValue"
    assert_scim_error(response, 400, expected)


def test_scim_search_with_nul_in_the_filter(live_scim):  # noqa: F811
    response = live_scim.send(
        "POST",
        "/Users/.search",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": 'userName eq "\x00"',
        },
    )
    assert_scim_error(response, 400, "invalidValue")


@pytest.mark.parametrize(
    "body",
    [
        {"schemas": [SCIM_USER], "userName": "nul\x00@example.com"},
        {"schemas": [SCIM_USER], "userName": "ok@example.com", "displayName": "A\x00B"},
    ],
)
def test_scim_create_with_nul(live_scim, body):  # noqa: F811
    assert_scim_error(live_scim.send("POST", "/Users", body), 400, "invalidValue")


def test_scim_patch_with_nul(live_scim):  # noqa: F811
    made = live_scim.send("POST", "/Users", {"schemas": [SCIM_USER], "userName": "p@example.com"})
    assert made.status_code == 201, made.text
    patch = {
        "schemas": [SCIM_PATCH],
        "Operations": [{"op": "replace", "path": "displayName", "value": "x\x00"}],
    }
    response = live_scim.send("PATCH", f"/Users/{made.json()['id']}", patch)
    assert_scim_error(response, 400, "invalidValue")


def test_deep_json_bodies(live_scim, live_api):  # noqa: F811
    assert_scim_error(live_scim.send("POST", "/Users", data=DEEP), 400, "invalidSyntax")
    deep_object = '{"email": ' * 20000 + "1" + "}" * 20000
    assert_scim_error(live_scim.send("POST", "/Users", data=deep_object), 400, "invalidSyntax")
    assert_api_error(live_api.request("POST", "/users/", data=DEEP), 400, "invalid_request")
    assert_api_error(live_api.request("POST", "/users/", data=deep_object), 400, "invalid_request")


def test_api_nul_in_custom_attribute_keys_and_values(live_api):  # noqa: F811
    for attributes in ({"k\x00": "v"}, {"k": "v\x00"}):
        body = {"email": "attr@example.com", "custom_attributes": attributes}
        assert_api_error(live_api.request("POST", "/users/", body), 400, "invalid_request")
    assert_api_error(
        live_api.request("GET", "/users/", params={"search": "a\x00"}), 400, "invalid_request"
    )


@pytest.mark.parametrize("field", ["displayName", "externalId"])
def test_scim_overlong_values_are_refused_not_cut(live_scim, field):  # noqa: F811
    user = {"schemas": [SCIM_USER], "userName": f"long-{field}@example.com", field: "x" * 300}
    assert_scim_error(live_scim.send("POST", "/Users", user), 400, "invalidValue")
    name = "x" * 300 if field == "displayName" else "Long"
    group = {"schemas": [SCIM_GROUP], "displayName": name}
    if field == "externalId":
        group["externalId"] = "x" * 300
    assert_scim_error(live_scim.send("POST", "/Groups", group), 400, "invalidValue")


def test_scim_group_members_are_customers_only(live_scim, committed):  # noqa: F811
    from directory import services
    from directory.models import User

    def admin_id():
        return str(User.objects.filter(kind=User.Kind.ADMIN).values_list("pk", flat=True)[0])

    admin = committed(admin_id)
    body = {"schemas": [SCIM_GROUP], "displayName": "Sneaky", "members": [{"value": admin}]}
    assert_scim_error(live_scim.send("POST", "/Groups", body), 400, "invalidValue")
    made = live_scim.send("POST", "/Groups", {"schemas": [SCIM_GROUP], "displayName": "Later"})
    assert made.status_code == 201, made.text
    patch = {
        "schemas": [SCIM_PATCH],
        "Operations": [{"op": "add", "path": "members", "value": [{"value": admin}]}],
    }
    response = live_scim.send("PATCH", f"/Groups/{made.json()['id']}", patch)
    assert_scim_error(response, 400, "invalidValue")
    assert services  # the admin account exists in the tenant (created at provisioning)


@pytest.mark.django_db
def test_csv_export_cannot_carry_formulas(tenant, admin_client):
    from directory import services_users

    with tenant.context():
        for i, value in enumerate(['=HYPERLINK("http://evil")', "+1", "-2", "@SUM(A1)"]):
            services_users.create_customer(
                email=f"f{i}@example.com",
                password=None,
                actor="tests",
                profile={"display_name": value},
            )
    response = admin_client.get(tenant.url("/admin/users/export/"), {"format": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    names = {r["display_name"] for r in rows if r["email"].startswith("f")}
    assert names == {'\'=HYPERLINK("http://evil")', "'+1", "'-2", "'@SUM(A1)"}
    # (profile values are stored trimmed; tabs and CRs are covered at the cell level)
    from directory.services_import import csv_cell

    assert [csv_cell(v) for v in ("\tx", "\rx", "ok", 5)] == ["'\tx", "'\rx", "ok", 5]
