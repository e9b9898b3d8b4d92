"""The native authentication API end to end over real HTTP against the live test server:
every journey an app drives with its own screens, and the tokens it gets, checked with
PyJWT against the tenant's JWKS."""

from __future__ import annotations

import base64
import json

import jwt
import pytest
import requests

from .conftest import PASSWORD

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
ALL_TYPES = "oob password redirect"


@pytest.mark.django_db
def test_continuation_tokens_name_their_journey_client_and_step(tenant):
    """(Also the test that makes pytest-django set up the test database when this module
    runs alone: the live-server tests below use committed rows, not the `db` fixture.)"""
    from userflows.journey import store
    from userflows.journey import tokens as ct

    with tenant.context():
        journey = store.create("signin", "", client_id="app-a", client_type="native")
        token = ct.issue(journey, "primary")
        with pytest.raises(ct.TokenError):
            ct.redeem(token, "app-b", ("primary",))
        with pytest.raises(ct.TokenError):
            ct.redeem(token, "app-a", ("mfa",))
        assert ct.redeem(token, "app-a", ("primary",)).id == journey.id
        with pytest.raises(ct.TokenError) as replayed:
            ct.redeem(token, "app-a", ("primary",))
        assert replayed.value.reason == "invalid"


@pytest.fixture
def native(tenants_setup, live_url, smtp):
    """A native app enabled for native authentication on testco, over HTTP; customers and
    apps made here are removed afterwards (the live server commits)."""
    from allauth.account.models import EmailAddress

    from applications.models import Application
    from directory.models import User
    from insights.models import Event
    from userflows import services
    from userflows.models import FlowAttribute, NativeAuthSettings

    tenant = tenants_setup[0]
    with tenant.context():
        app = Application.objects.create(
            name="Native",
            client_id="native-app",
            client_type="public",
            app_type="native",
            authorization_grant_type="authorization-code",
            redirect_uris="",
            native_auth_enabled=True,
        )
        Application.objects.create(
            name="Not native",
            client_id="plain-public",
            client_type="public",
            app_type="native",
            authorization_grant_type="authorization-code",
            redirect_uris="",
        )

    class Native:
        base = f"{live_url}/t/{tenant.name}"
        client_id = app.client_id
        mailbox = smtp

        def post(self, path, **data):
            data.setdefault("client_id", self.client_id)
            return requests.post(f"{self.base}{path}", data=data, headers=FORM, timeout=60)

        def run(self, fn):
            with tenant.context():
                return fn()

        def customer(self, email="ada@example.com", password=PASSWORD):
            def make():
                user = User.objects.create_user(email, password, kind="customer")
                EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
                return user

            return self.run(make)

        def verify(self, id_token, access_token=None):
            keys = jwt.PyJWKClient(f"{self.base}/discovery/v2.0/keys")
            key = keys.get_signing_key_from_jwt(id_token).key
            header = jwt.get_unverified_header(id_token)
            claims = jwt.decode(
                id_token,
                key,
                algorithms=[header["alg"]],
                audience=self.client_id,
                issuer=self.base,
            )
            if access_token:
                akey = keys.get_signing_key_from_jwt(access_token).key
                aalg = jwt.get_unverified_header(access_token)["alg"]
                jwt.decode(
                    access_token,
                    akey,
                    algorithms=[aalg],
                    issuer=self.base,
                    options={"verify_aud": False},
                )
            return claims

    yield Native()

    def cleanup():
        User.objects.filter(kind="customer").delete()
        Application.objects.filter(client_id__in=["native-app", "plain-public"]).delete()
        FlowAttribute.objects.all().delete()
        NativeAuthSettings.objects.all().delete()
        flow = services.get_default_flow()
        flow.mfa_policy = "off"
        flow.password_enabled = flow.email_code_enabled = flow.signup_enabled = True
        flow.save()
        Event.objects.all().delete()

    with tenant.context():
        cleanup()


def _tokens_ok(native, answer, email):
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert body["refresh_token"]
    claims = native.verify(body["id_token"], body["access_token"])
    assert claims["email"] == email
    info = json.loads(base64.urlsafe_b64decode(body["client_info"] + "=="))
    assert info["uid"] == claims["sub"]
    assert info["utid"]
    return body, claims


SCOPE = "openid offline_access profile email"


def test_sign_up_with_password(native):
    # when the app starts a sign-up with the email and password
    r = native.post(
        "/signup/v1.0/start",
        username="new@example.com",
        password=PASSWORD,
        challenge_type=ALL_TYPES,
    )
    assert r.status_code == 200, r.text
    r = native.post("/signup/v1.0/challenge", continuation_token=r.json()["continuation_token"])
    body = r.json()
    assert body["challenge_type"] == "oob" and body["code_length"] == 6
    assert body["challenge_channel"] == "email"
    code = native.mailbox.last_code("new@example.com")
    r = native.post(
        "/signup/v1.0/continue",
        continuation_token=body["continuation_token"],
        grant_type="oob",
        oob=code,
    )
    assert r.status_code == 200, r.text
    # then it signs in with the continuation token, without asking again
    r = native.post(
        "/oauth2/v2.0/token",
        continuation_token=r.json()["continuation_token"],
        grant_type="continuation_token",
        scope=SCOPE,
        username="new@example.com",
    )
    _tokens_ok(native, r, "new@example.com")

    def check():
        from directory.models import User
        from insights.models import Event

        user = User.objects.get(email="new@example.com")
        assert user.check_password(PASSWORD)
        done = Event.objects.get(kind="signup.completed", user_id=user.pk)
        assert done.data["method"] == "password"
        assert done.data["client_type"] == "native"
        signed = Event.objects.get(kind="signin.succeeded", user_id=user.pk)
        assert signed.data["client_type"] == "native"

    native.run(check)


def test_sign_up_with_code_and_attributes(native):
    def configure():
        from userflows import services
        from userflows.models import FlowAttribute

        flow = services.get_default_flow()
        flow.password_enabled = False
        flow.save()
        FlowAttribute.objects.create(
            flow=flow, attribute="given_name", label="Given name", required=True, order=1
        )

    native.run(configure)
    r = native.post("/signup/v1.0/start", username="code@example.com", challenge_type=ALL_TYPES)
    token = r.json()["continuation_token"]
    r = native.post("/signup/v1.0/challenge", continuation_token=token)
    code = native.mailbox.last_code("code@example.com")
    r = native.post(
        "/signup/v1.0/continue",
        continuation_token=r.json()["continuation_token"],
        grant_type="oob",
        oob=code,
    )
    # the flow's attributes are asked for
    assert r.status_code == 400
    body = r.json()
    assert body["error"] == "attributes_required"
    assert [a["name"] for a in body["required_attributes"]] == ["given_name"]
    # a missing required value is refused, naming the attribute
    r = native.post(
        "/signup/v1.0/continue",
        continuation_token=body["continuation_token"],
        grant_type="attributes",
        attributes=json.dumps({"given_name": ""}),
    )
    assert r.status_code == 400
    body = r.json()
    assert body["error"] == "attribute_validation_failed"
    assert body["invalid_attributes"] == [{"name": "given_name"}]
    native.run(lambda: _no_customer("code@example.com"))
    r = native.post(
        "/signup/v1.0/continue",
        continuation_token=body["continuation_token"],
        grant_type="attributes",
        attributes=json.dumps({"given_name": "Ada"}),
    )
    assert r.status_code == 200, r.text
    r = native.post(
        "/oauth2/v2.0/token",
        continuation_token=r.json()["continuation_token"],
        grant_type="continuation_token",
        scope=SCOPE,
    )
    _body, claims = _tokens_ok(native, r, "code@example.com")
    assert claims["given_name"] == "Ada"

    def check():
        from directory.models import User
        from insights.models import Event

        user = User.objects.get(email="code@example.com")
        assert not user.has_usable_password()
        assert Event.objects.get(kind="signup.completed").data["method"] == "email_otp"

    native.run(check)


def _no_customer(email):
    from directory.models import User

    assert not User.objects.filter(email=email).exists()


def _password_signin(native, email, password, scope=SCOPE):
    r = native.post("/oauth2/v2.0/initiate", username=email, challenge_type=ALL_TYPES)
    assert r.status_code == 200, r.text
    r = native.post("/oauth2/v2.0/challenge", continuation_token=r.json()["continuation_token"])
    assert r.json()["challenge_type"] == "password"
    return native.post(
        "/oauth2/v2.0/token",
        continuation_token=r.json()["continuation_token"],
        grant_type="password",
        password=password,
        scope=scope,
        client_info="true",
    )


def test_password_sign_in(native):
    native.customer()
    r = _password_signin(native, "ada@example.com", PASSWORD)
    body, claims = _tokens_ok(native, r, "ada@example.com")
    assert claims["amr"] == ["pwd"]
    # the refresh token works at the ordinary token endpoint
    r = requests.post(
        f"{native.base}/oauth2/v2.0/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": body["refresh_token"],
            "client_id": native.client_id,
        },
        headers=FORM,
        timeout=60,
    )
    assert r.status_code == 200, r.text


def test_wrong_password_and_unknown_user_answer_the_same(native):
    native.customer()
    wrong = _password_signin(native, "ada@example.com", "Not-The-Password-1")
    unknown = _password_signin(native, "nobody@example.com", "Not-The-Password-1")
    for r in (wrong, unknown):
        assert r.status_code == 400
        assert r.json()["error"] == "invalid_grant"
        assert r.json()["error_codes"] == [50126]

    def check():
        from insights.models import Event

        reasons = sorted(e.data["reason"] for e in Event.objects.filter(kind="signin.failed"))
        assert reasons == ["bad_credentials", "unknown_user"]

    native.run(check)


def test_user_not_found_only_when_the_tenant_turns_it_on(native):
    r = native.post(
        "/oauth2/v2.0/initiate", username="nobody@example.com", challenge_type=ALL_TYPES
    )
    assert r.status_code == 200

    def turn_on():
        from userflows.models import NativeAuthSettings

        NativeAuthSettings.objects.update_or_create(id=1, defaults={"user_not_found_enabled": True})

    native.run(turn_on)
    r = native.post(
        "/oauth2/v2.0/initiate", username="nobody@example.com", challenge_type=ALL_TYPES
    )
    assert r.status_code == 400
    assert r.json()["error"] == "user_not_found"
    assert r.json()["error_codes"] == [50034]


def test_lockout_applies_to_the_native_api(native):
    native.customer()
    for _ in range(5):
        _password_signin(native, "ada@example.com", "Not-The-Password-1")
    r = _password_signin(native, "ada@example.com", PASSWORD)
    assert r.status_code == 400
    assert r.json()["error_codes"] == [50053]


def test_code_sign_in(native):
    native.customer()
    r = native.post(
        "/oauth2/v2.0/initiate", username="ada@example.com", challenge_type="oob redirect"
    )
    r = native.post("/oauth2/v2.0/challenge", continuation_token=r.json()["continuation_token"])
    body = r.json()
    assert body["challenge_type"] == "oob"
    assert body["challenge_target_label"] == "a***@example.com"
    code = native.mailbox.last_code("ada@example.com")
    wrong = "000000" if code != "000000" else "111111"
    r = native.post(
        "/oauth2/v2.0/token",
        continuation_token=body["continuation_token"],
        grant_type="oob",
        oob=wrong,
        scope=SCOPE,
    )
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_grant"
    assert r.json()["suberror"] == "invalid_oob_value"
    assert r.json()["error_codes"] == [50181]
    r = native.post(
        "/oauth2/v2.0/token",
        continuation_token=r.json()["continuation_token"],
        grant_type="oob",
        oob=code,
        scope=SCOPE,
    )
    _tokens_ok(native, r, "ada@example.com")


def test_reset_then_sign_in_with_the_continuation_token(native):
    native.customer()
    r = native.post(
        "/resetpassword/v1.0/start", username="ada@example.com", challenge_type=ALL_TYPES
    )
    r = native.post(
        "/resetpassword/v1.0/challenge", continuation_token=r.json()["continuation_token"]
    )
    assert r.json()["challenge_type"] == "oob"
    code = native.mailbox.last_code("ada@example.com")
    r = native.post(
        "/resetpassword/v1.0/continue",
        grant_type="oob",
        oob=code,
        continuation_token=r.json()["continuation_token"],
    )
    assert r.status_code == 200, r.text
    token = r.json()["continuation_token"]
    weak = native.post(
        "/resetpassword/v1.0/submit", continuation_token=token, new_password="password"
    )
    assert weak.status_code == 400
    assert weak.json()["error"] == "invalid_grant"
    assert weak.json()["suberror"] in {"password_too_short", "password_banned"}
    r = native.post(
        "/resetpassword/v1.0/submit",
        new_password="Brand-New-Secret-58",
        continuation_token=weak.json()["continuation_token"],
    )
    assert r.status_code == 200, r.text
    r = native.post(
        "/resetpassword/v1.0/poll_completion", continuation_token=r.json()["continuation_token"]
    )
    assert r.json()["status"] == "succeeded"
    r = native.post(
        "/oauth2/v2.0/token",
        continuation_token=r.json()["continuation_token"],
        grant_type="continuation_token",
        scope=SCOPE,
    )
    _tokens_ok(native, r, "ada@example.com")
    assert _password_signin(native, "ada@example.com", "Brand-New-Secret-58").status_code == 200

    def check():
        from insights.models import Event

        assert Event.objects.filter(kind="password.reset").count() == 1

    native.run(check)


def test_mfa_required_then_email_code(native):
    native.customer()

    def always():
        from userflows import services

        flow = services.get_default_flow()
        flow.mfa_policy = "always"
        flow.save()

    native.run(always)
    r = _password_signin(native, "ada@example.com", PASSWORD)
    assert r.status_code == 400
    body = r.json()
    assert body["error"] == "invalid_grant" and body["suberror"] == "mfa_required"
    assert body["error_codes"] == [50076]
    r = native.post("/oauth2/v2.0/introspect", continuation_token=body["continuation_token"])
    assert r.status_code == 200, r.text
    methods = r.json()["methods"]
    assert methods[0]["challenge_type"] == "oob" and methods[0]["challenge_channel"] == "email"
    r = native.post(
        "/oauth2/v2.0/challenge",
        continuation_token=r.json()["continuation_token"],
        id=methods[0]["id"],
        challenge_type=ALL_TYPES,
    )
    assert r.json()["challenge_type"] == "oob"
    code = native.mailbox.last_code("ada@example.com")
    r = native.post(
        "/oauth2/v2.0/token",
        continuation_token=r.json()["continuation_token"],
        grant_type="oob",
        oob=code,
        scope=SCOPE,
    )
    _tokens_ok(native, r, "ada@example.com")

    def check():
        from insights.models import Event

        event = Event.objects.get(kind="mfa.challenge")
        assert event.data == {"method": "email", "result": "success"}

    native.run(check)


def test_redirect_when_the_app_cannot_do_what_the_flow_needs(native):
    native.customer()

    # a code-only flow, and an app that only handles passwords
    def codes_only():
        from userflows import services

        flow = services.get_default_flow()
        flow.password_enabled = False
        flow.save()

    native.run(codes_only)
    r = native.post(
        "/oauth2/v2.0/initiate", username="ada@example.com", challenge_type="password redirect"
    )
    assert r.status_code == 200
    assert r.json() == {"challenge_type": "redirect"}
    r = native.post(
        "/signup/v1.0/start", username="x@example.com", challenge_type="password redirect"
    )
    assert r.json() == {"challenge_type": "redirect"}


# -- error paths ---------------------------------------------------------------------------
def test_clients_must_be_known_public_and_enabled(native):
    r = native.post(
        "/oauth2/v2.0/initiate", client_id="", username="a@example.com", challenge_type=ALL_TYPES
    )
    assert (r.status_code, r.json()["error"]) == (400, "invalid_request")
    r = native.post(
        "/oauth2/v2.0/initiate",
        client_id="nope",
        username="a@example.com",
        challenge_type=ALL_TYPES,
    )
    assert (r.status_code, r.json()["error"]) == (400, "unauthorized_client")
    r = native.post(
        "/oauth2/v2.0/initiate",
        client_id="plain-public",
        username="a@example.com",
        challenge_type=ALL_TYPES,
    )
    assert (r.status_code, r.json()["error"]) == (400, "invalid_client")
    body = r.json()
    assert body["error_description"].startswith("AADSTS")
    assert {"timestamp", "trace_id", "correlation_id", "error_codes"} <= set(body)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"username": "a@example.com"}, "invalid_request"),  # no challenge_type
        ({"username": "a@example.com", "challenge_type": "oob sms redirect"}, "invalid_request"),
        (
            {"username": "a@example.com", "challenge_type": "oob password"},
            "unsupported_challenge_type",
        ),
        ({"challenge_type": ALL_TYPES}, "invalid_request"),  # no username
        ({"username": "a\x00@example.com", "challenge_type": ALL_TYPES}, "invalid_request"),
        ({"username": "a" * 5000, "challenge_type": ALL_TYPES}, "invalid_request"),
    ],
)
def test_malformed_requests_get_the_documented_error(native, data, error):
    for path in ("/oauth2/v2.0/initiate", "/signup/v1.0/start", "/resetpassword/v1.0/start"):
        r = native.post(path, **data)
        assert r.status_code == 400, (path, r.text)
        assert r.json()["error"] == error, path


def test_duplicate_parameters_and_wrong_content_type(native):
    body = (
        f"client_id={native.client_id}&username=a@example.com&username=b@example.com"
        f"&challenge_type=oob+password+redirect"
    )
    r = requests.post(f"{native.base}/oauth2/v2.0/initiate", data=body, headers=FORM, timeout=60)
    assert (r.status_code, r.json()["error"]) == (400, "invalid_request")
    r = requests.post(
        f"{native.base}/signup/v1.0/start",
        json={"client_id": native.client_id, "username": "a@example.com"},
        timeout=60,
    )
    assert (r.status_code, r.json()["error"]) == (400, "invalid_request")
    r = native.post(
        "/signup/v1.0/start",
        username="x@example.com",
        challenge_type=ALL_TYPES,
        password=PASSWORD,
        attributes="{not json",
    )
    assert (r.status_code, r.json()["error"]) == (400, "invalid_request")
    native.run(lambda: _no_customer("x@example.com"))


def test_continuation_tokens_are_single_use_bound_and_tamper_proof(native):
    native.customer()
    r = native.post("/oauth2/v2.0/initiate", username="ada@example.com", challenge_type=ALL_TYPES)
    token = r.json()["continuation_token"]
    # tampered
    r = native.post("/oauth2/v2.0/challenge", continuation_token=token[:-2] + "xx")
    assert (r.status_code, r.json()["error"]) == (400, "invalid_grant")
    # another client's
    r = native.post("/oauth2/v2.0/challenge", continuation_token=token, client_id="plain-public")
    assert r.json()["error"] == "invalid_client"
    # a sign-in token at sign-up's continue (another flow, another step)
    r = native.post(
        "/signup/v1.0/continue", continuation_token=token, grant_type="oob", oob="123456"
    )
    assert (r.status_code, r.json()["error"]) == (400, "invalid_request")
    # used once, then replayed
    first = native.post("/oauth2/v2.0/challenge", continuation_token=token)
    assert first.status_code == 200
    again = native.post("/oauth2/v2.0/challenge", continuation_token=token)
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")
    r = native.post(
        "/oauth2/v2.0/token",
        continuation_token=token,
        grant_type="password",
        password=PASSWORD,
        scope=SCOPE,
    )
    assert (r.status_code, r.json()["error"]) == (400, "invalid_grant")


def test_expired_continuation_token(native):
    from django.core import signing

    from userflows.journey import tokens as ct

    native.customer()
    r = native.post("/oauth2/v2.0/initiate", username="ada@example.com", challenge_type=ALL_TYPES)
    token = r.json()["continuation_token"]
    data = signing.loads(token, salt=ct.SALT)
    # the same claims, signed as of eleven minutes ago
    old = signing.TimestampSigner(salt=ct.SALT)
    old.timestamp = lambda: signing.b62_encode(int(__import__("time").time()) - 660)
    stale = old.sign_object(data)
    r = native.post("/oauth2/v2.0/challenge", continuation_token=stale)
    assert (r.status_code, r.json()["error"]) == (400, "expired_token")


def test_bad_grant_type_and_scope(native):
    native.customer()
    r = native.post("/signup/v1.0/continue", continuation_token="x", grant_type="magic")
    assert r.json()["error"] == "unsupported_grant_type"
    r = native.post("/oauth2/v2.0/initiate", username="ada@example.com", challenge_type=ALL_TYPES)
    r = native.post("/oauth2/v2.0/challenge", continuation_token=r.json()["continuation_token"])
    r = native.post(
        "/oauth2/v2.0/token",
        continuation_token=r.json()["continuation_token"],
        grant_type="password",
        password=PASSWORD,
        scope="openid not.a.scope",
    )
    assert (r.status_code, r.json()["error"]) == (400, "invalid_scope")


def test_sign_up_of_an_existing_email_reveals_nothing_and_creates_nothing(native):
    native.customer()
    r = native.post(
        "/signup/v1.0/start",
        username="ada@example.com",
        password=PASSWORD,
        challenge_type=ALL_TYPES,
    )
    assert r.status_code == 200
    r = native.post("/signup/v1.0/challenge", continuation_token=r.json()["continuation_token"])
    assert r.json()["challenge_type"] == "oob"
    r = native.post(
        "/signup/v1.0/continue",
        continuation_token=r.json()["continuation_token"],
        grant_type="oob",
        oob="123456",
    )
    assert r.json()["suberror"] == "invalid_oob_value"


def test_weak_password_at_sign_up_start(native):
    r = native.post(
        "/signup/v1.0/start",
        username="weak@example.com",
        password="password",
        challenge_type=ALL_TYPES,
    )
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_grant"
    assert r.json()["suberror"] in {"password_too_short", "password_banned", "password_too_weak"}
    native.run(lambda: _no_customer("weak@example.com"))
