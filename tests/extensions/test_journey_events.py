"""OnAttributeCollectionStart / Submit and OnOtpSend on the sign-up pages, over real HTTP
against a real local API that verifies each call's bearer token with the tenant's JWKS."""

from __future__ import annotations

import pytest

from tests.userflows.conftest import smtp  # noqa: F401 - a real SMTP server (fixture)

from .api_server import Answer, answer
from .pages import Browser, field_errors

PASSWORD = "Tangerine-Lighthouse-42"
START = "OnAttributeCollectionStart"
SUBMIT = "OnAttributeCollectionSubmit"
START_TYPE = "microsoft.graph.onAttributeCollectionStartResponseData"
SUBMIT_TYPE = "microsoft.graph.onAttributeCollectionSubmitResponseData"


@pytest.fixture
def city_flow(live):
    """The default flow collects a city at sign-up (committed, removed afterwards)."""
    from userflows import services
    from userflows.models import FlowAttribute

    with live.tenant.context():
        flow = services.get_default_flow()
        row = FlowAttribute.objects.create(flow=flow, attribute="city", label="City")
    yield flow
    with live.tenant.context():
        row.delete()


def _by_type(**answers: Answer):
    """An API answering per event type (the request's `type`)."""

    def respond(body):
        kind = body.get("type", "").rsplit(".", 1)[-1]
        return answers.get(kind, answer("unknown"))

    return respond


def _continue(kind: str) -> dict:
    return {"@odata.type": f"microsoft.graph.{kind}.continueWithDefaultBehavior"}


def _user(env, email):
    from directory.models import User

    with env.tenant.context():
        return User.objects.filter(email=email).first()


def test_prefill_values_appear_in_the_attribute_form(live, smtp, city_flow):  # noqa: F811
    # given
    live.make_extension(events=[START, SUBMIT])
    live.api.answer = _by_type(
        attributeCollectionStart=answer(
            START_TYPE,
            {
                "@odata.type": "microsoft.graph.attributeCollectionStart.setPrefillValues",
                "inputs": {"city": "Bergen", "notCollected": "x"},
            },
        ),
        attributeCollectionSubmit=answer(SUBMIT_TYPE, _continue("attributeCollectionSubmit")),
    )
    browser = Browser(live)

    # when
    browser.to_attributes("prefill@ext.example", smtp.last_code, PASSWORD)

    # then
    assert 'value="Bergen"' in browser.text()
    call = live.api.last()
    assert call.token_error == "" and call.claims is not None
    assert call.body["type"] == "microsoft.graph.authenticationEvent.attributeCollectionStart"
    data = call.body["data"]
    assert data["@odata.type"] == "microsoft.graph.onAttributeCollectionStartCalloutData"
    assert data["userSignUpInfo"]["attributes"]["email"] == {
        "@odata.type": "microsoft.graph.stringDirectoryAttributeValue",
        "value": "prefill@ext.example",
        "attributeType": "builtIn",
    }
    assert data["userSignUpInfo"]["identities"][0]["issuerAssignedId"] == "prefill@ext.example"
    assert browser.post(city="Bergen").status_code == 302
    assert _user(live, "prefill@ext.example").city == "Bergen"


def test_start_block_page_blocks_the_sign_up(live, smtp, city_flow):  # noqa: F811
    # given
    live.make_extension(events=[START])
    live.api.answer = answer(
        START_TYPE,
        {
            "@odata.type": "microsoft.graph.attributeCollectionStart.showBlockPage",
            "message": "Sign-ups from your region are closed.",
        },
    )
    browser = Browser(live)

    # when
    browser.to_attributes("blocked@ext.example", smtp.last_code, PASSWORD)

    # then
    assert browser.page.status_code == 403
    assert "Sign-ups from your region are closed." in browser.text()
    # The journey is over: posting the attributes creates nothing and starts again.
    browser.session.post(browser.url, data={"city": "Oslo"}, timeout=30)
    assert _user(live, "blocked@ext.example") is None


def test_validation_errors_show_beside_the_named_field(live, smtp, city_flow):  # noqa: F811
    # given
    live.make_extension(events=[SUBMIT])
    refuse = answer(
        SUBMIT_TYPE,
        {
            "@odata.type": "microsoft.graph.attributeCollectionSubmit.showValidationError",
            "message": "Please fix the highlighted fields.",
            "attributeErrors": {"city": "We do not ship to Mars."},
        },
    )
    live.api.answer = refuse
    browser = Browser(live)
    browser.to_attributes("mars@ext.example", smtp.last_code, PASSWORD)

    # when
    response = browser.post(city="Mars")

    # then
    assert response.status_code == 200
    assert field_errors(browser.text(), "city").strip() == "<li>We do not ship to Mars.</li>"
    assert "Please fix the highlighted fields." in browser.text()
    assert _user(live, "mars@ext.example") is None
    submitted = live.api.last().body["data"]["userSignUpInfo"]["attributes"]
    assert submitted["city"]["value"] == "Mars"

    # when the customer fixes it
    live.api.answer = answer(SUBMIT_TYPE, _continue("attributeCollectionSubmit"))
    assert browser.post(city="Oslo").status_code == 302
    assert _user(live, "mars@ext.example").city == "Oslo"


def test_modified_values_are_stored(live, smtp, city_flow):  # noqa: F811
    live.make_extension(events=[SUBMIT])
    live.api.answer = answer(
        SUBMIT_TYPE,
        {
            "@odata.type": "microsoft.graph.attributeCollectionSubmit.modifyAttributeValues",
            "attributes": {"city": "OSLO", "jobTitle": "not collected"},
        },
    )
    browser = Browser(live)
    browser.to_attributes("modify@ext.example", smtp.last_code, PASSWORD)

    assert browser.post(city="oslo").status_code == 302

    user = _user(live, "modify@ext.example")
    assert user.city == "OSLO" and user.job_title == ""


def test_submit_block_page_blocks(live, smtp, city_flow):  # noqa: F811
    live.make_extension(events=[SUBMIT])
    live.api.answer = answer(
        SUBMIT_TYPE,
        {
            "@odata.type": "microsoft.graph.attributeCollectionSubmit.showBlockPage",
            "title": "Not today",
            "message": "Your request is being reviewed.",
        },
    )
    browser = Browser(live)
    browser.to_attributes("review@ext.example", smtp.last_code, PASSWORD)

    response = browser.post(city="Oslo")

    assert response.status_code == 403
    assert "Not today" in browser.text() and "Your request is being reviewed." in browser.text()
    assert _user(live, "review@ext.example") is None


def test_a_failing_attribute_extension_fails_the_step_when_configured(
    live,
    smtp,  # noqa: F811
    city_flow,
):
    live.make_extension(events=[SUBMIT], on_failure="fail")
    live.api.answer = Answer(raw=b"not json")
    browser = Browser(live)
    browser.to_attributes("broken@ext.example", smtp.last_code, PASSWORD)

    response = browser.post(city="Oslo")

    assert response.status_code == 403
    assert "Something went wrong" in browser.text()
    assert _user(live, "broken@ext.example") is None


def test_a_failing_attribute_extension_is_skipped_when_configured_to_continue(
    live,
    smtp,  # noqa: F811
    city_flow,
):
    live.make_extension(events=[SUBMIT], on_failure="continue")
    live.api.answer = Answer(status=500, body={})
    browser = Browser(live)
    browser.to_attributes("lenient@ext.example", smtp.last_code, PASSWORD)

    assert browser.post(city="Oslo").status_code == 302
    assert _user(live, "lenient@ext.example").city == "Oslo"


# -- OnOtpSend -----------------------------------------------------------------------------
def test_the_custom_sender_receives_the_code_and_no_email_is_sent(live, smtp):  # noqa: F811
    # given
    live.make_extension(events=["OnOtpSend"])
    live.api.answer = answer(
        "microsoft.graph.OnOtpSendResponseData",
        {"@odata.type": "microsoft.graph.OtpSend.continueWithDefaultBehavior"},
    )
    browser = Browser(live)

    # when
    assert browser.post(email="sms@ext.example").status_code == 302

    # then
    call = live.api.last()
    assert call.token_error == "" and call.claims is not None
    assert call.body["type"] == "microsoft.graph.authenticationEvent.emailOtpSend"
    data = call.body["data"]
    assert data["@odata.type"] == "microsoft.graph.onOtpSendCalloutData"
    assert data["authenticationContext"]["requestType"] == "signUp"
    otp = data["otpContext"]
    assert otp["identifier"] == "sms@ext.example" and len(otp["oneTimeCode"]) == 6
    assert smtp.to("sms@ext.example") == []
    assert browser.post(code=otp["oneTimeCode"]).status_code == 302


def test_a_failed_custom_sender_falls_back_to_email_when_configured(live, smtp):  # noqa: F811
    live.make_extension(events=["OnOtpSend"], on_failure="continue")
    live.api.answer = Answer(status=503, body={})
    browser = Browser(live)

    assert browser.post(email="fallback@ext.example").status_code == 302

    assert smtp.last_code("fallback@ext.example")


def test_a_failed_custom_sender_fails_the_step_when_configured(live, smtp):  # noqa: F811
    live.make_extension(events=["OnOtpSend"], on_failure="fail")
    live.api.answer = answer("microsoft.graph.WrongResponseData")
    browser = Browser(live)

    response = browser.post(email="nocode@ext.example")

    assert response.status_code == 200
    assert "Something went wrong" in field_errors(browser.text(), "email")
    assert smtp.to("nocode@ext.example") == []
