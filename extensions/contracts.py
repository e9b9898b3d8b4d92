"""The JSON contracts of Entra External ID's custom authentication extensions, field for
field (../shared/reference/custom-extensions.md; Microsoft's custom-claims-provider
reference, the attribute-collection and email-OTP callout pages, and the just-in-time
password migration page), so that an API written for that service works here unchanged.

Requests are built by `request_body`; answers are parsed by `parse_answer`, which raises
`ContractError` for anything that is not exactly one known action of the event's response
type. Nothing else in the platform reads raw answers."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .models import Event

PREFIX = "microsoft.graph."
REQUEST_TYPES = {
    Event.TOKEN_ISSUANCE_START: (
        "microsoft.graph.authenticationEvent.tokenIssuanceStart",
        "microsoft.graph.onTokenIssuanceStartCalloutData",
    ),
    Event.ATTRIBUTE_COLLECTION_START: (
        "microsoft.graph.authenticationEvent.attributeCollectionStart",
        "microsoft.graph.onAttributeCollectionStartCalloutData",
    ),
    Event.ATTRIBUTE_COLLECTION_SUBMIT: (
        "microsoft.graph.authenticationEvent.attributeCollectionSubmit",
        "microsoft.graph.onAttributeCollectionSubmitCalloutData",
    ),
    Event.OTP_SEND: (
        "microsoft.graph.authenticationEvent.emailOtpSend",
        "microsoft.graph.onOtpSendCalloutData",
    ),
    Event.PASSWORD_SUBMIT: (
        "microsoft.graph.authenticationEvent.passwordSubmit",
        "microsoft.graph.onPasswordSubmitCalloutData",
    ),
}
RESPONSE_TYPES = {
    Event.TOKEN_ISSUANCE_START: "microsoft.graph.onTokenIssuanceStartResponseData",
    Event.ATTRIBUTE_COLLECTION_START: "microsoft.graph.onAttributeCollectionStartResponseData",
    Event.ATTRIBUTE_COLLECTION_SUBMIT: "microsoft.graph.onAttributeCollectionSubmitResponseData",
    Event.OTP_SEND: "microsoft.graph.OnOtpSendResponseData",
    Event.PASSWORD_SUBMIT: "microsoft.graph.onPasswordSubmitResponseData",
}
# Action @odata.type (compared case-insensitively: Microsoft's own samples differ in case,
# e.g. setPrefillValues / setPreFillValues, passwordSubmit / passwordsubmit) -> our name.
ACTIONS = {
    Event.TOKEN_ISSUANCE_START: {
        "microsoft.graph.tokenissuancestart.provideclaimsfortoken": "provide_claims",
    },
    Event.ATTRIBUTE_COLLECTION_START: {
        "microsoft.graph.attributecollectionstart.continuewithdefaultbehavior": "continue",
        "microsoft.graph.attributecollectionstart.setprefillvalues": "prefill",
        "microsoft.graph.attributecollectionstart.showblockpage": "block",
    },
    Event.ATTRIBUTE_COLLECTION_SUBMIT: {
        "microsoft.graph.attributecollectionsubmit.continuewithdefaultbehavior": "continue",
        "microsoft.graph.attributecollectionsubmit.modifyattributevalues": "modify",
        "microsoft.graph.attributecollectionsubmit.showblockpage": "block",
        "microsoft.graph.attributecollectionsubmit.showvalidationerror": "show_errors",
    },
    Event.OTP_SEND: {
        "microsoft.graph.otpsend.continuewithdefaultbehavior": "continue",
    },
    Event.PASSWORD_SUBMIT: {
        "microsoft.graph.passwordsubmit.migratepassword": "migrate",
        "microsoft.graph.passwordsubmit.updatepassword": "update",
        "microsoft.graph.passwordsubmit.retry": "retry",
        "microsoft.graph.passwordsubmit.block": "block",
    },
}
# Claims an extension may never set: the identity server owns them.
RESERVED_CLAIMS = frozenset(
    [
        "iss",
        "sub",
        "aud",
        "exp",
        "nbf",
        "iat",
        "jti",
        "azp",
        "tid",
        "oid",
        "ver",
        "nonce",
        "auth_time",
        "sid",
        "amr",
        "acr",
        "scp",
        "roles",
        "idtyp",
        "client_id",
        "at_hash",
        "c_hash",
        "appid",
        "groups",
    ]
)
MAX_CLAIMS_BYTES = 3 * 1024  # Entra: the claims of one answer, 3 KB in all


class ContractError(Exception):
    """The answer breaks the contract; `code` is Entra's error number where it has one."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# -- requests ----------------------------------------------------------------------------
class _Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")


class ServicePrincipal(_Model):
    id: str
    appId: str
    appDisplayName: str
    displayName: str


class ClientInfo(_Model):
    ip: str = ""
    locale: str = ""
    market: str = ""


class AuthenticationContext(_Model):
    correlationId: str
    client: ClientInfo
    protocol: str = "OAUTH2.0"
    clientServicePrincipal: ServicePrincipal
    resourceServicePrincipal: ServicePrincipal
    user: dict[str, Any] | None = None
    requestType: str | None = None

    def dump(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class CalloutData(_Model):
    odata_type: str = Field(alias="@odata.type")
    tenantId: str
    authenticationEventListenerId: str
    customAuthenticationExtensionId: str
    authenticationContext: AuthenticationContext
    userSignUpInfo: dict[str, Any] | None = None
    otpContext: dict[str, str] | None = None
    encryptedPasswordContext: str | None = None


class CalloutRequest(_Model):
    type: str
    source: str
    data: CalloutData


def request_body(
    event: str,
    *,
    tenant_id: str,
    extension_id: str,
    app_id: str,
    context: AuthenticationContext,
    **event_data: Any,
) -> dict[str, Any]:
    """The JSON body of a call for `event` (validated by the request model)."""
    request_type, data_type = REQUEST_TYPES[Event(event)]
    model = CalloutRequest(
        type=request_type,
        source=f"/tenants/{tenant_id}/applications/{app_id}",
        data=CalloutData(
            odata_type=data_type,
            tenantId=tenant_id,
            authenticationEventListenerId=extension_id,
            customAuthenticationExtensionId=extension_id,
            authenticationContext=context,
            **event_data,
        ),
    )
    return model.model_dump(by_alias=True, exclude_none=True)


# -- answers -----------------------------------------------------------------------------
class _Action(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="allow")
    odata_type: str = Field(alias="@odata.type")


class _ResponseData(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="allow")
    odata_type: str = Field(alias="@odata.type")
    actions: list[_Action]
    nonce: str | None = None


class _Response(BaseModel):
    model_config = ConfigDict(extra="allow")
    data: _ResponseData


ClaimValue = str | list[str]


class ProvideClaims(BaseModel):
    model_config = ConfigDict(extra="allow")
    claims: dict[str, ClaimValue]

    @field_validator("claims", mode="before")
    @classmethod
    def _no_booleans_or_objects(cls, value: Any) -> Any:
        # Entra accepts strings and arrays of strings only (a bool would pass str|list
        # coercion checks in lax mode, so refuse explicitly).
        if isinstance(value, dict):
            for v in value.values():
                if not (
                    isinstance(v, str)
                    or (isinstance(v, list) and all(isinstance(i, str) for i in v))
                ):
                    raise ValueError("claim values must be strings or arrays of strings")
        return value


class Prefill(BaseModel):
    model_config = ConfigDict(extra="allow")
    inputs: dict[str, Any]


class Modify(BaseModel):
    model_config = ConfigDict(extra="allow")
    attributes: dict[str, Any]


class Block(BaseModel):
    model_config = ConfigDict(extra="allow")
    title: str = ""
    message: str = ""


class ShowErrors(BaseModel):
    model_config = ConfigDict(extra="allow")
    message: str = ""
    attributeErrors: dict[str, str] = Field(default_factory=dict)


class PasswordAction(BaseModel):
    model_config = ConfigDict(extra="allow")
    message: str = ""
    title: str = ""


PAYLOADS: dict[str, type[BaseModel] | None] = {
    "provide_claims": ProvideClaims,
    "prefill": Prefill,
    "modify": Modify,
    "block": Block,
    "show_errors": ShowErrors,
    "continue": None,
    "migrate": PasswordAction,
    "update": PasswordAction,
    "retry": PasswordAction,
}


class Answer(BaseModel):
    """A validated answer: our name of the action and its payload."""

    action: Literal[
        "provide_claims",
        "prefill",
        "modify",
        "block",
        "show_errors",
        "continue",
        "migrate",
        "update",
        "retry",
    ]
    payload: dict[str, Any] = Field(default_factory=dict)
    nonce: str | None = None


def parse_answer(event: str, document: Any) -> Answer:
    """Validate a decoded JSON answer for `event`; raise ContractError when it is not
    exactly one known action of the event's response type."""
    try:
        response = _Response.model_validate(document)
    except ValidationError as exc:
        raise ContractError(f"The answer does not have the expected shape: {_first(exc)}") from exc
    expected = RESPONSE_TYPES[Event(event)]
    if response.data.odata_type.lower() != expected.lower():
        raise ContractError(
            f"data.@odata.type is {response.data.odata_type!r}, expected {expected!r}."
        )
    if len(response.data.actions) != 1:
        raise ContractError("The answer must hold exactly one action.", code=1003010)
    action = response.data.actions[0]
    name = ACTIONS[Event(event)].get(action.odata_type.lower())
    if name is None:
        raise ContractError(f"Unknown action {action.odata_type!r}.", code=1003012)
    model = PAYLOADS.get(name)
    payload: dict[str, Any] = {}
    if model is not None:
        raw = action.model_dump(by_alias=True)
        raw.pop("@odata.type", None)
        try:
            payload = model.model_validate(raw).model_dump()
        except ValidationError as exc:
            raise ContractError(
                f"The action {action.odata_type!r} is malformed: {_first(exc)}"
            ) from exc
    if name == "provide_claims" and len(json.dumps(payload["claims"]).encode()) > MAX_CLAIMS_BYTES:
        raise ContractError("The claims exceed 3 KB.")
    return Answer(action=name, payload=payload, nonce=response.data.nonce)


def _first(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error.get("loc", ()))
    return f"{where}: {error.get('msg', '')}" if where else str(error.get("msg", ""))
