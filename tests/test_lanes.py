"""The machine lane: OAuth/OIDC machine endpoints skip the browser middleware."""

from __future__ import annotations

import pytest
from django.test import Client

from ciam.lanes import MACHINE_PATH_RE


@pytest.mark.parametrize(
    "path",
    [
        "/t/acme/oauth2/v2.0/token",
        "/t/acme/oauth2/v2.0/introspect",
        "/t/acme/oauth2/v2.0/revoke",
        "/t/acme/oidc/userinfo",
        "/t/acme/discovery/v2.0/keys",
        "/t/acme/.well-known/openid-configuration",
        "/t/acme/v2.0/.well-known/openid-configuration",
        "/oauth2/v2.0/token",
    ],
)
def test_machine_endpoints_take_the_lane(path):
    assert MACHINE_PATH_RE.match(path)


@pytest.mark.parametrize(
    "path",
    [
        "/t/acme/oauth2/v2.0/authorize",
        "/t/acme/oauth2/v2.0/logout",
        "/t/acme/oauth2/v2.0/token/",
        "/t/acme/admin/",
        "/t/a/b/oauth2/v2.0/token",
        "/portal/",
    ],
)
def test_browser_pages_do_not(path):
    assert not MACHINE_PATH_RE.match(path)


def test_lane_requests_skip_the_browser_middleware(tenant):
    # when
    lane = Client().get(tenant.url("/.well-known/openid-configuration"))
    page = Client().get(tenant.url("/account/login/"))

    # then: routed and given security headers, but no session, user or messages
    assert lane.status_code == 200
    assert lane["X-Content-Type-Options"] == "nosniff"
    assert lane.wsgi_request.tenant.name == tenant.name
    for attribute in ("session", "user", "_messages"):
        assert not hasattr(lane.wsgi_request, attribute)
    # a browser page still gets the whole stack
    assert hasattr(page.wsgi_request, "session") and hasattr(page.wsgi_request, "user")


def test_an_unknown_tenant_on_the_lane_is_the_same_plain_404(db, tenants_setup):
    response = Client().post("/t/nosuch/oauth2/v2.0/token", {"grant_type": "client_credentials"})
    assert response.status_code == 404 and response.content == b"Not found\n"
