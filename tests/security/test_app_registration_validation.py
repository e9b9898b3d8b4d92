"""Finding 3 of issue 12 (medium): PATCH /api/v1/applications/{id} skipped validation, so
redirect URIs like http://evil.example/cb were stored and then received authorization
codes. The API and the admin pages now call the one service that validates."""

from __future__ import annotations

import requests

from directory.roles import Role

from .conftest import Daemon


def app_admin_daemon(tenant, base: str) -> Daemon:
    """A daemon app holding Application.ReadWrite.All (granted by a trusted script)."""
    from applications import services

    with tenant.context():
        app, secret = services.register_application(
            name="Registrar", app_type="daemon", redirect_uris=[], actor="tests"
        )
        services.grant_api_permission(app, value="Application.ReadWrite.All", actor="tests")
    daemon = Daemon(base, app.client_id, secret)
    assert daemon.sign_in().status_code == 200
    return daemon


def register(tenant, app_type: str, uris: list[str]):
    from applications import services

    with tenant.context():
        return services.register_application(
            name=f"{app_type} target", app_type=app_type, redirect_uris=uris, actor="tests"
        )[0]


def test_api_refuses_an_http_redirect_uri_and_no_code_goes_there(live_tenant):
    # given: a web app and a daemon allowed to manage app registrations
    web = register(live_tenant, "web", ["https://app.example/cb"])
    daemon = app_admin_daemon(live_tenant, live_tenant.base)

    # when: the daemon points the web app's redirect URI at an attacker's http site
    response = daemon.call(
        "PATCH", f"/applications/{web.client_id}/", {"redirect_uris": ["http://evil.example/cb"]}
    )
    authorize = requests.get(
        f"{live_tenant.base}/oauth2/v2.0/authorize",
        params={
            "client_id": web.client_id,
            "response_type": "code",
            "redirect_uri": "http://evil.example/cb",
            "scope": "openid",
        },
        allow_redirects=False,
        timeout=30,
    )

    # then: 400 beside the field, the registration unchanged, nothing sent to evil.example
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "validation_failed"
    assert "use https" in " ".join(body["fields"]["redirect_uris"])
    with live_tenant.context():
        web.refresh_from_db()
    assert web.redirect_uris == "https://app.example/cb"
    assert not authorize.headers.get("Location", "").startswith("http://evil.example")


def test_api_redirect_uri_change_updates_spa_origins(live_tenant):
    # given
    spa = register(live_tenant, "spa", ["https://spa.example/cb"])
    daemon = app_admin_daemon(live_tenant, live_tenant.base)

    # when
    response = daemon.call(
        "PATCH", f"/applications/{spa.client_id}/", {"redirect_uris": ["https://new.example/cb"]}
    )

    # then: the origins allowed to redeem codes follow the redirect URIs
    assert response.status_code == 200
    with live_tenant.context():
        spa.refresh_from_db()
    assert spa.redirect_uris == "https://new.example/cb"
    assert spa.allowed_origins == "https://new.example"


def test_api_refuses_redirect_uris_for_a_daemon_and_an_empty_name(live_tenant):
    # given
    target = register(live_tenant, "daemon", [])
    daemon = app_admin_daemon(live_tenant, live_tenant.base)

    # when
    uris = daemon.call(
        "PATCH", f"/applications/{target.client_id}/", {"redirect_uris": ["https://x.example/"]}
    )
    name = daemon.call("PATCH", f"/applications/{target.client_id}/", {"name": "   "})

    # then
    assert uris.status_code == 400 and "redirect_uris" in uris.json()["error"]["fields"]
    assert name.status_code == 400 and "name" in name.json()["error"]["fields"]


def test_api_changes_and_deletes_are_audited_with_the_app(live_tenant):
    from directory.models import AuditEvent

    # given
    web = register(live_tenant, "web", ["https://app.example/cb"])
    daemon = app_admin_daemon(live_tenant, live_tenant.base)

    # when
    daemon.call("PATCH", f"/applications/{web.client_id}/", {"name": "Renamed"})
    deleted = daemon.call("DELETE", f"/applications/{web.client_id}/")

    # then
    assert deleted.status_code == 204
    with live_tenant.context():
        actions = list(
            AuditEvent.objects.filter(target_id=str(web.pk))
            .order_by("occurred_at")
            .values_list("action", "actor")
        )
    assert actions[-2:] == [
        ("application.update", f"app:{daemon.client_id}"),
        ("application.delete", f"app:{daemon.client_id}"),
    ]


def test_admin_edit_page_refuses_http_redirect_uris_beside_the_field(live_tenant, live_admin):
    # given
    web = register(live_tenant, "web", ["https://app.example/cb"])
    admin = live_admin(Role.APPLICATION_ADMINISTRATOR)

    # when
    page = admin.submit(
        f"/admin/apps/{web.pk}/edit/",
        {
            "name": "web target",
            "redirect_uris": "http://evil.example/cb",
            "algorithm": "RS256",
            "access_token_lifetime": "3600",
            "id_token_lifetime": "3600",
            "refresh_token_lifetime": "1209600",
            "is_enabled": "on",
        },
    )

    # then
    assert page.status_code == 200 and "use https" in page.text
    with live_tenant.context():
        web.refresh_from_db()
    assert web.redirect_uris == "https://app.example/cb"
