"""OnPasswordSubmit: just-in-time password migration over real HTTP. The password reaches
the API only inside a JWE to the admin-uploaded public key; once the legacy store accepts
it, the account signs in with our own hash and the API is never called again for it."""

from __future__ import annotations

import json
import re

import pytest
import requests
from jwcrypto import jwe, jwk

from .api_server import Answer, answer

LEGACY_PASSWORD = "Legacy-Pass-2019"
RESPONSE_TYPE = "microsoft.graph.onPasswordSubmitResponseData"


@pytest.fixture
def legacy_key():
    return jwk.JWK.generate(kty="RSA", size=2048, kid="legacy-1")


@pytest.fixture
def legacy_api(live, legacy_key):
    """The tenant's legacy-store API: decrypts the password context with its private key
    and answers MigratePassword for the right password, Retry otherwise."""
    seen: list[dict] = []

    def respond(body):
        token = jwe.JWE()
        token.deserialize(body["data"]["encryptedPasswordContext"], key=legacy_key)
        context = json.loads(token.payload)
        seen.append({"header": json.loads(token.objects["protected"]), "claims": context})
        action = "MigratePassword" if context["user-password"] == LEGACY_PASSWORD else "Retry"
        return answer(
            RESPONSE_TYPE,
            {"@odata.type": f"microsoft.graph.passwordSubmit.{action}"},
            nonce=context["nonce"],
        )

    live.api.answer = respond
    live.make_extension(
        events=["OnPasswordSubmit"], encryption_public_key=legacy_key.export_public()
    )
    return seen


def _migrating_user(env, email="legacy@ext.example"):
    from directory.models import User
    from directory.services_users import set_password_migration_pending

    with env.tenant.context():
        user = User.objects.create_user(email, None, kind="customer")
        set_password_migration_pending(user=user, pending=True, actor="tests")
    return user


def _sign_in(env, email: str, password: str) -> requests.Response:
    browser = requests.Session()
    url = f"{env.issuer}/account/login/"
    page = browser.get(url, timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return browser.post(
        url,
        data={"login": email, "password": password, "csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=30,
    )


def _fresh(env, user):
    from directory.models import User

    with env.tenant.context():
        return User.objects.get(pk=user.pk)


def test_migrated_password_works_on_the_next_sign_in_without_a_call(live, legacy_api):
    # given
    user = _migrating_user(live)

    # when
    first = _sign_in(live, "legacy@ext.example", LEGACY_PASSWORD)

    # then: signed in, the password travelled as a JWE only
    assert first.status_code == 302, first.text[:300]
    assert "/account/login/" not in first.headers["Location"]
    [call] = legacy_api
    assert call["header"]["alg"] == "RSA-OAEP-256" and call["header"]["enc"] == "A256GCM"
    assert call["claims"]["username"] == "legacy@ext.example"
    received = live.api.last()
    assert received.token_error == ""
    assert received.body["type"] == "microsoft.graph.authenticationEvent.passwordSubmit"
    assert LEGACY_PASSWORD not in json.dumps(received.body)
    assert received.body["data"]["authenticationContext"]["user"]["id"] == str(user.pk)
    migrated = _fresh(live, user)
    assert migrated.password_migration_pending is False
    assert migrated.check_password(LEGACY_PASSWORD)

    # when: the next sign-in
    second = _sign_in(live, "legacy@ext.example", LEGACY_PASSWORD)

    # then: our own hash answers, the API is not called again
    assert second.status_code == 302
    assert "/account/login/" not in second.headers["Location"]
    assert len(live.api.received) == 1


def test_a_wrong_legacy_password_is_refused_and_the_mark_stays(live, legacy_api):
    user = _migrating_user(live)

    response = _sign_in(live, "legacy@ext.example", "Not-The-Legacy-1")

    assert response.status_code == 200  # the sign-in page again, with its error
    assert len(legacy_api) == 1
    assert _fresh(live, user).password_migration_pending is True


def test_an_answer_without_the_nonce_is_not_trusted(live, legacy_api):
    user = _migrating_user(live)
    live.api.answer = answer(
        RESPONSE_TYPE,
        {"@odata.type": "microsoft.graph.passwordSubmit.MigratePassword"},
        nonce="replayed",
    )

    response = _sign_in(live, "legacy@ext.example", LEGACY_PASSWORD)

    assert response.status_code == 200
    assert _fresh(live, user).password_migration_pending is True
    assert not _fresh(live, user).has_usable_password()


def test_accounts_not_marked_are_never_sent_to_the_api(live, legacy_api):
    live.make_user("plain@ext.example")

    response = _sign_in(live, "plain@ext.example", "Wrong-Password-9")

    assert response.status_code == 200
    assert live.api.received == []


def test_an_unreachable_legacy_api_fails_the_sign_in(live, legacy_api):
    user = _migrating_user(live)
    live.api.answer = Answer(status=500, body={})

    response = _sign_in(live, "legacy@ext.example", LEGACY_PASSWORD)

    assert response.status_code == 200
    assert _fresh(live, user).password_migration_pending is True


def test_bulk_import_column_marks_accounts_to_migrate(tenant):
    from directory.models import User
    from directory.services_import import import_users

    with tenant.context():
        report = import_users(
            "email,password_migration_pending\nold1@example.com,true\nnew1@example.com,false\n"
            "bad@example.com,maybe\n",
            "csv",
            actor="tests",
        )
        assert report.created == 2
        assert "password_migration_pending must be true or false." in report.errors[0]["reason"]
        assert User.objects.get(email="old1@example.com").password_migration_pending is True
        assert User.objects.get(email="new1@example.com").password_migration_pending is False


def test_choosing_a_new_password_clears_the_mark(tenant):
    from directory.models import User
    from directory.services_users import set_password, set_password_migration_pending

    with tenant.context():
        user = User.objects.create_user("reset@example.com", None, kind="customer")
        set_password_migration_pending(user=user, pending=True, actor="tests")
        set_password(user=user, password="A-Brand-New-Pass-77", actor="tests")
        assert User.objects.get(pk=user.pk).password_migration_pending is False
