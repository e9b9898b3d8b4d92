"""SCIM resources <-> directory rows.

Attributes with a column are mapped onto it (userName and the primary email are the
account's email; name.givenName/familyName; displayName; title; the work address;
active; externalId); every other attribute a client wrote (nickName, phoneNumbers, the
enterprise extension, ...) is kept in `User.scim_data` so that it reads back the same.
The resources themselves are scim2-models objects, which validate payloads and apply
PATCH operations."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from scim2_models import Context, Email, EnterpriseUser, Group, User

from directory import models as m
from directory.emails import clean_email, normalize_email
from directory.etags import etag_of


class DirectoryEmail(Email):
    """scim2-models types `emails.value` as pydantic's EmailStr, a stricter rule than the
    directory's (it refuses special-use domains such as corp.test): reading a stored
    customer must never fail on it. Written values are checked by the directory's one
    rule in `user_fields` instead."""

    value: str | None = None


class ScimUser(User[EnterpriseUser]):
    emails: list[DirectoryEmail] | None = None


ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
MAPPED = {"id", "meta", "schemas", "userName", "displayName", "title", "active", "externalId"}
SERVER_ONLY = {"id", "meta", "groups", "password"}


def _meta(obj: Any, resource_type: str, location: str) -> dict[str, Any]:
    return {
        "resourceType": resource_type,
        "created": obj.created_at.isoformat(),
        "lastModified": obj.updated_at.isoformat(),
        "location": location,
        "version": "W/" + etag_of(obj),
    }


def user_to_dict(user: m.User, base: str) -> dict[str, Any]:
    """The SCIM representation of a user (full, before projection)."""
    data: dict[str, Any] = {k: v for k, v in (user.scim_data or {}).items()}
    name = dict(data.get("name") or {})
    name.update({"givenName": user.given_name or None, "familyName": user.surname or None})
    data["name"] = {k: v for k, v in name.items() if v not in (None, "")} or None
    emails = [e for e in data.get("emails") or [] if isinstance(e, dict)]
    if "emails" not in data and user.email:
        emails = [{"value": user.email, "type": "work", "primary": True}]
    data["emails"] = emails or None
    addresses = [a for a in data.get("addresses") or [] if isinstance(a, dict)]
    work = {
        "streetAddress": user.street_address,
        "locality": user.city,
        "region": user.state,
        "postalCode": user.postal_code,
        "country": user.country,
    }
    if any(work.values()):
        first = addresses[0] if addresses else {"type": "work", "primary": True}
        addresses = [
            {**first, **{k: v for k, v in work.items() if v}},
            *addresses[1:],
        ]
    data["addresses"] = addresses or None
    data.update(
        {
            "schemas": [USER_SCHEMA] + ([ENTERPRISE] if data.get(ENTERPRISE) else []),
            "id": str(user.pk),
            "externalId": user.external_id or None,
            "userName": (user.scim_data or {}).get("userName") or user.email or str(user.pk),
            "displayName": user.display_name or None,
            "title": user.job_title or None,
            "active": None if data.pop("activeUnset", False) and user.is_active else user.is_active,
            "groups": [
                {"value": str(g.pk), "display": g.display_name, "$ref": f"{base}/Groups/{g.pk}"}
                for g in m.Group.objects.filter(members=user).order_by("display_name")
            ]
            or None,
            "meta": _meta(user, "User", f"{base}/Users/{user.pk}"),
        }
    )
    return {k: v for k, v in data.items() if v is not None}


def group_to_dict(group: m.Group, base: str) -> dict[str, Any]:
    memberships = (
        m.GroupMembership.objects.filter(group=group)
        .select_related("user")
        .only("display", "user__id", "user__email", "user__display_name", "user__scim_data")
        .order_by("user__email", "user__id")
    )
    members = []
    for membership in memberships:
        u = membership.user
        display = (
            membership.display or u.display_name or (u.scim_data or {}).get("userName") or u.email
        )
        members.append(
            {
                "value": str(u.pk),
                "display": display,
                "type": "User",
                "$ref": f"{base}/Users/{u.pk}",
            }
        )
    data = {
        "schemas": [GROUP_SCHEMA],
        "id": str(group.pk),
        "externalId": group.external_id or None,
        "displayName": group.display_name,
        "members": members or None,
        "meta": _meta(group, "Group", f"{base}/Groups/{group.pk}"),
    }
    return {k: v for k, v in data.items() if v is not None}


def user_model(user: m.User, base: str) -> Any:
    return ScimUser.model_validate(user_to_dict(user, base), scim_ctx=None)


def group_model(group: m.Group, base: str) -> Any:
    return Group.model_validate(group_to_dict(group, base), scim_ctx=None)


def dump(resource: Any, params: Any = None) -> dict[str, Any]:
    return resource.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=params)


def _fit(value: Any, size: int, name: str) -> str:
    """A value for a column of `size` characters; longer is refused (400 invalidValue),
    never silently cut."""
    text = str(value or "")
    if len(text) > size:
        raise ValidationError(f"{name} is longer than {size} characters.")
    return text


def user_fields(resource: Any) -> dict[str, Any]:
    """What a SCIM user resource (validated by scim2-models) writes into the directory:
    the column values, and the rest for `scim_data`."""
    data = resource.model_dump(scim_ctx=None, by_alias=True, exclude_none=True, mode="json")
    name = data.get("name") or {}
    emails = data.get("emails") or []
    for entry in emails:
        if entry.get("value") is not None:
            try:
                clean_email(entry["value"])
            except ValidationError:
                raise ValidationError("emails.value is not a valid email address.") from None
    primary = next((e for e in emails if e.get("primary")), emails[0] if emails else None)
    user_name = str(data.get("userName") or "")
    email = user_name if normalize_email(user_name) else (primary or {}).get("value") or ""
    address = (data.get("addresses") or [{}])[0]
    extra = {k: v for k, v in data.items() if k not in MAPPED and k not in SERVER_ONLY and v}
    extra["name"] = {
        k: v for k, v in name.items() if k not in {"givenName", "familyName"} and v
    } or None
    extra["addresses"] = [
        {
            k: v
            for k, v in a.items()
            if k not in {"streetAddress", "locality", "region", "postalCode", "country"}
        }
        for a in (data.get("addresses") or [])
    ] or None
    extra = {k: v for k, v in extra.items() if v}
    extra["userName"] = user_name
    # Remember what the client removed, so that it reads back removed.
    extra["emails"] = [e for e in emails if e.get("value")]
    if data.get("active") is None:
        extra["activeUnset"] = True
    return {
        "email": normalize_email(email),
        "user_name": user_name,
        "profile": {
            "display_name": _fit(data.get("displayName"), 256, "displayName"),
            "given_name": _fit(name.get("givenName"), 128, "name.givenName"),
            "surname": _fit(name.get("familyName"), 128, "name.familyName"),
            "job_title": _fit(data.get("title"), 128, "title"),
            "street_address": _fit(address.get("streetAddress"), 256, "addresses.streetAddress"),
            "city": _fit(address.get("locality"), 128, "addresses.locality"),
            "state": _fit(address.get("region"), 128, "addresses.region"),
            "postal_code": _fit(address.get("postalCode"), 40, "addresses.postalCode"),
            "country": _fit(address.get("country"), 128, "addresses.country"),
        },
        "external_id": _fit(data.get("externalId"), 256, "externalId"),
        "active": data.get("active", True) is not False,
        "password": getattr(resource, "password", None),
        "scim_data": extra,
    }


# Filter attributes -> Django lookups (scim2-filter-parser's Django Q transpiler).
USER_FILTER_MAP = {
    ("id", None, None): "id",
    ("userName", None, None): "scim_user_name",
    ("externalId", None, None): "external_id",
    ("displayName", None, None): "display_name",
    ("title", None, None): "job_title",
    ("active", None, None): "is_active",
    ("name", "givenName", None): "given_name",
    ("name", "familyName", None): "surname",
    ("emails", None, None): "email",
    ("emails", "value", None): "email",
    ("addresses", "locality", None): "city",
    ("addresses", "country", None): "country",
    ("addresses", "postalCode", None): "postal_code",
    ("addresses", "region", None): "state",
    ("meta", "created", None): "created_at",
    ("meta", "lastModified", None): "updated_at",
    ("nickName", None, None): "scim_data__nickName",
    ("userType", None, None): "scim_data__userType",
    ("locale", None, None): "scim_data__locale",
    ("employeeNumber", None, ENTERPRISE): f"scim_data__{ENTERPRISE}__employeeNumber",
    ("department", None, ENTERPRISE): f"scim_data__{ENTERPRISE}__department",
    ("costCenter", None, ENTERPRISE): f"scim_data__{ENTERPRISE}__costCenter",
    ("organization", None, ENTERPRISE): f"scim_data__{ENTERPRISE}__organization",
    ("division", None, ENTERPRISE): f"scim_data__{ENTERPRISE}__division",
}
GROUP_FILTER_MAP = {
    ("id", None, None): "id",
    ("displayName", None, None): "display_name",
    ("externalId", None, None): "external_id",
    ("members", None, None): "members__id",
    ("members", "value", None): "members__id",
    ("meta", "created", None): "created_at",
    ("meta", "lastModified", None): "updated_at",
}
USER_SORT = {
    "username": "scim_user_name",
    "emails.value": "email",
    "displayname": "display_name",
    "name.givenname": "given_name",
    "name.familyname": "surname",
    "externalid": "external_id",
    "meta.created": "created_at",
    "meta.lastmodified": "updated_at",
    "id": "id",
}
GROUP_SORT = {
    "displayname": "display_name",
    "externalid": "external_id",
    "meta.created": "created_at",
    "meta.lastmodified": "updated_at",
    "id": "id",
}


def users_queryset() -> Any:
    """Customers, annotated with their SCIM userName (the one a client set, else the
    email) for filtering and sorting."""
    from django.db.models import CharField, F
    from django.db.models.fields.json import KeyTextTransform
    from django.db.models.functions import Coalesce

    return m.User.objects.filter(kind=m.User.Kind.CUSTOMER).annotate(
        scim_user_name=Coalesce(
            KeyTextTransform("userName", "scim_data"), F("email"), output_field=CharField()
        )
    )
