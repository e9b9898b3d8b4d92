"""Admin center: customer accounts."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from directory.models import AuditEvent, Identity, User
from tests.plugins.fixtures import PASSWORD

pytestmark = pytest.mark.django_db


def test_users_page_lists_customers_not_admins(admin_client, tenant, make_customer):
    # given
    make_customer("zed@example.com", display_name="Zed")
    # when
    response = admin_client.get(tenant.url("/admin/users/"))
    # then
    assert response.status_code == 200
    assert b"zed@example.com" in response.content
    assert f"{tenant.admin_email}</a>".encode() not in response.content


def test_users_search_by_email_prefix_and_name_prefix(admin_client, tenant, make_customer):
    make_customer("alice@example.com", display_name="Alice Liddell")
    make_customer("bob@example.com", display_name="Robert")
    by_email = admin_client.get(tenant.url("/admin/users/"), {"q": "ALI"})
    by_name = admin_client.get(tenant.url("/admin/users/"), {"q": "rob", "search_in": "name"})
    assert b"alice@example.com" in by_email.content and b"bob@" not in by_email.content
    assert b"bob@example.com" in by_name.content and b"alice@" not in by_name.content


def test_create_customer_shows_one_time_password_and_audits(admin_client, tenant):
    response = admin_client.post(
        tenant.url("/admin/users/new/"),
        {"email": "New@Example.com", "display_name": "New", "password_mode": "generate"},
        follow=True,
    )
    assert b"One-time password" in response.content
    with tenant.context():
        user = User.objects.get(email="new@example.com")
        assert user.kind == User.Kind.CUSTOMER and user.must_change_password
        assert user.identities.get().type == Identity.Type.PASSWORD
        assert AuditEvent.objects.filter(action="user.create", target_id=str(user.pk)).exists()


def test_create_customer_with_taken_email_shows_error_beside_field(
    admin_client, tenant, make_customer
):
    make_customer("taken@example.com")
    response = admin_client.post(
        tenant.url("/admin/users/new/"), {"email": "TAKEN@example.com", "password_mode": "generate"}
    )
    assert response.status_code == 200
    assert b'id="id_email_errors"' in response.content


def test_block_ends_sessions_and_revokes_refresh_tokens(admin_client, tenant, make_customer):
    # given a customer signed in with a session and holding tokens
    import datetime as dt

    from django.utils import timezone

    from applications.models import AccessToken, Application, RefreshToken

    user = make_customer("blockme@example.com")
    customer = Client()
    customer.post(
        tenant.url("/account/login/"), {"login": "blockme@example.com", "password": PASSWORD}
    )
    with tenant.context():
        app = Application.objects.create(
            name="web",
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris="https://app.example/cb",
        )
        access = AccessToken.objects.create(
            user=user, application=app, token="at-1", expires=timezone.now() + dt.timedelta(hours=1)
        )
        RefreshToken.objects.create(user=user, application=app, token="rt-1", access_token=access)
    session_stamp = user.security_stamp
    # when
    response = admin_client.post(tenant.url(f"/admin/users/{user.pk}/block/"), {"action": "block"})
    # then
    assert response.status_code == 302
    with tenant.context():
        user.refresh_from_db()
        assert not user.is_active
        assert user.security_stamp != session_stamp
        assert RefreshToken.objects.get(token="rt-1").revoked is not None
        assert not AccessToken.objects.filter(user=user).exists()
        assert AuditEvent.objects.filter(action="user.block", target_id=str(user.pk)).exists()


def test_ending_sessions_signs_out_a_live_session(tenant, make_customer):
    # given a customer with a live session
    from django.contrib.auth import get_user
    from django.http import HttpRequest

    from directory import services_users

    user = make_customer("live@example.com")
    session_client = Client()
    with tenant.context():
        session_client.force_login(user)
        request = HttpRequest()
        request.session = session_client.session
        assert get_user(request).is_authenticated
        services_users.end_sessions(User.objects.get(pk=user.pk))
        request = HttpRequest()
        request.session = session_client.session
        assert not get_user(request).is_authenticated


def test_unblock_enables_account(admin_client, tenant, make_customer):
    user = make_customer("unblock@example.com", is_active=False)
    admin_client.post(tenant.url(f"/admin/users/{user.pk}/block/"), {"action": "unblock"})
    with tenant.context():
        assert User.objects.get(pk=user.pk).is_active


def test_reset_password_temporary(admin_client, tenant, make_customer):
    user = make_customer("reset@example.com")
    response = admin_client.post(
        tenant.url(f"/admin/users/{user.pk}/reset-password/"), {"mode": "temporary"}, follow=True
    )
    assert b"Temporary password" in response.content
    with tenant.context():
        user.refresh_from_db()
        assert user.must_change_password
        assert not user.check_password(PASSWORD)


def test_reset_password_by_email_sends_a_link(
    admin_client, tenant, make_customer, django_capture_on_commit_callbacks
):
    user = make_customer("mailreset@example.com")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(tenant.url(f"/admin/users/{user.pk}/reset-password/"), {"mode": "email"})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["mailreset@example.com"]
    # password reset is by one-time code (user flows): the link opens the reset page
    assert "http://testserver/t/testco/account/password/reset/" in mail.outbox[0].body
    with tenant.context():
        user.refresh_from_db()
        assert not user.has_usable_password()


def test_delete_removes_personal_data_and_tokens(admin_client, tenant, make_customer):
    user = make_customer("gone@example.com", display_name="Gone Person")
    response = admin_client.post(tenant.url(f"/admin/users/{user.pk}/delete/"))
    assert response.status_code == 302
    with tenant.context():
        assert not User.objects.filter(pk=user.pk).exists()
        assert not Identity.objects.filter(user_id=user.pk).exists()
        event = AuditEvent.objects.get(action="user.delete", target_id=str(user.pk))
        assert "gone@example.com" not in str(event.before) + event.target


def test_user_detail_shows_identities_groups_and_activity(admin_client, tenant, make_customer):
    from directory import services_groups, services_identities

    user = make_customer("detail@example.com")
    with tenant.context():
        services_identities.add_identity(
            user=user, type="federated", issuer="https://idp.example", subject="abc", actor="t"
        )
        services_groups.create_group(display_name="VIPs", actor="t", member_ids=[user.pk])
    response = admin_client.get(tenant.url(f"/admin/users/{user.pk}/"))
    assert b"https://idp.example" in response.content
    assert b"VIPs" in response.content
    assert b"user.identity.add" in response.content


def test_edit_profile_and_custom_attribute(admin_client, tenant, make_customer):
    from directory import services_groups

    user = make_customer("edit@example.com")
    with tenant.context():
        services_groups.create_attribute(
            name="loyalty_level", data_type="integer", label="Loyalty", actor="t"
        )
    response = admin_client.post(
        tenant.url(f"/admin/users/{user.pk}/"),
        {"email": "edit@example.com", "city": "Paris", "attr_loyalty_level": "3"},
    )
    assert response.status_code == 302
    with tenant.context():
        user.refresh_from_db()
        assert user.city == "Paris"
        assert user.custom_attributes == {"loyalty_level": 3}


def test_attribute_filter_in_users_list(admin_client, tenant, make_customer):
    from directory import services_groups

    with tenant.context():
        services_groups.create_attribute(name="tier", data_type="string", label="Tier", actor="t")
    make_customer("gold@example.com", custom_attributes={"tier": "gold"})
    make_customer("silver@example.com", custom_attributes={"tier": "silver"})
    response = admin_client.get(tenant.url("/admin/users/"), {"attribute": "tier=gold"})
    assert b"gold@example.com" in response.content and b"silver@" not in response.content
    bad = admin_client.get(tenant.url("/admin/users/"), {"attribute": "nope=1"})
    assert bad.status_code == 200 and b"No custom attribute has this name" in bad.content


def test_cursor_pagination_walks_every_user_once(admin_client, tenant, make_customer):
    from directory.selectors_users import UserQuery, search_users

    for i in range(7):
        make_customer(f"page{i}@example.com")
    seen, cursor = [], ""
    with tenant.context():
        while True:
            rows, cursor = search_users(UserQuery(q="page", limit=3, cursor=cursor or ""))
            seen += [u.email for u in rows]
            if not cursor:
                break
    assert seen == [f"page{i}@example.com" for i in range(7)]


def test_user_of_another_tenant_is_404(admin_client, tenant, other_tenant, make_customer):
    stranger = make_customer("stranger@example.com", info=other_tenant)
    for path in ("/", "/delete/"):
        assert admin_client.get(tenant.url(f"/admin/users/{stranger.pk}{path}")).status_code == 404
    assert admin_client.post(tenant.url(f"/admin/users/{stranger.pk}/block/")).status_code == 404
    assert admin_client.get(tenant.url("/admin/users/not-a-uuid/")).status_code == 404


def test_insights_reader_cannot_see_users_and_user_admin_can(tenant, make_admin):
    reader = make_admin("insights_reader")
    assert reader.get(tenant.url("/admin/users/")).status_code == 403
    user_admin = make_admin("user_administrator")
    assert user_admin.get(tenant.url("/admin/users/")).status_code == 200


def test_anonymous_is_sent_to_sign_in(tenant):
    response = Client().get(tenant.url("/admin/users/"))
    assert response.status_code == 302 and "/admin/signin/" in response["Location"]


def test_search_orders_by_the_searched_column_in_both_directions(tenant, make_customer):
    from directory.selectors_users import UserQuery, search_users

    make_customer("zz-a@example.com", display_name="Mia B")
    make_customer("aa-b@example.com", display_name="Mia A")
    with tenant.context():
        by_name, _ = search_users(UserQuery(q="mia", search_in="name", sort="email"))
        by_name_desc, _ = search_users(UserQuery(q="mia", search_in="name", sort="-email"))
    assert [u.display_name for u in by_name] == ["Mia A", "Mia B"]
    assert [u.display_name for u in by_name_desc] == ["Mia B", "Mia A"]


@pytest.mark.parametrize("sort", ["-email", "name", "-name", "created", "-created"])
def test_cursor_pagination_in_every_sort_order_visits_each_user_once(tenant, make_customer, sort):
    from directory.selectors_users import UserQuery, search_users

    for i in range(5):
        make_customer(f"walk{i}@example.com", display_name=f"Walker {i % 2}")
    seen, cursor = [], ""
    with tenant.context():
        while True:
            rows, cursor = search_users(UserQuery(sort=sort, limit=2, cursor=cursor or ""))
            seen += [u.email for u in rows]
            if not cursor:
                break
    assert sorted(seen) == [f"walk{i}@example.com" for i in range(5)]
    assert len(seen) == 5


def test_attribute_filter_combined_with_prefix(tenant, make_customer):
    from directory import services_groups
    from directory.selectors_users import UserQuery, search_users

    with tenant.context():
        services_groups.create_attribute(name="level", data_type="integer", label="L", actor="t")
    make_customer("lev-a@example.com", custom_attributes={"level": 2})
    make_customer("lev-b@example.com", custom_attributes={"level": 3})
    make_customer("other@example.com", custom_attributes={"level": 2})
    with tenant.context():
        rows, _ = search_users(UserQuery(q="lev", attributes={"level": 2}))
    assert [u.email for u in rows] == ["lev-a@example.com"]


@pytest.fixture
def level_attribute(tenant):
    from directory import services_groups

    with tenant.context():
        services_groups.create_attribute(name="level", data_type="integer", label="L", actor="t")


def _walk(tenant, query):
    from directory.selectors_users import search_users

    seen, pages = [], 0
    with tenant.context():
        while True:
            rows, cursor = search_users(query)
            seen += [u.email for u in rows]
            pages += 1
            if not cursor or pages > 20:
                return seen
            query.cursor = cursor


@pytest.mark.parametrize("probe_rows", [2, 4, 500])
@pytest.mark.parametrize("q", ["p", "pa", "pat", "pat-0"])
@pytest.mark.parametrize("sort", ["email", "-email"])
def test_prefix_with_attribute_filter_pages_in_order_whichever_way_it_is_found(
    tenant, make_customer, level_attribute, monkeypatch, probe_rows, q, sort
):
    # given: one user in three of the prefix has level 2, so the probe of the first
    # `probe_rows` users finds a page, finds the whole prefix or gives way to the GIN index
    from directory import selectors_users
    from directory.selectors_users import UserQuery

    monkeypatch.setattr(selectors_users, "PROBE_ROWS", probe_rows)
    for i in range(9):
        make_customer(f"pat-{i:02d}@example.com", custom_attributes={"level": 2 - (i % 3 > 0)})
    make_customer("pb@example.com", custom_attributes={"level": 2})
    make_customer("qat@example.com", custom_attributes={"level": 2})
    expected = sorted(
        ["pat-00@example.com", "pat-03@example.com", "pat-06@example.com"]
        + (["pb@example.com"] if q == "p" else []),
        reverse=sort == "-email",
    )
    # when
    seen = _walk(tenant, UserQuery(q=q, sort=sort, attributes={"level": 2}, limit=2))
    # then
    assert seen == expected


@pytest.mark.parametrize("probe_rows", [3, 500])
def test_name_prefix_with_dense_attribute_filter(
    tenant, make_customer, level_attribute, monkeypatch, probe_rows
):
    from directory import selectors_users
    from directory.selectors_users import UserQuery

    monkeypatch.setattr(selectors_users, "PROBE_ROWS", probe_rows)
    for i in range(6):
        make_customer(
            f"u{i}@example.com", display_name=f"Nora {5 - i}", custom_attributes={"level": 7}
        )
    make_customer("x@example.com", display_name="Nora 9", custom_attributes={"level": 8})
    make_customer("y@example.com", display_name="Otto", custom_attributes={"level": 7})
    seen = _walk(tenant, UserQuery(q="NOR", search_in="name", attributes={"level": 7}, limit=2))
    assert seen == [f"u{i}@example.com" for i in reversed(range(6))]


def test_users_cursor_keeps_the_sparse_mark_and_refuses_unknown_ones():
    import base64
    import json

    from django.core.exceptions import ValidationError

    from directory.selectors_users import decode_cursor, encode_cursor

    pk = "8c5f3f4e-6a39-4c1e-9d4a-3e1f6c2b7a10"
    assert decode_cursor(encode_cursor("ann@example.com", pk)) == ("ann@example.com", pk, False)
    assert decode_cursor(encode_cursor("ann@example.com", pk, True))[2] is True
    bad = base64.urlsafe_b64encode(json.dumps(["a", pk, 2]).encode()).decode()
    with pytest.raises(ValidationError):
        decode_cursor(bad)
