"""Management REST API (/api/v1/)."""

from __future__ import annotations

import pytest
from django.test import Client

from directory.models import AuditEvent, Group, User

from .conftest import ApiClient, issue_token

pytestmark = pytest.mark.django_db


def test_no_token_is_401_with_bearer_challenge(tenant):
    response = Client().get(tenant.url("/api/v1/users/"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "unauthenticated"


def test_bad_and_expired_tokens_are_401(tenant):
    bad = ApiClient(tenant, "not-a-token").get("/users/")
    expired = ApiClient(tenant, issue_token(tenant, expired=True)).get("/users/")
    assert bad.status_code == expired.status_code == 401


def test_token_of_another_tenant_is_401(tenant, other_tenant):
    foreign = ApiClient(tenant, issue_token(other_tenant))
    assert foreign.get("/users/").status_code == 401


def test_missing_permission_is_403(make_api):
    reader = make_api("Group.Read.All")
    response = reader.get("/users/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_scope_without_admin_grant_is_403(make_api):
    ungranted = make_api("User.ReadWrite.All", grant=False)
    assert ungranted.get("/users/").status_code == 403


def test_read_permission_cannot_write(make_api):
    reader = make_api("User.Read.All")
    assert reader.get("/users/").status_code == 200
    assert reader.post("/users/", {"email": "x@example.com"}).status_code == 403


def test_create_get_update_delete_user(api, tenant):
    # create
    created = api.post(
        "/users/",
        {"email": "Api@Example.com", "display_name": "Api", "password": "Long-Enough-Pass-1"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["email"] == "api@example.com" and "password" not in body
    user_id = body["id"]
    # read
    fetched = api.get(f"/users/{user_id}/")
    assert fetched.status_code == 200 and fetched["ETag"]
    # update with the current ETag
    updated = api.patch(f"/users/{user_id}/", {"city": "Oslo"}, HTTP_IF_MATCH=fetched["ETag"])
    assert updated.status_code == 200 and updated.json()["city"] == "Oslo"
    # stale ETag
    stale = api.patch(f"/users/{user_id}/", {"city": "Bergen"}, HTTP_IF_MATCH=fetched["ETag"])
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "precondition_failed"
    # delete
    assert api.delete(f"/users/{user_id}/").status_code == 204
    assert api.get(f"/users/{user_id}/").status_code == 404
    with tenant.context():
        assert AuditEvent.objects.filter(action="user.delete", target_id=user_id).exists()


def test_duplicate_email_is_409(api, make_customer):
    make_customer("dup@example.com")
    response = api.post("/users/", {"email": "DUP@example.com"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


def test_unknown_and_read_only_fields_are_refused(api, make_customer):
    unknown = api.post("/users/", {"email": "u@example.com", "nickname": "x"})
    assert unknown.status_code == 400
    error = unknown.json()["error"]
    assert error["code"] == "unknown_field" and "nickname" in error["fields"]
    user = make_customer("ro@example.com")
    read_only = api.patch(f"/users/{user.pk}/", {"id": "x"})
    assert read_only.status_code == 400 and read_only.json()["error"]["code"] == "unknown_field"


def test_invalid_fields_have_per_field_messages(api):
    response = api.post("/users/", {"email": "not-an-email", "password": "short"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_failed" and "email" in error["fields"]


def test_weak_password_is_400_on_password_field(api):
    response = api.post("/users/", {"email": "weak@example.com", "password": "password"})
    assert response.status_code == 400
    assert "password" in response.json()["error"]["fields"]


def test_custom_attribute_values_are_typed(api):
    assert (
        api.post(
            "/custom-attributes/", {"name": "born", "data_type": "date", "label": "Birth date"}
        ).status_code
        == 201
    )
    bad = api.post("/users/", {"email": "d@example.com", "custom_attributes": {"born": "nope"}})
    assert bad.status_code == 400 and "custom_attributes.born" in bad.json()["error"]["fields"]
    good = api.post(
        "/users/", {"email": "d@example.com", "custom_attributes": {"born": "2000-01-31"}}
    )
    assert good.json()["custom_attributes"] == {"born": "2000-01-31"}
    listed = api.get("/users/", {"attribute": "born=2000-01-31"}).json()["value"]
    assert [u["email"] for u in listed] == ["d@example.com"]


def test_attribute_definition_crud_and_conflict(api):
    created = api.post("/custom-attributes/", {"name": "tier", "data_type": "string", "label": "T"})
    attribute_id = created.json()["id"]
    again = api.post("/custom-attributes/", {"name": "tier", "data_type": "string", "label": "T"})
    assert again.status_code == 409
    changed = api.patch(f"/custom-attributes/{attribute_id}/", {"label": "Tier"})
    assert changed.json()["label"] == "Tier"
    assert (
        api.patch(f"/custom-attributes/{attribute_id}/", {"data_type": "integer"}).status_code
        == 400
    )
    assert api.delete(f"/custom-attributes/{attribute_id}/").status_code == 204


def test_list_users_paginates_with_cursor(api, make_customer):
    for i in range(5):
        make_customer(f"list{i}@example.com")
    first = api.get("/users/", {"q": "list", "limit": 2}).json()
    assert [u["email"] for u in first["value"]] == ["list0@example.com", "list1@example.com"]
    second = api.get("/users/", {"q": "list", "limit": 2, "cursor": first["next_cursor"]}).json()
    assert [u["email"] for u in second["value"]] == ["list2@example.com", "list3@example.com"]
    assert api.get("/users/", {"cursor": "garbage"}).status_code == 400
    assert api.get("/users/", {"sort": "nope"}).status_code == 400


def test_block_unblock_and_reset_password(api, tenant, make_customer):
    user = make_customer("ops@example.com")
    blocked = api.post(f"/users/{user.pk}/block/")
    assert blocked.status_code == 200 and blocked.json()["account_enabled"] is False
    assert api.post(f"/users/{user.pk}/unblock/").json()["account_enabled"] is True
    reset = api.post(f"/users/{user.pk}/reset-password/", {"mode": "temporary"})
    temporary = reset.json()["temporary_password"]
    with tenant.context():
        assert User.objects.get(pk=user.pk).check_password(temporary)
    assert api.post(f"/users/{user.pk}/reset-password/", {"mode": "x"}).status_code == 400


def test_identities_add_list_remove(api, make_customer):
    user = make_customer("ids@example.com")
    added = api.post(
        f"/users/{user.pk}/identities/",
        {"type": "federated", "issuer": "https://accounts.google.com", "subject": "1234"},
    )
    assert added.status_code == 201
    dup = api.post(
        f"/users/{user.pk}/identities/",
        {"type": "federated", "issuer": "https://accounts.google.com", "subject": "1234"},
    )
    assert dup.status_code == 409
    listed = api.get(f"/users/{user.pk}/identities/").json()
    assert {i["type"] for i in listed} == {"password", "federated"}
    assert api.delete(f"/users/{user.pk}/identities/{added.json()['id']}/").status_code == 204


def test_groups_and_members(api, tenant, make_customer):
    user = make_customer("member@example.com")
    group = api.post("/groups/", {"display_name": "Beta testers"})
    assert group.status_code == 201
    group_id = group.json()["id"]
    assert api.post("/groups/", {"display_name": "beta TESTERS"}).status_code == 409
    added = api.post(f"/groups/{group_id}/members/", {"user_ids": [str(user.pk)]})
    assert [m["email"] for m in added.json()] == ["member@example.com"]
    assert [g["display_name"] for g in api.get(f"/users/{user.pk}/groups/").json()] == [
        "Beta testers"
    ]
    etag = api.get(f"/groups/{group_id}/")["ETag"]
    renamed = api.patch(f"/groups/{group_id}/", {"display_name": "Beta"}, HTTP_IF_MATCH=etag)
    assert renamed.status_code == 200
    assert api.delete(f"/groups/{group_id}/", HTTP_IF_MATCH=etag).status_code == 412
    assert api.delete(f"/groups/{group_id}/members/{user.pk}/").status_code == 204
    assert api.delete(f"/groups/{group_id}/members/{user.pk}/").status_code == 404
    assert api.delete(f"/groups/{group_id}/").status_code == 204
    with tenant.context():
        assert not Group.objects.filter(pk=group_id).exists()


def test_objects_of_another_tenant_are_404(api, other_tenant, make_customer):
    from directory import services_groups

    stranger = make_customer("far@example.com", info=other_tenant)
    with other_tenant.context():
        group = services_groups.create_group(display_name="Theirs", actor="t")
    assert api.get(f"/users/{stranger.pk}/").status_code == 404
    assert api.patch(f"/users/{stranger.pk}/", {"city": "x"}).status_code == 404
    assert api.delete(f"/users/{stranger.pk}/").status_code == 404
    assert api.get(f"/groups/{group.pk}/").status_code == 404
    assert api.get("/users/not-a-uuid/").json()["error"]["code"] == "not_found"


def test_applications_crud_and_apps_cannot_grant_permissions(api):
    created = api.post("/applications/", {"name": "Sync job", "app_type": "daemon"})
    assert created.status_code == 201 and created.json()["client_secret"]
    client_id = created.json()["client_id"]
    granted = api.patch(f"/applications/{client_id}/", {"api_permissions": ["User.Read.All"]})
    assert granted.status_code == 403
    assert granted.json()["error"]["code"] == "forbidden"
    unchanged = api.patch(f"/applications/{client_id}/", {"name": "Sync", "api_permissions": []})
    assert unchanged.json()["name"] == "Sync" and unchanged.json()["api_permissions"] == []
    assert "client_secret" not in api.get(f"/applications/{client_id}/").json()
    assert api.delete(f"/applications/{client_id}/").status_code == 204
    assert api.get(f"/applications/{client_id}/").status_code == 404


def test_openapi_document_and_docs_are_served(tenant):
    document = Client().get(tenant.url("/api/v1/openapi.json"))
    assert document.status_code == 200
    schema = document.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/users/" in schema["paths"]
    assert schema["servers"] == [{"url": "http://testserver/t/testco"}]
    docs = Client().get(tenant.url("/api/v1/docs/"))
    assert docs.status_code == 200 and b"swagger-ui" in docs.content
