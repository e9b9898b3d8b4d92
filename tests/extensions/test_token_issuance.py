"""OnTokenIssuanceStart end to end over real HTTP: the platform calls the tenant's API
(a real local server verifying our signed bearer token with the tenant's JWKS), and the
claims it provides reach the access and ID tokens of apps whose claims mapping names
them; failures refuse issuance or are ignored, as configured."""

from __future__ import annotations

from extensions.client import CALLER_ID

from .api_server import Answer, claims_answer
from .oauth import client_credentials, code_flow, refresh, signed_in_browser, verified

EVENT = "OnTokenIssuanceStart"


def _daemon(env, **ext):
    from applications import services

    app, secret = env.make_app("daemon", extension_claims=["partnerTier"])
    with env.tenant.context():
        services.grant_api_permission(app, value="User.Read.All", actor="tests")
    values = {
        "events": [EVENT],
        "applications": [app.client_id],
        "include_app_only_tokens": True,
        "allowed_claims": ["partnerTier"],
        **ext,
    }
    env.make_extension(**values)
    return app, secret


def _log(env, count: int = 1) -> list[dict]:
    """The call log, newest first, once it holds `count` rows: the platform writes it
    after the response was sent (extensions.client), so wait for it, up to 10 s."""
    import time

    from extensions.models import CallLog, CustomAuthenticationExtension

    deadline = time.monotonic() + 10
    while True:
        with env.tenant.context():
            mine = CallLog.objects.filter(  # rows of this test's extensions only
                extension_id__in=CustomAuthenticationExtension.objects.values("pk")
            )
            rows = list(mine.values("event", "outcome", "http_status", "error"))
        if len(rows) >= count or time.monotonic() > deadline:
            return rows
        time.sleep(0.02)


def test_provided_claims_reach_the_access_and_id_tokens_in_the_code_flow(live):
    # given
    app, secret = live.make_app(
        "web", extension_claims=["loyaltyTier", "promoCodes", "iss"], skip_authorization=True
    )
    live.make_extension(
        events=[EVENT], applications=[app.client_id], allowed_claims=["loyaltyTier", "promoCodes"]
    )
    user = live.make_user()
    live.api.answer = claims_answer(
        {
            "loyaltyTier": "gold",
            "promoCodes": ["A1", "B2"],
            "notMapped": "x",
            "iss": "https://evil.example",
        }
    )

    # when
    response = code_flow(live, signed_in_browser(live, user), app, secret)

    # then
    assert response.status_code == 200, response.text
    tokens = response.json()
    access = verified(live, tokens["access_token"])
    id_token = verified(live, tokens["id_token"], audience=app.client_id)
    for claims in (access, id_token):
        assert claims["loyaltyTier"] == "gold"
        assert claims["promoCodes"] == ["A1", "B2"]
        assert "notMapped" not in claims
        assert claims["iss"] == live.issuer
    call = live.api.last()
    assert call.token_error == ""
    assert call.claims["iss"] == live.issuer and call.claims["azp"] == CALLER_ID
    assert call.claims["tid"] == str(live.tenant.tenant.pk)
    assert call.body["type"] == "microsoft.graph.authenticationEvent.tokenIssuanceStart"
    data = call.body["data"]
    assert data["@odata.type"] == "microsoft.graph.onTokenIssuanceStartCalloutData"
    assert data["tenantId"] == str(live.tenant.tenant.pk)
    assert call.body["source"] == f"/tenants/{data['tenantId']}/applications/{app.client_id}"
    context = data["authenticationContext"]
    assert context["protocol"] == "OAUTH2.0"
    assert context["clientServicePrincipal"]["appId"] == app.client_id
    assert context["user"]["id"] == str(user.pk)
    assert context["user"]["mail"] == "ext-user@example.com"
    assert context["user"]["givenName"] == "Casey"
    assert len(live.api.received) == 1  # one call per token request, for both tokens


def test_refresh_calls_the_extension_again(live):
    # given
    app, secret = live.make_app("web", extension_claims=["tier"], skip_authorization=True)
    live.make_extension(events=[EVENT], applications=[app.client_id])
    user = live.make_user()
    live.api.answer = claims_answer({"tier": "silver"})
    first = code_flow(live, signed_in_browser(live, user), app, secret).json()
    live.api.answer = claims_answer({"tier": "platinum"})

    # when
    response = refresh(live, app, secret, first["refresh_token"])

    # then
    assert response.status_code == 200, response.text
    assert verified(live, response.json()["access_token"])["tier"] == "platinum"
    assert len(live.api.received) == 2


def test_app_only_tokens_get_claims_when_configured(live):
    app, secret = _daemon(live)
    live.api.answer = claims_answer({"partnerTier": "reseller"})

    response = client_credentials(live, app, secret)

    assert response.status_code == 200, response.text
    assert verified(live, response.json()["access_token"])["partnerTier"] == "reseller"
    assert live.api.last().body["data"]["authenticationContext"].get("user") is None


def test_app_only_tokens_are_not_extended_unless_configured(live):
    app, secret = _daemon(live, include_app_only_tokens=False)
    live.api.answer = claims_answer({"partnerTier": "reseller"})

    response = client_credentials(live, app, secret)

    assert response.status_code == 200
    assert "partnerTier" not in verified(live, response.json()["access_token"])
    assert live.api.received == []


def test_an_app_the_extension_does_not_name_is_not_extended(live):
    app, secret = live.make_app("web", extension_claims=["tier"], skip_authorization=True)
    other, _ = live.make_app("web")
    live.make_extension(events=[EVENT], applications=[other.client_id])
    user = live.make_user()

    response = code_flow(live, signed_in_browser(live, user), app, secret)

    assert response.status_code == 200
    assert "tier" not in verified(live, response.json()["access_token"])
    assert live.api.received == []


def test_a_failing_extension_refuses_issuance_and_nothing_is_saved(live):
    # given
    from applications.models import AccessToken, Grant, RefreshToken

    app, secret = live.make_app("web", extension_claims=["tier"], skip_authorization=True)
    live.make_extension(events=[EVENT], applications=[app.client_id], on_failure="fail")
    user = live.make_user()
    live.api.answer = Answer(status=500, body={"error": "boom"})

    # when
    response = code_flow(live, signed_in_browser(live, user), app, secret)

    # then
    assert response.status_code == 400
    assert response.json()["error"] == "access_denied"
    assert "access_token" not in response.json()
    with live.tenant.context():
        assert not AccessToken.objects.filter(user=user).exists()
        assert not RefreshToken.objects.filter(user=user).exists()
        assert Grant.objects.get(application=app).used_at is None
    assert _log(live) == [
        {
            "event": EVENT,
            "outcome": "failure",
            "http_status": 500,
            "error": "The API answered with HTTP status 500.",
        }
    ]


def _bad_answer_is_a_failure(live, answer: Answer, error: str, on_failure: str = "fail"):
    app, secret = _daemon(live, on_failure=on_failure)
    live.api.answer = answer

    response = client_credentials(live, app, secret)

    if on_failure == "fail":
        assert response.status_code == 400, response.text
        assert response.json()["error"] == "access_denied"
    else:
        assert response.status_code == 200, response.text
        assert "partnerTier" not in verified(live, response.json()["access_token"])
    [entry] = _log(live)
    assert entry["outcome"] == "failure"
    assert error in entry["error"]


def test_timeout_is_a_failure(live):
    app, secret = _daemon(live, timeout_ms=200)
    live.api.answer = Answer(body={}, delay=0.6)

    response = client_credentials(live, app, secret)

    assert response.status_code == 400
    [entry] = _log(live)
    assert entry["error"] == "The API did not answer within 200 ms."


def test_server_error_with_continue_issues_the_token_without_claims(live):
    _bad_answer_is_a_failure(
        live, Answer(status=503, body={}), "HTTP status 503", on_failure="continue"
    )


def test_malformed_json_is_a_failure(live):
    _bad_answer_is_a_failure(live, Answer(raw=b'{"data": {'), "not valid JSON")


def test_wrong_odata_type_is_a_failure(live):
    body = claims_answer({"partnerTier": "x"}).body
    body["data"]["@odata.type"] = "microsoft.graph.onAttributeCollectionStartResponseData"
    _bad_answer_is_a_failure(live, Answer(body=body), "data.@odata.type is")


def test_unknown_action_is_a_failure(live):
    body = claims_answer({"partnerTier": "x"}).body
    body["data"]["actions"][0]["@odata.type"] = "microsoft.graph.tokenIssuanceStart.giveAll"
    _bad_answer_is_a_failure(live, Answer(body=body), "error 1003012")


def test_two_actions_are_a_failure(live):
    body = claims_answer({"partnerTier": "x"}).body
    body["data"]["actions"] *= 2
    _bad_answer_is_a_failure(live, Answer(body=body), "error 1003010")


def test_wrong_content_type_is_a_failure(live):
    _bad_answer_is_a_failure(
        live, Answer(body=claims_answer({}).body, content_type="text/html"), "error 1003006"
    )


def test_boolean_claim_values_are_a_failure(live):
    _bad_answer_is_a_failure(live, claims_answer({"partnerTier": True}), "is malformed")


def test_oversize_answer_is_a_failure(live, settings):
    settings.CIAM_EXTENSION_MAX_RESPONSE_BYTES = 1024
    big = claims_answer({"partnerTier": "x" * 2000})
    _bad_answer_is_a_failure(live, big, "larger than 1024 bytes")
