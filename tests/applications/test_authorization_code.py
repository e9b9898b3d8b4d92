"""Authorization code grant: PKCE, redirect URIs, codes, prompts, response modes."""

from __future__ import annotations

import json

from jwcrypto import jwk, jwt

from applications.validator import code_digest

from .conftest import Flow, query_of


def _verify(tenant, client, token: str) -> dict:
    jwks = client.get(tenant.url("/discovery/v2.0/keys")).content
    keyset = jwk.JWKSet.from_json(jwks)
    return json.loads(jwt.JWT(jwt=token, key=keyset).claims)


def test_code_flow_returns_tokens_signed_with_the_tenant_keys(tenant, flow, client):
    # when
    tokens = flow.tokens()

    # then
    id_claims = _verify(tenant, client, tokens["id_token"])
    assert id_claims["iss"] == "http://testserver/t/testco"
    assert id_claims["aud"] == flow.app.client_id
    assert id_claims["nonce"] == "n0nce"
    assert id_claims["tid"] == str(tenant.tenant.pk)
    assert id_claims["azp"] == flow.app.client_id
    assert id_claims["sub"] == id_claims["oid"]
    assert id_claims["email"] == "casey@example.com" and id_claims["email_verified"] is True
    assert {"auth_time", "sid", "amr", "acr"} <= set(id_claims)
    access = _verify(tenant, client, tokens["access_token"])
    assert access["scp"] == "openid profile email offline_access"
    assert access["tid"] == str(tenant.tenant.pk)
    header = json.loads(jwt.JWT(jwt=tokens["access_token"]).token.objects["protected"])
    assert header["typ"] == "at+jwt" and header["kid"]


def test_app_can_choose_es256(tenant, signed_in, make_app, client):
    # given
    app, secret = make_app("web", algorithm="ES256")
    flow = Flow(tenant, signed_in, app, secret)

    # when
    tokens = flow.tokens()

    # then
    header = json.loads(jwt.JWT(jwt=tokens["id_token"]).token.objects["protected"])
    assert header["alg"] == "ES256"
    assert _verify(tenant, client, tokens["id_token"])["aud"] == app.client_id


def test_public_client_without_pkce_gets_invalid_request(tenant, signed_in, make_app):
    # given
    app, _ = make_app("spa")
    flow = Flow(tenant, signed_in, app)

    # when
    response = flow.authorize(pkce=False)

    # then
    assert response.status_code == 302
    params = query_of(response["Location"])
    assert params["error"] == "invalid_request"
    assert "code" not in params


def test_plain_pkce_method_is_refused(tenant, signed_in, make_app):
    app, _ = make_app("spa")
    flow = Flow(tenant, signed_in, app)
    response = flow.authorize(code_challenge="x" * 50, code_challenge_method="plain")
    assert query_of(response["Location"])["error"] == "invalid_request"


def test_public_client_completes_the_flow_with_pkce(tenant, signed_in, make_app):
    app, _ = make_app("spa")
    flow = Flow(tenant, signed_in, app)
    tokens = flow.tokens()
    assert tokens["token_type"] == "Bearer" and tokens["refresh_token"]


def test_wrong_code_verifier_is_invalid_grant(flow):
    code = flow.code()
    flow.verifier = "wrong-verifier-" + "x" * 40
    response = flow.exchange(code)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_confidential_client_may_skip_pkce(flow):
    code = flow.code(pkce=False)
    response = flow.token(
        {"grant_type": "authorization_code", "code": code, "redirect_uri": flow.redirect_uri}
    )
    assert response.status_code == 200


def test_unregistered_redirect_uri_shows_an_error_page_and_never_redirects(flow):
    # when
    response = flow.authorize(redirect_uri="https://evil.example/cb")

    # then
    assert response.status_code == 400
    assert "Location" not in response
    assert b"invalid_request" in response.content or b"redirect" in response.content.lower()


def test_unknown_client_shows_an_error_page(flow):
    response = flow.authorize(client_id="nope")
    assert response.status_code in {400, 401}
    assert "Location" not in response


def test_reused_code_is_refused_and_revokes_what_it_produced(tenant, flow, client):
    # given
    code = flow.code()
    first = flow.exchange(code).json()

    # when
    replay = flow.exchange(code)

    # then
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    userinfo = client.get(
        tenant.url("/oidc/userinfo"), HTTP_AUTHORIZATION=f"Bearer {first['access_token']}"
    )
    assert userinfo.status_code == 401
    refreshed = flow.token({"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert refreshed.json()["error"] == "invalid_grant"


def test_expired_code_is_invalid_grant(tenant, flow):
    from datetime import timedelta

    from django.utils import timezone

    from applications.models import Grant

    code = flow.code()
    with tenant.context():
        expired = Grant.objects.filter(code=code_digest(code)).update(
            expires=timezone.now() - timedelta(seconds=1)
        )
    assert expired == 1
    assert flow.exchange(code).json()["error"] == "invalid_grant"


def test_codes_are_stored_as_digests_only(tenant, flow):
    from applications.models import Grant

    # when
    code = flow.code()

    # then: the row never holds the code itself, and the code still works
    with tenant.context():
        grant = Grant.objects.get()
        assert grant.code == code_digest(code) and grant.code != code
    assert flow.exchange(code).status_code == 200


def test_signed_out_user_is_sent_to_the_tenant_sign_in_page_and_back(tenant, make_app):
    # given
    from django.test import Client

    app, secret = make_app("web")
    flow = Flow(tenant, Client(), app, secret)

    # when
    response = flow.authorize(login_hint="casey@example.com")

    # then
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/t/testco/account/login/")
    params = query_of(location)
    assert params["next"].startswith("/t/testco/oauth2/v2.0/authorize?")
    assert params["login_hint"] == "casey@example.com"


def test_sign_in_through_the_login_form_then_the_flow_completes(tenant, customer, make_app):
    from django.test import Client

    app, secret = make_app("web")
    browser = Client()
    flow = Flow(tenant, browser, app, secret)
    login_redirect = flow.authorize()["Location"]
    response = browser.post(
        login_redirect, {"login": "casey@example.com", "password": "Customer-Secret-77"}
    )
    assert response.status_code == 302, response.content
    back = browser.get(response["Location"])
    assert back.status_code == 302
    assert back["Location"].startswith("https://app.example/cb?code=")


def test_prompt_none_when_signed_out_returns_login_required(tenant, make_app):
    from django.test import Client

    app, secret = make_app("web")
    response = Flow(tenant, Client(), app, secret).authorize(prompt="none")
    params = query_of(response["Location"])
    assert response["Location"].startswith("https://app.example/cb")
    assert params["error"] == "login_required" and params["state"] == "st4te"


def test_prompt_login_forces_the_sign_in_page(flow):
    response = flow.authorize(prompt="login")
    assert response.status_code == 302
    assert "/account/login/" in response["Location"]


def test_prompt_select_account_shows_the_sign_in_page(flow):
    response = flow.authorize(prompt="select_account")
    assert "/account/login/" in response["Location"]


def test_prompt_create_sends_signed_out_users_to_sign_up(tenant, make_app):
    from django.test import Client

    app, secret = make_app("web")
    response = Flow(tenant, Client(), app, secret).authorize(prompt="create")
    assert response.status_code == 302
    assert "/account/signup/" in response["Location"]


def test_max_age_exceeded_requires_a_fresh_sign_in(tenant, flow, customer):
    from datetime import timedelta

    from django.utils import timezone

    with tenant.context():
        type(customer).objects.filter(pk=customer.pk).update(
            last_login=timezone.now() - timedelta(hours=2)
        )
    # when
    response = flow.authorize(max_age="60")

    # then: the session ends and the user signs in again, then the flow continues
    assert "/account/login/" in response["Location"]
    signed = flow.browser.post(
        response["Location"], {"login": "casey@example.com", "password": "Customer-Secret-77"}
    )
    back = flow.browser.get(signed["Location"])
    assert back["Location"].startswith("https://app.example/cb?code=")


def test_recent_sign_in_satisfies_max_age(flow):
    response = flow.authorize(max_age="3600")
    assert response["Location"].startswith("https://app.example/cb?code=")


def test_form_post_response_mode_posts_the_code_to_the_app(flow):
    response = flow.authorize(response_mode="form_post")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'action="https://app.example/cb"' in body
    assert 'name="code"' in body and 'name="state" value="st4te"' in body


def test_unknown_response_mode_is_refused(flow):
    response = flow.authorize(response_mode="fragment")
    assert response.status_code == 400


def test_third_party_app_asks_for_consent_then_issues_a_code(tenant, signed_in, make_app):
    # given
    app, secret = make_app("web", skip_authorization=False)
    flow = Flow(tenant, signed_in, app, secret)

    # when
    page = flow.authorize()

    # then
    assert page.status_code == 200
    assert b"Allow web app to access your account?" in page.content
    form = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    answer = signed_in.post(page.wsgi_request.get_full_path(), {**form, "allow": "Authorize"})
    assert answer.status_code == 302
    assert answer["Location"].startswith("https://app.example/cb?code=")


def test_user_cannot_request_scopes_nobody_exposes(flow):
    response = flow.authorize(scope="openid User.ReadWrite.All")
    assert query_of(response["Location"])["error"] == "invalid_scope"


def test_implicit_and_hybrid_response_types_are_refused(flow):
    for response_type in ("token", "id_token", "code id_token"):
        response = flow.authorize(response_type=response_type)
        location = response.get("Location", "")
        assert "code=" not in location and "access_token" not in location
        assert response.status_code in {302, 400}
        if response.status_code == 302:
            # oauthlib falls back to the code handler, which refuses the type for the client
            assert query_of(location)["error"] in {
                "unsupported_response_type",
                "unauthorized_client",
            }


def test_spa_token_endpoint_answers_cors_for_its_origin(tenant, signed_in, make_app):
    app, _ = make_app("spa", redirect_uris=["https://spa.example/cb"])
    flow = Flow(tenant, signed_in, app, redirect_uri="https://spa.example/cb")
    code = flow.code()
    response = flow.token(
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": flow.redirect_uri,
            "code_verifier": flow.verifier,
        },
        HTTP_ORIGIN="https://spa.example",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://spa.example"


def test_public_client_can_revoke_its_refresh_token(tenant, signed_in, make_app):
    from django.test import Client

    app, _ = make_app("spa")
    flow = Flow(tenant, signed_in, app)
    tokens = flow.tokens()
    response = Client().post(
        tenant.url("/oauth2/v2.0/revoke"),
        {"token": tokens["refresh_token"], "client_id": app.client_id},
    )
    assert response.status_code == 200
    refreshed = flow.token(
        {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.json()["error"] == "invalid_grant"


def test_prompt_none_when_signed_in_to_a_first_party_app_issues_a_code(flow):
    response = flow.authorize(prompt="none")
    assert response["Location"].startswith("https://app.example/cb?code=")


def test_prompt_login_with_an_invalid_request_keeps_the_session(flow):
    response = flow.authorize(prompt="login", redirect_uri="https://evil.example/cb")
    assert response.status_code == 400
    still = flow.authorize()
    assert still["Location"].startswith("https://app.example/cb?code=")


def test_prompt_none_combined_with_login_is_an_error(flow):
    response = flow.authorize(prompt="none login")
    assert response.status_code in {302, 400}
    if response.status_code == 302:
        assert "error=" in response["Location"] and "code=" not in response["Location"]


def test_denied_consent_returns_access_denied(tenant, signed_in, make_app):
    app, secret = make_app("web", skip_authorization=False)
    flow = Flow(tenant, signed_in, app, secret)
    page = flow.authorize()
    form = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    answer = signed_in.post(page.wsgi_request.get_full_path(), form)
    params = query_of(answer["Location"])
    assert params["error"] == "access_denied" and params["state"] == "st4te"


def _approve(signed_in, page):
    form = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    return signed_in.post(page.wsgi_request.get_full_path(), {**form, "allow": "Authorize"})


def test_given_consent_is_remembered_even_when_the_tokens_are_gone(
    tenant, signed_in, customer, make_app
):
    from applications.models import AccessToken, Consent, RefreshToken

    # given: the customer approved the consent page once
    app, secret = make_app("web", skip_authorization=False)
    flow = Flow(tenant, signed_in, app, secret)
    answer = _approve(signed_in, flow.authorize())
    assert flow.exchange(query_of(answer["Location"])["code"]).status_code == 200
    with tenant.context():
        consent = Consent.objects.get(user=customer, application=app)
        assert consent.scopes == {"openid", "profile", "email", "offline_access"}
        # when: every token of the app expired and was purged
        AccessToken.objects.all().delete()
        RefreshToken.objects.all().delete()

    # then: no consent page, and prompt=none works too
    again = flow.authorize()
    assert again.status_code == 302 and "code=" in again["Location"]
    silent = flow.authorize(prompt="none")
    assert "code=" in silent["Location"]


def test_a_wider_request_asks_again_and_prompt_consent_always_asks(
    tenant, signed_in, customer, make_app
):
    from applications.models import Consent

    # given: consent for openid only
    app, secret = make_app("web", skip_authorization=False)
    flow = Flow(tenant, signed_in, app, secret)
    _approve(signed_in, flow.authorize(scope="openid"))

    # when / then: more scopes show the page; approving adds them to the consent
    wider = flow.authorize(scope="openid email")
    assert wider.status_code == 200
    _approve(signed_in, wider)
    with tenant.context():
        assert Consent.objects.get(user=customer, application=app).scopes == {"openid", "email"}
    assert flow.authorize(scope="openid email").status_code == 302
    # prompt=consent shows the page whatever was consented
    assert flow.authorize(scope="openid", prompt="consent").status_code == 200


def test_groups_claim_when_the_app_asks_for_it(tenant, signed_in, customer, make_app, client):
    from directory import services_groups

    # given: the customer is in two security groups; one app emits groups, one does not
    with tenant.context():
        groups = [
            services_groups.create_group(display_name=name, actor="tests")
            for name in ("Gold members", "Beta testers")
        ]
        for group in groups:
            services_groups.add_members(group=group, user_ids=[customer.pk], actor="tests")
    expected = sorted(str(g.pk) for g in groups)
    with_groups, secret = make_app("web", include_groups=True)
    without, other_secret = make_app("web")

    # when
    tokens = Flow(tenant, signed_in, with_groups, secret).tokens()
    plain = Flow(tenant, signed_in, without, other_secret).tokens()

    # then: in the ID token, the access token and at userinfo
    assert _verify(tenant, client, tokens["id_token"])["groups"] == expected
    assert _verify(tenant, client, tokens["access_token"])["groups"] == expected
    info = client.get(
        tenant.url("/oidc/userinfo"), HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}"
    ).json()
    assert info["groups"] == expected
    assert "groups" not in _verify(tenant, client, plain["id_token"])
    assert "groups" not in _verify(tenant, client, plain["access_token"])


def test_approval_prompt_auto_cannot_skip_withdrawn_or_forced_consent(
    tenant, signed_in, customer, make_app
):
    from applications.models import Consent

    # given: the customer consented once and the app holds a live token
    app, secret = make_app("web", skip_authorization=False)
    flow = Flow(tenant, signed_in, app, secret)
    answer = _approve(signed_in, flow.authorize())
    assert flow.exchange(query_of(answer["Location"])["code"]).status_code == 200

    # then: DOT's approval_prompt=auto does not override prompt=consent
    assert flow.authorize(prompt="consent", approval_prompt="auto").status_code == 200

    # when: the consent is withdrawn while the token still lives
    with tenant.context():
        Consent.objects.filter(user=customer, application=app).delete()

    # then: the consent page again, whatever the request asks
    assert flow.authorize(approval_prompt="auto").status_code == 200
