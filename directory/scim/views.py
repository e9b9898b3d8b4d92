"""SCIM 2.0 Users and Groups endpoints (RFC 7644 §3): create, read, replace, patch,
delete, list with filter / sort / pagination / attribute projection. Writes go through the
directory's services, so they are validated and audited like any admin change."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from pydantic import ValidationError
from scim2_models import Context, Error, Group, PatchOp, SCIMException

from directory import models as m
from directory import services_groups, services_users
from directory.etags import etag_of

from . import mapping
from .core import (
    ScimError,
    allow,
    error,
    list_page,
    list_response,
    projection,
    query_params,
    respond,
    scim_view,
)

ALLOWED = {"collection": {"GET", "POST"}, "item": {"GET", "PUT", "PATCH", "DELETE"}}


def _validation_error(exc: ValidationError) -> ScimError:
    first = Error.from_validation_errors(exc)[0]
    return ScimError(int(first.status or 400), first.detail or "Invalid.", first.scim_type)


def _service_error(exc: DjangoValidationError) -> ScimError:
    text = " ".join(exc.messages)
    if "already" in text:
        return ScimError(409, text, "uniqueness")
    return ScimError(400, text, "invalidValue")


def _validate(model: Any, body: dict[str, Any], ctx: Context) -> Any:
    try:
        return model.model_validate(body, scim_ctx=ctx)
    except ValidationError as exc:
        raise _validation_error(exc) from None


def _check_version(request: HttpRequest, obj: Any) -> None:
    header = request.META.get("HTTP_IF_MATCH")
    if header and header.strip() != "*":
        wanted = {t.strip().removeprefix("W/") for t in header.split(",")}
        if etag_of(obj) not in wanted:
            raise ScimError(412, "The resource changed since it was read.")


def _get(model: Any, pk: str, **filters: Any) -> Any:
    try:
        return model.objects.get(pk=pk, **filters)
    except (model.DoesNotExist, DjangoValidationError, ValueError):
        raise ScimError(404, f"Resource {pk} not found.") from None


def _method_not_allowed() -> HttpResponse:
    return error(405, "Method not allowed.")


def _one(request: HttpRequest, data: dict[str, Any], model: Any, status: int = 200) -> HttpResponse:
    resource = model.model_validate(data, scim_ctx=None)
    body = mapping.dump(resource, projection(request, model))
    return respond(
        body, status, {"ETag": data["meta"]["version"], "Location": data["meta"]["location"]}
    )


# --- Users -------------------------------------------------------------------------


def _search_users(request: HttpRequest, body: dict[str, Any] | None) -> HttpResponse:
    params = query_params(request, body)
    rows, total, start = list_page(
        params, mapping.users_queryset(), mapping.USER_FILTER_MAP, mapping.USER_SORT
    )
    projected = projection(request, mapping.ScimUser, params)
    base = request.scim_base  # type: ignore[attr-defined]
    resources = [mapping.dump(mapping.user_model(u, base), projected) for u in rows]
    return list_response(resources, total, start)


@scim_view
@allow("POST")
def users_search(request: HttpRequest, body: dict[str, Any] | None) -> HttpResponse:
    """POST /Users/.search (RFC 7644 §3.4.3)."""
    return _search_users(request, body)


@scim_view
@allow("POST")
def root_search(request: HttpRequest, body: dict[str, Any] | None) -> HttpResponse:
    raise ScimError(501, "Search Users/.search or Groups/.search instead.")


def _apply_user(request: HttpRequest, user: m.User | None, resource: Any) -> m.User:
    try:
        fields = mapping.user_fields(resource)
    except DjangoValidationError as exc:
        raise _service_error(exc) from None
    actor = request.scim_actor  # type: ignore[attr-defined]
    taken = mapping.users_queryset().filter(scim_user_name__iexact=fields["user_name"])
    if user is not None:
        taken = taken.exclude(pk=user.pk)
    if taken.exists():
        raise ScimError(409, "This userName is already taken.", "uniqueness")
    try:
        if user is None:
            user, _ = services_users.create_customer(
                email=fields["email"],
                password=fields["password"],
                profile=fields["profile"],
                external_id=fields["external_id"],
                is_active=fields["active"],
                scim_data=fields["scim_data"],
                email_optional=True,
                actor=actor,
                request=request,
            )
            return user
        user = services_users.update_user(
            user=user,
            email=fields["email"],
            profile=fields["profile"],
            external_id=fields["external_id"],
            scim_data=fields["scim_data"],
            email_optional=True,
            actor=actor,
            request=request,
        )
        if fields["active"] != user.is_active:
            user = services_users.set_blocked(
                user=user, blocked=not fields["active"], actor=actor, request=request
            )
        if fields["password"]:
            services_users.set_password(
                user=user, password=fields["password"], actor=actor, request=request
            )
            user.refresh_from_db()
        return user
    except DjangoValidationError as exc:
        raise _service_error(exc) from None


@scim_view
@allow("GET", "POST")
def users(request: HttpRequest, body: dict[str, Any] | None) -> HttpResponse:
    base = request.scim_base  # type: ignore[attr-defined]
    if request.method == "GET":
        return _search_users(request, body)
    if request.method != "POST":
        return _method_not_allowed()
    resource = _validate(mapping.ScimUser, body or {}, Context.RESOURCE_CREATION_REQUEST)
    user = _apply_user(request, None, resource)
    return _one(request, mapping.user_to_dict(user, base), mapping.ScimUser, 201)


@scim_view
@allow("GET", "PUT", "PATCH", "DELETE")
def user_detail(request: HttpRequest, body: dict[str, Any] | None, user_id: str) -> HttpResponse:
    base = request.scim_base  # type: ignore[attr-defined]
    user = _get(m.User, user_id, kind=m.User.Kind.CUSTOMER)
    if request.method == "GET":
        return _one(request, mapping.user_to_dict(user, base), mapping.ScimUser)
    if request.method not in ALLOWED["item"]:
        return _method_not_allowed()
    _check_version(request, user)
    if request.method == "DELETE":
        services_users.delete_user(
            user=user,
            actor=request.scim_actor,  # type: ignore[attr-defined]
            request=request,
        )
        return HttpResponse(status=204)
    if request.method == "PUT":
        resource = _validate(mapping.ScimUser, body or {}, Context.RESOURCE_REPLACEMENT_REQUEST)
    else:
        patch = _validate(PatchOp[mapping.ScimUser], body or {}, Context.RESOURCE_PATCH_REQUEST)
        resource = mapping.user_model(user, base)
        try:
            patch.patch(resource)
        except SCIMException as exc:
            err = exc.to_error()
            raise ScimError(int(err.status or 400), err.detail or "", err.scim_type) from None
    user = _apply_user(request, user, resource)
    return _one(request, mapping.user_to_dict(user, base), mapping.ScimUser)


# --- Groups ------------------------------------------------------------------------


def _search_groups(request: HttpRequest, body: dict[str, Any] | None) -> HttpResponse:
    params = query_params(request, body)
    rows, total, start = list_page(
        params, m.Group.objects.all(), mapping.GROUP_FILTER_MAP, mapping.GROUP_SORT
    )
    projected = projection(request, Group, params)
    base = request.scim_base  # type: ignore[attr-defined]
    resources = [mapping.dump(mapping.group_model(g, base), projected) for g in rows]
    return list_response(resources, total, start)


@scim_view
@allow("POST")
def groups_search(request: HttpRequest, body: dict[str, Any] | None) -> HttpResponse:
    """POST /Groups/.search (RFC 7644 §3.4.3)."""
    return _search_groups(request, body)


def _member_displays(resource: Any) -> dict[str, str]:
    displays = {}
    for member in resource.members or []:
        if member.value:
            if len(member.display or "") > 256:
                raise ScimError(
                    400, "members.display is longer than 256 characters.", "invalidValue"
                )
            displays[str(member.value)] = member.display or ""
    return displays


def _member_ids(resource: Any) -> list[str]:
    ids = [str(member.value) for member in resource.members or [] if member.value]
    known = {
        str(pk)
        for pk in mapping.users_queryset()
        .filter(pk__in=_valid_uuids(ids))
        .values_list("pk", flat=True)
    }
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise ScimError(400, f"No such member: {', '.join(unknown)}", "invalidValue")
    return ids


def _valid_uuids(values: list[str]) -> list[str]:
    import uuid

    valid = []
    for value in values:
        try:
            valid.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    return valid


@scim_view
@allow("GET", "POST")
def groups(request: HttpRequest, body: dict[str, Any] | None) -> HttpResponse:
    base = request.scim_base  # type: ignore[attr-defined]
    if request.method == "GET":
        return _search_groups(request, body)
    if request.method != "POST":
        return _method_not_allowed()
    resource = _validate(Group, body or {}, Context.RESOURCE_CREATION_REQUEST)
    try:
        group = services_groups.create_group(
            display_name=resource.display_name or "",
            external_id=resource.external_id or "",
            member_ids=_member_ids(resource),
            member_displays=_member_displays(resource),
            actor=request.scim_actor,  # type: ignore[attr-defined]
            request=request,
        )
    except DjangoValidationError as exc:
        raise _service_error(exc) from None
    return _one(request, mapping.group_to_dict(group, base), Group, 201)


@scim_view
@allow("GET", "PUT", "PATCH", "DELETE")
def group_detail(request: HttpRequest, body: dict[str, Any] | None, group_id: str) -> HttpResponse:
    base = request.scim_base  # type: ignore[attr-defined]
    group = _get(m.Group, group_id)
    actor = request.scim_actor  # type: ignore[attr-defined]
    if request.method == "GET":
        return _one(request, mapping.group_to_dict(group, base), Group)
    if request.method not in ALLOWED["item"]:
        return _method_not_allowed()
    _check_version(request, group)
    if request.method == "DELETE":
        services_groups.delete_group(group=group, actor=actor, request=request)
        return HttpResponse(status=204)
    if request.method == "PUT":
        resource = _validate(Group, body or {}, Context.RESOURCE_REPLACEMENT_REQUEST)
    else:
        patch = _validate(PatchOp[Group], body or {}, Context.RESOURCE_PATCH_REQUEST)
        resource = mapping.group_model(group, base)
        try:
            patch.patch(resource)
        except SCIMException as exc:
            err = exc.to_error()
            raise ScimError(int(err.status or 400), err.detail or "", err.scim_type) from None
    try:
        group = services_groups.update_group(
            group=group,
            display_name=resource.display_name or "",
            external_id=resource.external_id or "",
            actor=actor,
            request=request,
        )
        services_groups.set_members(
            group=group,
            user_ids=_member_ids(resource),
            displays=_member_displays(resource),
            actor=actor,
            request=request,
        )
    except DjangoValidationError as exc:
        raise _service_error(exc) from None
    group.refresh_from_db()
    return _one(request, mapping.group_to_dict(group, base), Group)
