"""Finding 1 of issue 12 (high): admin roles escalated through management API grants.

An Application Administrator registered a daemon app, granted it User.ReadWrite.All in
the admin center, and with a client-credentials token reset any customer's password and
changed their email. A User Administrator granted Application.ReadWrite.All, and an app
holding it granted itself anything through PATCH /api/v1/applications/{id}. Each attack
is driven here as the attacker would: admin center forms over HTTP as the lower-privilege
admin, then the token endpoint and the API."""

from __future__ import annotations

import re

import pytest

from directory.roles import Role

from .conftest import Daemon

SECRET_ON_PAGE = re.compile(r'<code id="new-secret">([^<]+)</code>')
APP_PK_IN_URL = re.compile(r"/admin/apps/(\d+)/$")


def register_daemon(browser, name: str = "Nightly sync") -> tuple[int, str, str]:
    """Register a daemon app through the admin center; (pk, client id, secret)."""
    response = browser.submit(
        "/admin/apps/register/", {"name": name, "app_type": "daemon", "redirect_uris": ""}
    )
    assert response.status_code == 200, response.text[:500]
    pk = int(APP_PK_IN_URL.search(response.url).group(1))
    secret = SECRET_ON_PAGE.search(response.text).group(1)
    from applications.models import Application

    return pk, Application.objects.get(pk=pk).client_id, secret


def grants_of(tenant, pk: int) -> set[str]:
    from applications.models import ApiPermission

    with tenant.context():
        return set(
            ApiPermission.objects.filter(client_id=pk, resource__isnull=True).values_list(
                "value", flat=True
            )
        )


def test_application_administrator_cannot_take_over_customers_through_a_daemon_app(
    live_tenant, live_admin, victim
):
    # given: an Application Administrator with their own daemon app and its secret
    attacker = live_admin(Role.APPLICATION_ADMINISTRATOR)
    with live_tenant.context():
        pk, client_id, secret = register_daemon(attacker)

    # when: they grant it User.ReadWrite.All in the admin center
    page = attacker.submit(
        f"/admin/apps/{pk}/permissions/",
        {"permission": "builtin::User.ReadWrite.All"},
        page=f"/admin/apps/{pk}/",
    )
    # ... and use the app's token on the victim's account
    daemon = Daemon(live_tenant.base, client_id, secret)
    daemon.sign_in()
    reset = daemon.call("POST", f"/users/{victim.pk}/reset-password/", {"mode": "temporary"})
    changed = daemon.call("PATCH", f"/users/{victim.pk}/", {"email": "attacker@evil.example"})

    # then: the victim's account is untouched, the API refused, nothing was granted, and
    # the page said why
    from directory.models import User

    with live_tenant.context():
        victim_now = User.objects.get(pk=victim.pk)
    assert (victim_now.email, victim_now.password) == (victim.email, victim.password)
    assert (reset.status_code, changed.status_code) == (403, 403)
    assert "User.ReadWrite.All" not in daemon.scope
    assert grants_of(live_tenant, pk) == set()
    assert "Only Global Administrator can grant or revoke User.ReadWrite.All" in page.text


def test_application_administrator_cannot_add_a_secret_to_a_privileged_daemon(
    live_tenant, live_admin, victim
):
    # given: a daemon app a Global Administrator granted User.ReadWrite.All
    admin = live_admin(Role.GLOBAL_ADMINISTRATOR)
    with live_tenant.context():
        pk, client_id, _secret = register_daemon(admin, "HR sync")
    admin.submit(
        f"/admin/apps/{pk}/permissions/",
        {"permission": "builtin::User.ReadWrite.All"},
        page=f"/admin/apps/{pk}/",
    )
    assert grants_of(live_tenant, pk) == {"User.ReadWrite.All"}

    # when: an Application Administrator adds a secret to it (to act as the app)
    attacker = live_admin(Role.APPLICATION_ADMINISTRATOR)
    page = attacker.submit(
        f"/admin/apps/{pk}/secrets/",
        {"description": "mine", "expires_in_days": "90"},
        page=f"/admin/apps/{pk}/",
    )

    # then: refused, no secret shown, the app keeps only its first secret
    assert SECRET_ON_PAGE.search(page.text) is None
    assert "Only Global Administrator can grant or revoke User.ReadWrite.All" in page.text
    from applications.models import ClientSecret

    with live_tenant.context():
        assert ClientSecret.objects.filter(application_id=pk).count() == 1


def test_user_administrator_cannot_grant_application_readwrite(live_tenant, live_admin):
    # given: a daemon app (registered by an Application Administrator)
    app_admin = live_admin(Role.APPLICATION_ADMINISTRATOR)
    with live_tenant.context():
        pk, client_id, _secret = register_daemon(app_admin)

    # when: a User Administrator grants it Application.ReadWrite.All on the access page
    attacker = live_admin(Role.USER_ADMINISTRATOR)
    page = attacker.submit(
        "/admin/users/access/",
        {"action": "grant", "client_id": client_id, "permission": "Application.ReadWrite.All"},
    )

    # then: the page shows the refusal beside the field and nothing is granted
    assert page.status_code == 200
    assert "Only Global Administrator can grant or revoke Application.ReadWrite.All" in page.text
    assert grants_of(live_tenant, pk) == set()


def test_an_app_cannot_widen_its_own_or_another_apps_permissions(live_tenant, live_admin):
    # given: a daemon app that a Global Administrator granted Application.ReadWrite.All
    admin = live_admin(Role.GLOBAL_ADMINISTRATOR)
    with live_tenant.context():
        pk, client_id, secret = register_daemon(admin, "Provisioning")
        other_pk, other_id, _ = register_daemon(admin, "Other")
    admin.submit(
        f"/admin/apps/{pk}/permissions/",
        {"permission": "builtin::Application.ReadWrite.All"},
        page=f"/admin/apps/{pk}/",
    )
    daemon = Daemon(live_tenant.base, client_id, secret)
    assert daemon.sign_in().status_code == 200
    assert daemon.scope == "Application.ReadWrite.All"

    # when: it grants itself (and another app) User.ReadWrite.All through the API
    own = daemon.call(
        "PATCH",
        f"/applications/{client_id}/",
        {"api_permissions": ["Application.ReadWrite.All", "User.ReadWrite.All"]},
    )
    other = daemon.call(
        "PATCH", f"/applications/{other_id}/", {"api_permissions": ["User.ReadWrite.All"]}
    )
    # ... or drops its grant (revoking is granting's twin: also the Global Administrator's)
    dropped = daemon.call("PATCH", f"/applications/{client_id}/", {"api_permissions": []})

    # then: 403 each time and the grants are as the Global Administrator left them
    assert (own.status_code, other.status_code, dropped.status_code) == (403, 403, 403)
    assert own.json()["error"]["code"] == "forbidden"
    assert grants_of(live_tenant, pk) == {"Application.ReadWrite.All"}
    assert grants_of(live_tenant, other_pk) == set()


def test_grants_and_revokes_are_audited_with_the_admin(live_tenant, live_admin):
    # given
    admin = live_admin(Role.GLOBAL_ADMINISTRATOR)
    with live_tenant.context():
        pk, _client_id, _secret = register_daemon(admin)

    # when
    admin.submit(
        f"/admin/apps/{pk}/permissions/",
        {"permission": "builtin::Group.Read.All"},
        page=f"/admin/apps/{pk}/",
    )
    from applications.models import ApiPermission
    from directory.models import AuditEvent

    with live_tenant.context():
        grant = ApiPermission.objects.get(client_id=pk)
    admin.submit(f"/admin/apps/{pk}/permissions/{grant.pk}/remove/", {}, page=f"/admin/apps/{pk}/")

    # then
    with live_tenant.context():
        events = list(
            AuditEvent.objects.filter(
                action__startswith="application.permission.", target_id=str(pk)
            ).order_by("occurred_at")
        )
    assert [(e.action, e.actor) for e in events] == [
        ("application.permission.grant", admin.email),
        ("application.permission.revoke", admin.email),
    ]
    assert events[0].after["value"] == events[1].before["value"] == "Group.Read.All"
    assert grants_of(live_tenant, pk) == set()


@pytest.mark.parametrize("role", Role.values)
def test_role_by_permission_matrix(tenant, role):
    """Each role may grant exactly the management API permissions whose `allows` it holds
    and whose `grantable_by` lists it: today only the Global Administrator, for all."""
    from django.core.exceptions import PermissionDenied

    from applications import services
    from applications.models import ApiPermission
    from directory import services as directory_services
    from directory.roles import API_PERMISSION_BY_NAME, API_PERMISSION_NAMES, ROLE_PERMISSIONS

    with tenant.context():
        admin, _ = directory_services.create_admin(
            email=f"matrix-{role.replace('_', '-')}@testco.example",
            password=None,
            roles=[role],
            actor="tests",
        )
        daemon, _ = services.register_application(
            name="Matrix", app_type="daemon", redirect_uris=[], actor="tests"
        )
        granted, refused = [], []
        for name in API_PERMISSION_NAMES:
            try:
                services.grant_api_permission(daemon, value=name, actor=admin)
            except PermissionDenied:
                refused.append(name)
            else:
                granted.append(name)
        held = set(ApiPermission.objects.filter(client=daemon).values_list("value", flat=True))

    expected = [
        n
        for n in API_PERMISSION_NAMES
        if role in API_PERMISSION_BY_NAME[n].grantable_by
        and API_PERMISSION_BY_NAME[n].allows <= ROLE_PERMISSIONS[role]
    ]
    assert granted == expected and held == set(expected)
    assert granted == (list(API_PERMISSION_NAMES) if role == Role.GLOBAL_ADMINISTRATOR else [])
    assert sorted(granted + refused) == sorted(API_PERMISSION_NAMES)
