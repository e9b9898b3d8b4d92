"""Sample events for the admin center's Test button: the same bodies a real journey
sends, filled with a made-up customer."""

from __future__ import annotations

from typing import Any

from applications import tokens

from . import contracts, events
from .config import ExtensionSpec
from .models import Event

SAMPLE_EMAIL = "test.customer@example.com"
SAMPLE_USER = {
    "companyName": "",
    "createdDateTime": "2026-01-01T00:00:00Z",
    "displayName": "Test Customer",
    "givenName": "Test",
    "id": "00000000-0000-0000-0000-000000000001",
    "mail": SAMPLE_EMAIL,
    "preferredLanguage": "en-us",
    "surname": "Customer",
    "userPrincipalName": SAMPLE_EMAIL,
    "userType": "Member",
}


def sample_body(spec: ExtensionSpec, event: str, *, correlation_id: str) -> dict[str, Any]:
    app_id = next(iter(sorted(spec.applications)), "00000000-0000-0000-0000-000000000000")
    app = events.service_principal(app_id, "Sample app")
    user = SAMPLE_USER if event in {Event.TOKEN_ISSUANCE_START, Event.PASSWORD_SUBMIT} else None
    data: dict[str, Any] = {}
    if event in {Event.ATTRIBUTE_COLLECTION_START, Event.ATTRIBUTE_COLLECTION_SUBMIT}:
        data["userSignUpInfo"] = events.sign_up_info(
            SAMPLE_EMAIL, {"given_name": "Test", "city": "Oslo"}, "example.com"
        )
    if event == Event.OTP_SEND:
        data["otpContext"] = {"identifier": SAMPLE_EMAIL, "oneTimeCode": "123456"}
    if event == Event.PASSWORD_SUBMIT:
        from .passwords import encrypt_password_context

        data["encryptedPasswordContext"] = encrypt_password_context(
            spec, username=SAMPLE_EMAIL, password="Sample-Password-1", nonce="sample-nonce"
        )
    auth = events.context(
        correlation_id=correlation_id,
        client_app=app,
        ip="203.0.113.10",
        locale="en-us",
        user=user,
        request_type="signUp" if event == Event.OTP_SEND else None,
    )
    return contracts.request_body(
        event,
        tenant_id=tokens.tenant_id(),
        extension_id=spec.id,
        app_id=app_id,
        context=auth,
        **data,
    )
