"""SCIM plumbing: bearer-token authentication, RFC 7644 error responses, filters, lists."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from scim2_filter_parser.lexer import SCIMLexer
from scim2_filter_parser.parser import SCIMParser, SCIMParserError
from scim2_filter_parser.transpilers.django_q_object import Transpiler

from ciam import safejson
from ciam.tenancy import TenantRequest, is_tenant_request
from directory.services_access import authenticate_scim_token

CONTENT_TYPE = "application/scim+json"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
MAX_RESULTS = 200
MAX_INDEX = 2**31 - 1


class ScimError(Exception):
    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type


def respond(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data), status=status, content_type=f"{CONTENT_TYPE}; charset=utf-8"
    )
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def error(status: int, detail: str, scim_type: str | None = None) -> HttpResponse:
    """An error in the RFC 7644 §3.12 shape."""
    body: dict[str, Any] = {"schemas": [ERROR_SCHEMA], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    response = respond(body, status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="scim"'
    return response


def allow(*methods: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Name the HTTP methods a SCIM view answers; others get a SCIM 405."""

    def mark(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        view.scim_methods = set(methods)  # type: ignore[attr-defined]
        return view

    return mark


def scim_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Authenticate the SCIM bearer token, parse the JSON body, turn errors into SCIM
    errors."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request: TenantRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_tenant_request(request):
            return error(404, "Not found.")
        scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        client = authenticate_scim_token(token.strip()) if scheme.lower() == "bearer" else None
        if client is None:
            return error(401, "A valid SCIM bearer token is required.")
        request.scim_actor = f"scim:{client.name}"  # type: ignore[attr-defined]
        request.scim_base = request.tenant_base_url + "/scim/v2"  # type: ignore[attr-defined]
        allowed = getattr(view, "scim_methods", None)
        if allowed and request.method not in allowed:
            response = error(405, f"{request.method} is not allowed here.")
            response["Allow"] = ", ".join(sorted(allowed))
            return response
        if safejson.has_nul(k + v for k, values in request.GET.lists() for v in values):
            kind = "invalidFilter" if "\x00" in request.GET.get("filter", "") else "invalidValue"
            return error(400, "Parameters may not contain NUL characters.", kind)
        body = None
        if request.method in {"POST", "PUT", "PATCH"}:
            try:
                body = safejson.loads(request.body or b"null")
            except safejson.UnsafeJSON as exc:
                kind = "invalidValue" if exc.reason == "nul" else "invalidSyntax"
                return error(400, str(exc), kind)
            if not isinstance(body, dict):
                return error(400, "The body must be a JSON object.", "invalidSyntax")
        try:
            return view(request, body, *args, **kwargs)
        except ScimError as exc:
            return error(exc.status, exc.detail, exc.scim_type)

    return wrapper


class _StrictTranspiler(Transpiler):
    def visit_AttrPath(self, node: Any) -> Any:
        mapped = super().visit_AttrPath(node)
        if mapped is None:
            raise ScimError(
                400, f"Filtering on {node.attr_name} is not supported.", "invalidFilter"
            )
        return mapped


def filter_query(raw: str, attr_map: dict) -> Q:
    """A SCIM filter (RFC 7644 §3.4.2.2) as a Django Q object."""
    try:
        tree = SCIMParser().parse(SCIMLexer().tokenize(raw))
        if tree is None:
            raise SCIMParserError("empty")
        query = _StrictTranspiler(attr_map).transpile(tree)
    except ScimError:
        raise
    except Exception:
        raise ScimError(400, "The filter is not valid.", "invalidFilter") from None
    if query is None:
        raise ScimError(400, "The filter is not valid.", "invalidFilter")
    return query


def query_params(request: HttpRequest, body: dict[str, Any] | None) -> dict[str, str]:
    """The list parameters of a GET (query string) or a POST .search (body)."""
    if request.method == "GET":
        return {k: request.GET.get(k, "") for k in request.GET}
    params: dict[str, str] = {}
    for key, value in (body or {}).items():
        if key == "schemas":
            continue
        if isinstance(value, list):
            value = ",".join(str(v) for v in value)
        params[key] = "" if value is None else str(value)
    return params


def _int_param(params: dict[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(str(raw))
    except ValueError:
        raise ScimError(400, f"{name} must be an integer.", "invalidValue") from None
    if abs(value) > MAX_INDEX:
        raise ScimError(400, f"{name} is out of range.", "invalidValue")
    return value


def list_page(
    params: dict[str, str], qs: QuerySet, attr_map: dict, sorts: dict[str, str]
) -> tuple[list[Any], int, int]:
    """Filter, sort and page a queryset as the request asks (startIndex is 1-based)."""
    raw_filter = params.get("filter", "").strip()
    if raw_filter:
        query = filter_query(raw_filter, attr_map)
        try:
            qs = qs.filter(query).distinct()
        except (ValidationError, ValueError, TypeError, OverflowError):
            # a value the attribute cannot hold (`meta.lastModified gt "notadate"`)
            raise ScimError(400, "A value in the filter is not valid.", "invalidFilter") from None
    sort_by = params.get("sortBy", "").strip().lower()
    column = sorts.get(sort_by, "created_at") if sort_by else "created_at"
    if sort_by and sort_by not in sorts:
        raise ScimError(400, f"Sorting by {sort_by} is not supported.", "invalidValue")
    descending = (params.get("sortOrder") or "ascending").lower() == "descending"
    qs = qs.order_by(f"-{column}" if descending else column, "-id" if descending else "id")
    start = max(_int_param(params, "startIndex", 1), 1)
    count = min(max(_int_param(params, "count", 100), 0), MAX_RESULTS)
    try:
        total = qs.count()
        # a startIndex past the end asks for nothing (and may not fit an SQL OFFSET)
        rows = list(qs[start - 1 : start - 1 + count]) if count and start <= total else []
    except (ValidationError, ValueError):
        # e.g. `id eq "not-a-uuid"`: nothing can match
        return [], 0, start
    return rows, total, start


def list_response(resources: list[dict[str, Any]], total: int, start: int) -> HttpResponse:
    return respond(
        {
            "schemas": [LIST_SCHEMA],
            "totalResults": total,
            "startIndex": start,
            "itemsPerPage": len(resources),
            "Resources": resources,
        }
    )


def projection(request: HttpRequest, model: Any, params: dict[str, str] | None = None) -> Any:
    """The `attributes` / `excludedAttributes` of the request as scim2-models response
    parameters."""
    from scim2_models import ResponseParameters

    params = params if params is not None else {k: request.GET.get(k, "") for k in request.GET}
    attributes = params.get("attributes") or None
    excluded = params.get("excludedAttributes") or None
    if not attributes and not excluded:
        return None
    try:
        return ResponseParameters[model].model_validate(  # type: ignore[index]
            {"attributes": attributes, "excludedAttributes": excluded}
        )
    except Exception:
        raise ScimError(
            400, "attributes or excludedAttributes is not valid.", "invalidValue"
        ) from None
