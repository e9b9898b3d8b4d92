"""SCIM 2.0 endpoint: authentication, errors in the RFC 7644 shape, filters, projection,
pagination, PATCH paths and value filters, and tenant isolation."""

from __future__ import annotations

import pytest
from django.test import Client

from directory import services_access
from directory.models import AuditEvent, Group, User

pytestmark = pytest.mark.django_db
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


class Scim:
    def __init__(self, info, token):
        self.info = info
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def url(self, path):
        return self.info.url("/scim/v2" + path)

    def get(self, path, params=None, **kw):
        return self.client.get(self.url(path), params, **kw)

    def send(self, method, path, body, **kw):
        return getattr(self.client, method)(
            self.url(path), body, content_type="application/scim+json", **kw
        )


@pytest.fixture
def scim(tenant):
    with tenant.context():
        _, token = services_access.create_scim_token(name="hr", actor="tests")
    return Scim(tenant, token)


def create_user(scim, user_name="bjensen@example.com", **extra):
    body = {"schemas": [USER], "userName": user_name, **extra}
    response = scim.send("post", "/Users", body)
    assert response.status_code == 201, response.content
    return response.json()


def test_missing_or_revoked_token_is_401_in_scim_shape(tenant, scim):
    response = Client().get(tenant.url("/scim/v2/Users"))
    assert response.status_code == 401
    assert response.json()["schemas"] == [ERROR] and response.json()["status"] == "401"
    with tenant.context():
        from directory.models import ScimToken

        services_access.revoke_scim_token(token=ScimToken.objects.get(), actor="tests")
    assert scim.get("/Users").status_code == 401


def test_token_of_another_tenant_is_401(other_tenant, tenant):
    with other_tenant.context():
        _, token = services_access.create_scim_token(name="x", actor="tests")
    assert Scim(tenant, token).get("/Users").status_code == 401


def test_token_is_stored_hashed(tenant, scim):
    from ciam.crypto import keyed_hash
    from directory.models import ScimToken

    token = scim.client.defaults["HTTP_AUTHORIZATION"].split()[1]
    with tenant.context():
        row = ScimToken.objects.get()
    assert row.token_hash == keyed_hash(token) and token not in row.token_hash


def test_create_user_with_enterprise_extension_and_read_back(scim, tenant):
    created = create_user(
        scim,
        name={"givenName": "Barbara", "familyName": "Jensen"},
        title="Engineer",
        nickName="Babs",
        addresses=[{"type": "work", "locality": "Oslo", "country": "NO"}],
        **{ENTERPRISE: {"employeeNumber": "701984", "department": "R&D"}},
    )
    assert created["meta"]["resourceType"] == "User"
    fetched = scim.get(f"/Users/{created['id']}")
    assert fetched.status_code == 200 and fetched["ETag"]
    body = fetched.json()
    assert body[ENTERPRISE]["employeeNumber"] == "701984" and body["nickName"] == "Babs"
    with tenant.context():
        user = User.objects.get(pk=created["id"])
        assert (user.email, user.given_name, user.city, user.job_title) == (
            "bjensen@example.com",
            "Barbara",
            "Oslo",
            "Engineer",
        )
        assert AuditEvent.objects.filter(action="user.create", actor="scim:hr").exists()


def test_duplicate_user_name_is_409_uniqueness(scim):
    create_user(scim)
    response = scim.send("post", "/Users", {"schemas": [USER], "userName": "BJensen@example.com"})
    assert response.status_code == 409 and response.json()["scimType"] == "uniqueness"


def test_invalid_payloads_are_400_with_scim_type(scim):
    missing = scim.send("post", "/Users", {"schemas": [USER]})
    assert missing.status_code == 400 and missing.json()["schemas"] == [ERROR]
    assert "scimType" in missing.json()
    broken = scim.client.post(scim.url("/Users"), "{not json", content_type="application/scim+json")
    assert broken.status_code == 400 and broken.json()["scimType"] == "invalidSyntax"


def test_filters_and_logical_operators(scim):
    create_user(scim, "alice@example.com", name={"givenName": "Alice", "familyName": "A"})
    create_user(scim, "bob@example.com", name={"givenName": "Bob", "familyName": "B"}, active=False)
    create_user(scim, "carol@other.org", name={"givenName": "Carol", "familyName": "C"})

    def names(expr):
        response = scim.get("/Users", {"filter": expr})
        assert response.status_code == 200, response.content
        return sorted(r["userName"] for r in response.json()["Resources"])

    assert names('userName eq "ALICE@example.com"') == ["alice@example.com"]
    assert names('userName ne "alice@example.com"') == ["bob@example.com", "carol@other.org"]
    assert names('userName co "other"') == ["carol@other.org"]
    assert names('userName sw "b"') == ["bob@example.com"]
    assert names('userName ew "example.com"') == ["alice@example.com", "bob@example.com"]
    assert names("name.givenName pr") == ["alice@example.com", "bob@example.com", "carol@other.org"]
    assert names('userName gt "b"') == ["bob@example.com", "carol@other.org"]
    assert names('userName ge "bob@example.com"') == ["bob@example.com", "carol@other.org"]
    assert names('userName lt "b"') == ["alice@example.com"]
    assert names('userName le "bob@example.com"') == ["alice@example.com", "bob@example.com"]
    assert names("active eq false") == ["bob@example.com"]
    assert names('(userName sw "a" or userName sw "c") and not (name.givenName eq "carol")') == [
        "alice@example.com"
    ]
    assert names('emails[value co "other"]') == ["carol@other.org"]


def test_bad_filter_is_400_invalid_filter(scim):
    for expr in ("userName eq", 'shoeSize eq "9"', "((("):
        response = scim.get("/Users", {"filter": expr})
        assert response.status_code == 400 and response.json()["scimType"] == "invalidFilter"


def test_projection_sorting_and_pagination(scim):
    for i in range(5):
        create_user(scim, f"u{i}@example.com", displayName=f"User {4 - i}")
    page = scim.get(
        "/Users",
        {
            "sortBy": "displayName",
            "sortOrder": "descending",
            "startIndex": 2,
            "count": 2,
            "attributes": "userName",
        },
    ).json()
    assert page["totalResults"] == 5 and page["startIndex"] == 2 and page["itemsPerPage"] == 2
    assert [r["userName"] for r in page["Resources"]] == ["u1@example.com", "u2@example.com"]
    assert set(page["Resources"][0]) == {"schemas", "id", "userName"}
    excluded = scim.get("/Users", {"excludedAttributes": "emails,meta"}).json()["Resources"][0]
    assert "emails" not in excluded and "userName" in excluded
    assert scim.get("/Users", {"sortBy": "shoeSize"}).status_code == 400
    search = scim.send(
        "post", "/Users/.search", {"filter": 'userName sw "u1"', "attributes": ["userName"]}
    )
    assert [r["userName"] for r in search.json()["Resources"]] == ["u1@example.com"]


def test_patch_with_paths_and_value_filters(scim, tenant):
    user = create_user(
        scim,
        emails=[
            {"value": "bjensen@example.com", "type": "work", "primary": True},
            {"value": "babs@home.example", "type": "home"},
        ],
    )
    body = {
        "schemas": [PATCH],
        "Operations": [
            {"op": "replace", "path": "name.givenName", "value": "Babs"},
            {"op": "add", "path": "nickName", "value": "BJ"},
            {"op": "replace", "path": 'emails[type eq "home"].value', "value": "b@home.example"},
            {"op": "remove", "path": 'emails[type eq "work"]'},
            {"op": "replace", "value": {"active": False}},
        ],
    }
    response = scim.send("patch", f"/Users/{user['id']}", body)
    assert response.status_code == 200, response.content
    patched = response.json()
    assert patched["name"]["givenName"] == "Babs" and patched["nickName"] == "BJ"
    assert [e["value"] for e in patched["emails"]] == ["b@home.example"]
    assert patched["active"] is False
    with tenant.context():
        assert not User.objects.get(pk=user["id"]).is_active
    bad = scim.send(
        "patch", f"/Users/{user['id']}", {"schemas": [PATCH], "Operations": [{"op": "jump"}]}
    )
    assert bad.status_code == 400 and bad.json()["schemas"] == [ERROR]


def test_put_replaces_and_stale_etag_is_412(scim):
    user = create_user(scim, nickName="Old")
    etag = scim.get(f"/Users/{user['id']}")["ETag"]
    replaced = scim.send(
        "put",
        f"/Users/{user['id']}",
        {"schemas": [USER], "userName": "bjensen@example.com"},
        HTTP_IF_MATCH=etag,
    )
    assert replaced.status_code == 200 and "nickName" not in replaced.json()
    stale = scim.send(
        "put",
        f"/Users/{user['id']}",
        {"schemas": [USER], "userName": "bjensen@example.com"},
        HTTP_IF_MATCH=etag,
    )
    assert stale.status_code == 412 and stale.json()["status"] == "412"


def test_delete_user_then_404(scim, tenant):
    user = create_user(scim)
    assert scim.client.delete(scim.url(f"/Users/{user['id']}")).status_code == 204
    missing = scim.get(f"/Users/{user['id']}")
    assert missing.status_code == 404 and missing.json()["schemas"] == [ERROR]


def test_groups_crud_members_and_patch(scim, tenant):
    a = create_user(scim, "a@example.com")
    b = create_user(scim, "b@example.com")
    created = scim.send(
        "post",
        "/Groups",
        {"schemas": [GROUP], "displayName": "Sales", "members": [{"value": a["id"]}]},
    )
    assert created.status_code == 201
    group_id = created.json()["id"]
    patch = {
        "schemas": [PATCH],
        "Operations": [
            {"op": "add", "path": "members", "value": [{"value": b["id"]}]},
            {"op": "remove", "path": f'members[value eq "{a["id"]}"]'},
            {"op": "replace", "path": "displayName", "value": "Sales EU"},
        ],
    }
    patched = scim.send("patch", f"/Groups/{group_id}", patch).json()
    assert patched["displayName"] == "Sales EU"
    assert [m["value"] for m in patched["members"]] == [b["id"]]
    listed = scim.get("/Groups", {"filter": 'displayName sw "sales"'}).json()
    assert listed["totalResults"] == 1
    user_groups = scim.get(f"/Users/{b['id']}").json()["groups"]
    assert [g["display"] for g in user_groups] == ["Sales EU"]
    unknown = scim.send(
        "post", "/Groups", {"schemas": [GROUP], "displayName": "X", "members": [{"value": "nope"}]}
    )
    assert unknown.status_code == 400
    dup = scim.send("post", "/Groups", {"schemas": [GROUP], "displayName": "sales eu"})
    assert dup.status_code == 409
    assert scim.client.delete(scim.url(f"/Groups/{group_id}")).status_code == 204
    with tenant.context():
        assert not Group.objects.filter(pk=group_id).exists()


def test_discovery_endpoints(scim):
    config = scim.get("/ServiceProviderConfig").json()
    assert config["patch"]["supported"] and config["filter"]["supported"]
    types = scim.get("/ResourceTypes").json()["Resources"]
    user_type = next(t for t in types if t["id"] == "User")
    assert user_type["schemaExtensions"][0]["schema"] == ENTERPRISE
    schemas = {s["id"] for s in scim.get("/Schemas").json()["Resources"]}
    assert {USER, GROUP, ENTERPRISE} <= schemas
    assert scim.get(f"/Schemas/{ENTERPRISE}").status_code == 200
    assert scim.send("post", "/ServiceProviderConfig", {}).status_code == 405
    assert scim.get("/Nope").json()["status"] == "404"


def test_objects_of_another_tenant_are_404(scim, other_tenant, make_customer):
    from directory import services_groups

    stranger = make_customer("far@example.com", info=other_tenant)
    with other_tenant.context():
        group = services_groups.create_group(display_name="Theirs", actor="t")
    assert scim.get(f"/Users/{stranger.pk}").status_code == 404
    assert (
        scim.send(
            "patch",
            f"/Users/{stranger.pk}",
            {
                "schemas": [PATCH],
                "Operations": [{"op": "replace", "path": "nickName", "value": "x"}],
            },
        ).status_code
        == 404
    )
    assert scim.client.delete(scim.url(f"/Users/{stranger.pk}")).status_code == 404
    assert scim.get(f"/Groups/{group.pk}").status_code == 404
    assert (
        scim.get("/Users", {"filter": 'userName eq "far@example.com"'}).json()["totalResults"] == 0
    )


def test_admin_accounts_are_not_exposed(scim, tenant):
    response = scim.get("/Users", {"filter": f'userName eq "{tenant.admin_email}"'})
    assert response.json()["totalResults"] == 0
