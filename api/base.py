"""Authentication, permissions, errors and ETags shared by the management API's views.

Callers authenticate with an OAuth 2.0 client-credentials access token issued by this
tenant (a self-contained JWT of a daemon app, see applications.tokens.load_access_token).
A call needs the application permission its view names (e.g. `User.ReadWrite.All`) in
the token's scope *and* still granted to the app by an admin, so revoking a grant takes
effect at once. What a permission implies (`*.ReadWrite.All` includes `*.Read.All`) is
the catalogue's (directory.roles)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from applications.management_api import granted_api_permissions
from ciam import safejson
from directory.etags import etag_of
from directory.roles import expand_api_permissions


class ApiClient:
    """The daemon app calling the API."""

    is_authenticated = True

    def __init__(self, application: Any, permissions: set[str]) -> None:
        self.application = application
        self.permissions = permissions
        self.email = f"app:{application.client_id}"
        self.pk = None

    def __str__(self) -> str:
        return f"app {self.application.name} ({self.application.client_id})"


class AccessTokenAuthentication(BaseAuthentication):
    """Bearer access tokens of this tenant's daemon apps."""

    def authenticate(self, request: Request) -> tuple[ApiClient, Any] | None:
        from applications.tokens import load_access_token

        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise exceptions.AuthenticationFailed("Use an OAuth 2.0 bearer access token.")
        row = load_access_token(token.strip())
        if (
            row is None
            or row.expires <= timezone.now()
            or row.application is None
            or not row.application.is_enabled
        ):
            raise exceptions.AuthenticationFailed("The access token is not valid or expired.")
        if row.user_id is not None:
            raise exceptions.AuthenticationFailed(
                "Use an app-only token (client credentials grant)."
            )
        scopes = set(row.scope.split())
        granted = granted_api_permissions(row.application.client_id)
        return ApiClient(row.application, scopes & granted), row

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="management-api"'


class HasApiPermission(BasePermission):
    """The view's `required_permissions` maps HTTP methods to a permission name."""

    def has_permission(self, request: Request, view: Any) -> bool:
        client = request.user
        if not isinstance(client, ApiClient):
            raise exceptions.NotAuthenticated("Send an OAuth 2.0 bearer access token.")
        needed = view.required_permission(request.method)
        if needed not in expand_api_permissions(client.permissions):
            raise exceptions.PermissionDenied(f"This call needs the {needed} permission.")
        return True


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "The request conflicts with the current state."


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"
    default_detail = "The resource changed since you read it (ETag mismatch)."


class UnknownFields(exceptions.ValidationError):
    default_code = "unknown_field"


CODES = {
    400: "invalid_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    412: "precondition_failed",
    415: "unsupported_media_type",
    429: "throttled",
}


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            fields.update(_flatten(value, name))
    elif isinstance(detail, list):
        if all(not isinstance(v, (dict, list)) for v in detail):
            fields[prefix or "non_field_errors"] = [str(v) for v in detail]
        else:
            for index, value in enumerate(detail):
                fields.update(_flatten(value, f"{prefix}[{index}]"))
    else:
        fields[prefix or "non_field_errors"] = [str(detail)]
    return fields


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error as {"error": {"code", "message", "fields"?}} with a stable code."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("No such object.")
    response = exception_handler(exc, context)
    if response is None:
        return None
    code = CODES.get(response.status_code, "error")
    body: dict[str, Any] = {"code": code, "message": ""}
    if isinstance(exc, UnknownFields):
        body["code"] = "unknown_field"
    if isinstance(exc, exceptions.ValidationError):
        body["code"] = body["code"] if body["code"] == "unknown_field" else "validation_failed"
        body["message"] = "The request has invalid fields."
        body["fields"] = _flatten(exc.detail)
    elif isinstance(exc, exceptions.APIException):
        body["message"] = str(exc.detail)
    response.data = {"error": body}
    return response


class StrictSerializer(serializers.Serializer):
    """A request body whose unknown (or read-only) fields are refused, not ignored: see
    `ApiView.parse`."""


def refuse_unknown_fields(serializer: serializers.Serializer, data: dict[str, Any]) -> None:
    fields = serializer.fields
    unknown = sorted(k for k in data if k not in fields)
    read_only = sorted(k for k in data if k in fields and fields[k].read_only)
    if unknown or read_only:
        raise UnknownFields(
            {name: ["Unknown field."] for name in unknown}
            | {name: ["This field is read-only."] for name in read_only}
        )


class SafeJSONParser(JSONParser):
    """JSON bodies through ciam.safejson: too deep a body or a NUL in any string or key
    is a 400 (`invalid_request`), not a RecursionError or a database error."""

    def parse(self, stream, media_type=None, parser_context=None):  # type: ignore[no-untyped-def]
        try:
            return safejson.loads(stream.read())
        except safejson.UnsafeJSON as exc:
            raise exceptions.ParseError(str(exc)) from None


class ApiView(APIView):
    """Base of the management API's views."""

    authentication_classes = [AccessTokenAuthentication]
    permission_classes = [HasApiPermission]
    parser_classes = [SafeJSONParser, FormParser, MultiPartParser]
    read_permission = ""
    write_permission = ""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if safejson.has_nul(k + v for k, values in request.query_params.lists() for v in values):
            raise exceptions.ParseError("Query parameters may not contain NUL characters.")

    def required_permission(self, method: str) -> str:
        if method in {"GET", "HEAD", "OPTIONS"}:
            return self.read_permission
        return self.write_permission

    def get_exception_handler(self):  # type: ignore[no-untyped-def]
        return api_exception_handler

    def parse(self, serializer_class: type[serializers.Serializer], partial: bool = False) -> Any:
        if not isinstance(self.request.data, dict):
            raise exceptions.ValidationError({"non_field_errors": ["Send a JSON object."]})
        serializer = serializer_class(data=self.request.data, partial=partial)
        refuse_unknown_fields(serializer, self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


def check_if_match(request: Request, obj: Any) -> None:
    """412 when the client sends If-Match with an ETag that is no longer current."""
    header = request.META.get("HTTP_IF_MATCH")
    if not header or header.strip() == "*":
        return
    wanted = {t.strip().removeprefix("W/") for t in header.split(",")}
    if etag_of(obj) not in wanted:
        raise PreconditionFailed()


def with_etag(response: Response, obj: Any) -> Response:
    response["ETag"] = etag_of(obj)
    return response


def get_object(model: Any, pk: Any, **filters: Any) -> Any:
    """The row of this tenant with this id or 404 (bad ids, other tenants' ids alike)."""
    try:
        return model._default_manager.get(pk=pk, **filters)
    except (model.DoesNotExist, DjangoValidationError, ValueError):
        raise exceptions.NotFound("No such object.") from None


def conflict_or_invalid(exc: DjangoValidationError) -> Exception:
    """Map a service's ValidationError: 'already exists' errors are 409 conflicts."""
    messages = exc.messages
    if any("already" in m for m in messages):
        return Conflict(" ".join(messages))
    return exc
