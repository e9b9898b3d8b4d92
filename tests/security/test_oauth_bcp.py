"""Finding 8: OAuth 2.0 Security BCP (RFC 9700) and RFC 6749 details, over real HTTP:
redirect_uri repeated at the token endpoint, a failed PKCE verifier burns the code, an
unregistered redirect_uri is refused before sign-in, issuers only from configured hosts,
`next` stays inside the tenant, and the client address is the socket's unless a trusted
proxy forwards it."""

from __future__ import annotations

import pytest
import requests
from django.test import Client

from tests.applications.conftest import create_customer, pkce_pair, query_of, session_cookie_for

REDIRECT_URI = "http://127.0.0.1:8765/callback"


@pytest.fixture
def live_app(tenants_setup, live_url):
    """testco over HTTP: a web app and a signed-in customer's browser (committed rows,
    removed afterwards)."""
    from applications import services
    from directory.models import AuditEvent, User

    tenant = tenants_setup[0]
    with tenant.context():
        web, secret = services.register_application(
            name="BCP web", app_type="web", redirect_uris=[REDIRECT_URI], actor="tests"
        )
        user = create_customer("bcp@example.com")
        cookie = session_cookie_for(user)
    browser = requests.Session()
    browser.cookies.set("ciam_session", cookie, path=f"/t/{tenant.name}/")
    base = f"{live_url}/t/{tenant.name}"
    yield {"base": base, "client": (web.client_id, secret), "browser": browser}
    with tenant.context():
        web.delete()
        User.objects.filter(pk=user.pk).delete()
        AuditEvent.objects.filter(actor="tests").delete()


def _code(live_app, challenge: str) -> str:
    client_id, _ = live_app["client"]
    answer = live_app["browser"].get(
        live_app["base"] + "/oauth2/v2.0/authorize",
        params={
            "client_id": client_id,
            "response_type": "code",
            "redirect_uri": REDIRECT_URI,
            "scope": "openid",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    return query_of(answer.headers["Location"])["code"]


def _token(live_app, **data) -> requests.Response:
    client_id, secret = live_app["client"]
    return requests.post(
        live_app["base"] + "/oauth2/v2.0/token",
        data={"grant_type": "authorization_code", "client_id": client_id, **data},
        auth=(client_id, secret),
        timeout=10,
    )


def test_token_request_must_repeat_the_redirect_uri(live_app):
    verifier, challenge = pkce_pair()
    code = _code(live_app, challenge)
    answer = _token(live_app, code=code, code_verifier=verifier)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"


def test_a_failed_pkce_verifier_burns_the_code(live_app):
    verifier, challenge = pkce_pair()
    code = _code(live_app, challenge)
    wrong = _token(live_app, code=code, code_verifier="w" * 64, redirect_uri=REDIRECT_URI)
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    right = _token(live_app, code=code, code_verifier=verifier, redirect_uri=REDIRECT_URI)
    assert right.status_code == 400 and right.json()["error"] == "invalid_grant"


def test_a_missing_pkce_verifier_burns_the_code(live_app):
    verifier, challenge = pkce_pair()
    code = _code(live_app, challenge)
    missing = _token(live_app, code=code, redirect_uri=REDIRECT_URI)
    assert missing.status_code == 400
    right = _token(live_app, code=code, code_verifier=verifier, redirect_uri=REDIRECT_URI)
    assert right.status_code == 400 and right.json()["error"] == "invalid_grant"


def test_signed_out_authorize_with_unregistered_redirect_uri_fails_at_once(live_app):
    client_id, _ = live_app["client"]
    answer = requests.get(
        live_app["base"] + "/oauth2/v2.0/authorize",
        params={
            "client_id": client_id,
            "response_type": "code",
            "redirect_uri": "https://evil.example/cb",
            "scope": "openid",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 400
    assert "evil.example" not in answer.headers.get("Location", "")


def test_the_issuer_never_follows_the_host_header_port(live_app, live_url):
    port = live_url.rsplit(":", 1)[1]
    headers = {"Host": "localhost:31337"}
    config = requests.get(
        f"{live_url}/t/testco/.well-known/openid-configuration", headers=headers, timeout=10
    ).json()
    assert "31337" not in config["issuer"]
    assert "31337" not in config["token_endpoint"]
    # the issuer the live server's own address gives is the one configured for it
    own = requests.get(f"{live_url}/t/testco/.well-known/openid-configuration", timeout=10)
    assert own.json()["issuer"] == f"http://localhost:{port}/t/testco"


@pytest.mark.django_db
def test_next_stays_inside_the_tenant(tenant, other_tenant):
    from tests.applications.conftest import CUSTOMER_PASSWORD

    with tenant.context():
        create_customer("nextco@example.com")
    client = Client()
    for target in (
        f"/t/{other_tenant.name}/account/profile/",
        f"/t/{tenant.name}/../{other_tenant.name}/account/profile/",
        f"/t/{tenant.name}/%2e%2e/{other_tenant.name}/account/profile/",
    ):
        answer = client.post(
            tenant.url("/account/login/") + f"?next={target}",
            {"login": "nextco@example.com", "password": CUSTOMER_PASSWORD, "next": target},
        )
        assert answer.status_code == 302, answer.content
        assert other_tenant.name not in answer["Location"], target
        client.post(tenant.url("/account/logout/"))


@pytest.mark.django_db
def test_forwarded_for_is_believed_only_from_trusted_proxies(settings, tenant):
    def fail(forwarded_for: str) -> bytes:
        return (
            Client(HTTP_X_FORWARDED_FOR=forwarded_for)
            .post(tenant.url("/admin/signin/"), {"email": tenant.admin_email, "password": "no"})
            .content
        )

    # no trusted proxy: the header is the client's own word, and changes nothing
    settings.CIAM_TRUSTED_PROXIES = []
    for i in range(10):
        fail(f"198.51.100.{i}")
    assert b"Too many attempts" in fail("198.51.100.200")
    # behind a trusted proxy (the test client's 127.0.0.1), each forwarded client counts
    # for itself: one client's failures do not lock out another
    from ciam import ratelimit

    settings.CIAM_TRUSTED_PROXIES = ["127.0.0.0/8"]
    ratelimit.reset("admin-signin", f"203.0.113.5|{tenant.admin_email}")
    for _ in range(10):
        fail("203.0.113.5")
    assert b"Too many attempts" in fail("203.0.113.5")
    assert b"Too many attempts" not in fail("203.0.113.6, 127.0.0.1")
    assert b"Too many attempts" in fail("203.0.113.5, 127.0.0.2")


def test_no_discovery_document_under_v2_whose_issuer_would_differ(live_app, live_url):
    """Finding 9: a document fetched from <base>/v2.0/.well-known/... must name <base>/v2.0
    as issuer (OIDC Discovery §4.3); the tenant's issuer is <base>, so it is not served."""
    answer = requests.get(f"{live_url}/t/testco/v2.0/.well-known/openid-configuration", timeout=10)
    assert answer.status_code == 404
    config = requests.get(f"{live_url}/t/testco/.well-known/openid-configuration", timeout=10)
    assert config.json()["issuer"] == f"{live_url}/t/testco"
