"""Fixtures of the custom authentication extension tests: the tenant's REST API as a real
local HTTP server, and extension rows made (committed) for the live platform server."""

from __future__ import annotations

import pytest

from .api_server import ExtensionAPI


@pytest.fixture(autouse=True)
def _call_log_at_each_request_end(settings):
    """Tests read the call log right after a request: no batching across requests."""
    settings.CIAM_EXTENSION_CALL_LOG_BATCH_SECONDS = 0


@pytest.fixture(autouse=True)
def _fresh_signing_caches():
    """Keys made inside a test's transaction vanish with it: forget them, and the bearer
    tokens signed with them."""
    from applications import keys
    from extensions import client

    keys.clear_caches()
    client._bearer_cache.clear()
    yield
    keys.clear_caches()
    client._bearer_cache.clear()


@pytest.fixture
def ext_api():
    api = ExtensionAPI().start()
    try:
        yield api
    finally:
        api.stop()


@pytest.fixture
def live(tenants_setup, live_url, ext_api):
    """testco over real HTTP: the API expects the tenant's issuer at the live server.
    Rows made through `make_extension` / `make_app` are committed and removed after."""
    import requests

    from applications.models import Application
    from directory.models import AuditEvent, User
    from extensions.models import CallLog, CustomAuthenticationExtension

    tenant = tenants_setup[0]
    issuer = f"{live_url}/t/{tenant.name}"
    # The server's first request imports every URLconf (slow on a busy machine).
    requests.get(f"{issuer}/account/login/", timeout=120)
    made: dict = {"apps": [], "users": []}

    class Live:
        pass

    env = Live()
    env.tenant, env.issuer, env.api, env.url = tenant, issuer, ext_api, live_url

    def make_extension(**values):
        from extensions import services

        made["count"] = made.get("count", 0) + 1
        values.setdefault("name", f"Extension {made['count']}")
        values.setdefault("target_url", ext_api.url)
        with tenant.context():
            ext = services.create_extension(actor="tests", **values)
        ext_api.expect(issuer=issuer, audience=ext.app_id_uri)
        return ext

    def make_app(app_type="web", **changes):
        from applications import services

        redirect = [] if app_type in {"daemon", "api"} else ["http://127.0.0.1:8765/callback"]
        with tenant.context():
            app, secret = services.register_application(
                name=f"Ext {app_type}", app_type=app_type, redirect_uris=redirect, actor="tests"
            )
            if changes:
                services.update_application(app, actor="tests", **changes)
        made["apps"].append(app.pk)
        return app, secret

    def make_user(email="ext-user@example.com"):
        from tests.applications.conftest import create_customer

        with tenant.context():
            user = create_customer(email)
        made["users"].append(user.pk)
        return user

    env.make_extension, env.make_app, env.make_user = make_extension, make_app, make_user
    yield env
    with tenant.context():
        CallLog.objects.all().delete()
        CustomAuthenticationExtension.objects.all().delete()
        Application.objects.filter(pk__in=made["apps"]).delete()
        User.objects.filter(pk__in=made["users"]).delete()
        User.objects.filter(email__endswith="@ext.example").delete()
        AuditEvent.objects.filter(actor="tests").delete()
