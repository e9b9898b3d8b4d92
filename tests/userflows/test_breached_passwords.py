"""Breached passwords through the real customer pages: refused at sign-up, reset and
change with the message beside the field; a sign-in with a password that became breached
forces a change (tenant policy); HIBP's range API mode against a local server speaking it."""

from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.test import Client

from directory import breached
from directory.models import User
from insights.models import Event
from tests.directory.test_breached_passwords import BREACHED, CLEAN, sha1, write_corpus
from userflows import services

from .conftest import PASSWORD
from .test_signin import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(tmp_path, settings):
    settings.CIAM_BREACHED_PASSWORDS_FILE = str(tmp_path / "breached.bin")
    settings.CIAM_HIBP_RANGE_API = False
    source = write_corpus(tmp_path / "pwned.txt", [BREACHED], random_hashes=2000)
    call_command("load_breached_passwords", str(source), "--no-progress", stdout=io.StringIO())


class RangeAPI(BaseHTTPRequestHandler):
    """HIBP's range API: GET /range/{5 hex} answers SUFFIX:COUNT lines, padded with
    count-0 suffixes when Add-Padding is sent."""

    known = [sha1(BREACHED)]
    requested: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        prefix = self.path.rsplit("/", 1)[-1]
        type(self).requested.append(self.path)
        if not self.path.startswith("/range/") or len(prefix) != 5:
            self.send_response(400)
            self.end_headers()
            return
        lines = [f"{d[5:]}:{1234}" for d in self.known if d.startswith(prefix.upper())]
        if self.headers.get("Add-Padding") == "true":
            lines += [f"{'0' * 30}{i:05X}:0" for i in range(20)]
            lines.append(f"{sha1(CLEAN)[5:]}:0")  # a padding row must not count
        body = "\r\n".join(lines).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def range_api(tmp_path, settings):
    RangeAPI.requested = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), RangeAPI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CIAM_BREACHED_PASSWORDS_FILE = str(tmp_path / "none.bin")
    settings.CIAM_HIBP_RANGE_API = True
    settings.CIAM_OUTBOUND_ALLOW_PRIVATE = True
    settings.CIAM_HIBP_RANGE_URL = f"http://127.0.0.1:{server.server_port}/range/"
    yield RangeAPI
    server.shutdown()
    server.server_close()


def _signup_to_password(client, tenant, smtp, email="new@example.com"):
    url = tenant.url("/account/signup/")
    client.post(url, {"email": email})
    client.post(url, {"code": smtp.last_code(email)})
    return url


def test_signup_refuses_a_breached_password_beside_the_field(tenant, smtp, default_flow, corpus):
    client = Client()
    url = _signup_to_password(client, tenant, smtp)
    r = client.post(url, {"password1": BREACHED, "password2": BREACHED})
    assert r.status_code == 200
    assert r.context["form"].errors["password1"] == [breached.MESSAGE]
    assert breached.MESSAGE in r.content.decode()
    # a clean password goes through
    r = client.post(url, {"password1": CLEAN, "password2": CLEAN})
    assert r.status_code == 302


def test_reset_refuses_a_breached_password(tenant, smtp, default_flow, make_customer, corpus):
    make_customer()
    client = Client()
    r = client.post(tenant.url("/account/password/reset/"), {"email": "ada@example.com"})
    r = client.post(r["Location"], {"code": smtp.last_code("ada@example.com")})
    set_url = r["Location"]
    r = client.post(set_url, {"password1": BREACHED, "password2": BREACHED})
    assert r.status_code == 200
    assert r.context["form"].errors["password1"] == [breached.MESSAGE]
    with tenant.context():
        assert User.objects.get(email="ada@example.com").check_password(PASSWORD)


def test_change_refuses_a_breached_password(tenant, default_flow, make_customer, corpus):
    make_customer()
    client = Client()
    assert login(client, tenant, "ada@example.com", PASSWORD).status_code == 302
    r = client.post(
        tenant.url("/account/password/change/"),
        {"oldpassword": PASSWORD, "password1": BREACHED, "password2": BREACHED},
    )
    assert r.status_code == 200
    assert r.context["form"].errors["password1"] == [breached.MESSAGE]
    with tenant.context():
        assert User.objects.get(email="ada@example.com").check_password(PASSWORD)


def test_admin_set_password_is_refused_too(tenant, make_customer, corpus):
    from django.core.exceptions import ValidationError

    from directory.services_users import set_password

    user = make_customer()
    with tenant.context(), pytest.raises(ValidationError) as exc:
        set_password(user=user, password=BREACHED, actor="tests")
    assert exc.value.message_dict["password"] == [breached.MESSAGE]


def test_signin_with_a_password_that_became_breached_forces_a_change(
    tenant, default_flow, make_customer, corpus
):
    # given a customer whose password was fine when chosen and is now in the corpus
    user = make_customer(password=BREACHED)
    client = Client()
    # when they sign in
    assert login(client, tenant, "ada@example.com", BREACHED).status_code == 302
    # then they must choose a new password before anything else
    r = client.get(tenant.url("/account/profile/"))
    assert r.status_code == 302
    assert r["Location"].startswith(tenant.url("/account/password/change/"))
    with tenant.context():
        assert User.objects.get(pk=user.pk).must_change_password
        assert Event.objects.filter(kind="signin.breached_password", user_id=user.pk).exists()
    r = client.post(
        tenant.url("/account/password/change/"),
        {"oldpassword": BREACHED, "password1": CLEAN, "password2": CLEAN},
    )
    assert r.status_code == 302
    assert client.get(tenant.url("/account/profile/")).status_code == 200
    with tenant.context():
        assert not User.objects.get(pk=user.pk).must_change_password


def test_tenant_policy_off_lets_a_breached_signin_through(
    tenant, default_flow, make_customer, corpus
):
    user = make_customer(password=BREACHED)
    with tenant.context():
        services.update_password_policy(
            min_length=8, reject_common=True, change_breached_at_signin=False, actor="tests"
        )
    client = Client()
    assert login(client, tenant, "ada@example.com", BREACHED).status_code == 302
    assert client.get(tenant.url("/account/profile/")).status_code == 200
    with tenant.context():
        assert not User.objects.get(pk=user.pk).must_change_password


def test_wrong_password_never_marks_the_account(tenant, default_flow, make_customer, corpus):
    user = make_customer()
    assert login(Client(), tenant, "ada@example.com", BREACHED).status_code == 200
    with tenant.context():
        assert not User.objects.get(pk=user.pk).must_change_password


def test_range_api_mode_sends_only_the_prefix(tenant, smtp, default_flow, range_api):
    assert breached.is_breached(BREACHED)
    assert not breached.is_breached(CLEAN)  # listed only as padding (count 0)
    assert range_api.requested == [f"/range/{sha1(BREACHED)[:5]}", f"/range/{sha1(CLEAN)[:5]}"]
    # and through the sign-up page
    client = Client()
    url = _signup_to_password(client, tenant, smtp)
    r = client.post(url, {"password1": BREACHED, "password2": BREACHED})
    assert r.context["form"].errors["password1"] == [breached.MESSAGE]


def test_range_api_unreachable_does_not_block(settings, tmp_path):
    settings.CIAM_BREACHED_PASSWORDS_FILE = str(tmp_path / "none.bin")
    settings.CIAM_HIBP_RANGE_API = True
    settings.CIAM_OUTBOUND_ALLOW_PRIVATE = True
    from .conftest import free_port

    settings.CIAM_HIBP_RANGE_URL = f"http://127.0.0.1:{free_port()}/range/"
    assert not breached.is_breached(BREACHED)


def test_admin_policy_page_turns_the_breached_signin_setting_off_audited(tenant, admin_client):
    from directory.models import AuditEvent

    r = admin_client.post(
        tenant.url("/admin/userflows/password-policy/"), {"min_length": 8, "reject_common": "on"}
    )
    assert r.status_code == 302
    with tenant.context():
        assert not services.get_password_policy().change_breached_at_signin
        event = AuditEvent.objects.get(action="password_policy.update")
    assert event.before["change_breached_at_signin"] is True
    assert event.after["change_breached_at_signin"] is False
