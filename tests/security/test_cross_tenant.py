"""Attacks that held, kept held: one tenant's SCIM token, management-API token and session
cookie are worth nothing at another tenant (over real HTTP)."""

from __future__ import annotations

import requests

from tests.applications.conftest import create_customer, session_cookie_for
from tests.security.live import committed, live_api, live_scim  # noqa: F401


def test_a_scim_token_is_worth_nothing_at_another_tenant(live_url, live_scim):  # noqa: F811
    assert live_scim.get("/Users").status_code == 200
    stolen = live_scim.http.headers["Authorization"]
    answer = requests.get(
        f"{live_url}/t/otherco/scim/v2/Users", headers={"Authorization": stolen}, timeout=10
    )
    assert answer.status_code == 401


def test_an_api_token_is_worth_nothing_at_another_tenant(live_url, live_api):  # noqa: F811
    assert live_api.request("GET", "/users/").status_code == 200
    stolen = live_api.http.headers["Authorization"]
    answer = requests.get(
        f"{live_url}/t/otherco/api/v1/users/", headers={"Authorization": stolen}, timeout=10
    )
    assert answer.status_code == 401


def test_a_session_cookie_is_worth_nothing_at_another_tenant(live_url, committed):  # noqa: F811
    def make():
        return session_cookie_for(create_customer("cookie@example.com"))

    cookie = committed(make)
    own = requests.get(
        f"{live_url}/t/testco/account/profile/",
        headers={"Cookie": f"ciam_session={cookie}"},
        allow_redirects=False,
        timeout=10,
    )
    assert own.status_code == 200
    other = requests.get(
        f"{live_url}/t/otherco/account/profile/",
        headers={"Cookie": f"ciam_session={cookie}"},
        allow_redirects=False,
        timeout=10,
    )
    assert other.status_code == 302 and "/login/" in other.headers["Location"]
