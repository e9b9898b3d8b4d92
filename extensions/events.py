"""Building the event data of each call from what the platform knows (a token request, a
journey), in Entra's shapes: the authentication context, the user, the sign-up info."""

from __future__ import annotations

from typing import Any

from .contracts import AuthenticationContext, ClientInfo, ServicePrincipal

# Our attribute names -> Entra's (built-in directory attributes). Custom attributes travel
# as extension_<name> with attributeType directorySchemaExtension, the name our tokens use.
ENTRA_NAMES = {
    "email": "email",
    "display_name": "displayName",
    "given_name": "givenName",
    "surname": "surname",
    "city": "city",
    "country": "country",
    "postal_code": "postalCode",
    "state": "state",
    "street_address": "streetAddress",
    "job_title": "jobTitle",
}
OUR_NAMES = {v.lower(): k for k, v in ENTRA_NAMES.items()}


def entra_name(name: str) -> str:
    return ENTRA_NAMES.get(name, f"extension_{name}")


def our_name(name: str) -> str:
    """Accepts Entra's name or ours (case-insensitive for built-ins)."""
    if name.lower() in OUR_NAMES:
        return OUR_NAMES[name.lower()]
    if name in ENTRA_NAMES:
        return name
    return name[len("extension_") :] if name.startswith("extension_") else name


def service_principal(app_id: str, display_name: str, object_id: str = "") -> ServicePrincipal:
    return ServicePrincipal(
        id=object_id or app_id,
        appId=app_id,
        appDisplayName=display_name,
        displayName=display_name,
    )


def context(
    *,
    correlation_id: str,
    client_app: ServicePrincipal,
    resource_app: ServicePrincipal | None = None,
    ip: str = "",
    locale: str = "",
    user: dict[str, Any] | None = None,
    request_type: str | None = None,
) -> AuthenticationContext:
    locale = (locale or "en-us").lower()
    return AuthenticationContext(
        correlationId=correlation_id,
        client=ClientInfo(ip=ip, locale=locale, market=locale),
        protocol="OAUTH2.0",
        clientServicePrincipal=client_app,
        resourceServicePrincipal=resource_app or client_app,
        user=user,
        requestType=request_type,
    )


def user_json(user: Any) -> dict[str, Any]:
    """Entra's authenticationContext.user for a directory user."""
    created = getattr(user, "created_at", None)
    return {
        "companyName": "",
        "createdDateTime": created.isoformat().replace("+00:00", "Z") if created else "",
        "displayName": user.display_name or "",
        "givenName": user.given_name or "",
        "id": str(user.pk),
        "mail": user.email or "",
        "preferredLanguage": "",
        "surname": user.surname or "",
        "userPrincipalName": user.email or "",
        "userType": "Member",
    }


def attribute_value(name: str, value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        kind, out = "microsoft.graph.booleanDirectoryAttributeValue", value
    elif isinstance(value, int):
        kind, out = "microsoft.graph.int64DirectoryAttributeValue", value
    else:
        kind = "microsoft.graph.stringDirectoryAttributeValue"
        # Multi-valued attributes travel comma-delimited, as Entra's.
        out = ",".join(str(v) for v in value) if isinstance(value, list | tuple) else value
        out = "" if out is None else str(out)
    return {
        "@odata.type": kind,
        "value": out,
        "attributeType": "builtIn" if name in ENTRA_NAMES else "directorySchemaExtension",
    }


def sign_up_info(email: str, attributes: dict[str, Any], issuer_domain: str) -> dict[str, Any]:
    """userSignUpInfo: attributes keyed by Entra name, and the email identity."""
    values = {"email": email, **attributes} if email else dict(attributes)
    return {
        "attributes": {entra_name(k): attribute_value(k, v) for k, v in values.items()},
        "identities": [{"signInType": "email", "issuer": issuer_domain, "issuerAssignedId": email}]
        if email
        else [],
    }
