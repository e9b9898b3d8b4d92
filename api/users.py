"""Management API: users, their identities, groups, block and password reset."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from ciam.tenancy import TenantRequest
from directory import selectors_users, services_identities, services_users
from directory.models import Group, Identity, User

from . import serializers as s
from .base import ApiView, check_if_match, conflict_or_invalid, get_object, with_etag

ERRORS = {400: s.ErrorSerializer, 401: s.ErrorSerializer, 403: s.ErrorSerializer}
NOT_FOUND = {404: s.ErrorSerializer}


class UserApiView(ApiView):
    read_permission = "User.Read.All"
    write_permission = "User.ReadWrite.All"

    def customer(self, user_id: Any) -> User:
        return get_object(User, user_id, kind=User.Kind.CUSTOMER)


def _attribute_filter(raw: str) -> dict[str, Any]:
    if not raw:
        return {}
    name, sep, value = raw.partition("=")
    if not sep or not name:
        raise ValidationError({"attribute": "Write the filter as name=value."})
    return selectors_users.attribute_filters({name.strip(): value})


class UserListView(UserApiView):
    @extend_schema(
        operation_id="listUsers",
        parameters=[
            OpenApiParameter("q", str, description="Prefix of the email or display name"),
            OpenApiParameter(
                "search_in",
                str,
                enum=["email", "name"],
                description="The column q matches; it also orders the page",
            ),
            OpenApiParameter("sort", str, enum=list(selectors_users.SORTS)),
            OpenApiParameter("status", str, enum=["active", "blocked"]),
            OpenApiParameter("attribute", str, description="Custom attribute filter name=value"),
            OpenApiParameter("cursor", str),
            OpenApiParameter("limit", int, description="1-200, default 50"),
        ],
        responses={200: s.UserPageSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        """Customer accounts, a page at a time (keyset cursor)."""
        params = request.query_params
        try:
            limit = int(params.get("limit") or 50)
        except ValueError:
            raise ValidationError({"limit": "Must be an integer."}) from None
        if params.get("status") not in (None, "", "active", "blocked"):
            raise ValidationError({"status": "Use active or blocked."})
        query = selectors_users.UserQuery(
            q=params.get("q", "")[:256],
            search_in=params.get("search_in") or "email",
            sort=params.get("sort") or "email",
            status=params.get("status") or "",
            cursor=params.get("cursor", "")[:512],
            limit=limit,
            attributes=_attribute_filter(params.get("attribute", "")),
        )
        users, cursor = selectors_users.search_users(query)
        return Response({"value": [s.user_data(u) for u in users], "next_cursor": cursor})

    @extend_schema(
        operation_id="createUser",
        request=s.UserCreateSerializer,
        responses={201: s.UserSerializer, 409: s.ErrorSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        """Create a customer account."""
        data = self.parse(s.UserCreateSerializer)
        profile = {k: data[k] for k in s.PROFILE if k in data}
        try:
            user, _ = services_users.create_customer(
                email=data["email"],
                password=data.get("password"),
                profile=profile,
                custom_attributes=data.get("custom_attributes") or {},
                external_id=data.get("external_id", ""),
                is_active=data.get("account_enabled", True),
                actor=request.user,
                request=request,
            )
            if data.get("password_migration_pending"):
                user = services_users.set_password_migration_pending(
                    user=user, pending=True, actor=request.user, request=request
                )
        except ValidationError as exc:
            raise conflict_or_invalid(exc) from None
        return with_etag(Response(s.user_data(user), status=status.HTTP_201_CREATED), user)


class UserDetailView(UserApiView):
    @extend_schema(operation_id="getUser", responses={200: s.UserSerializer, **ERRORS, **NOT_FOUND})
    def get(self, request: Request, user_id: str) -> Response:
        """One customer account; the ETag header versions it."""
        user = self.customer(user_id)
        return with_etag(Response(s.user_data(user)), user)

    @extend_schema(
        operation_id="updateUser",
        request=s.UserUpdateSerializer,
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER)],
        responses={
            200: s.UserSerializer,
            409: s.ErrorSerializer,
            412: s.ErrorSerializer,
            **ERRORS,
            **NOT_FOUND,
        },
    )
    def patch(self, request: Request, user_id: str) -> Response:
        """Change a customer's email, profile, custom attributes or enabled state."""
        user = self.customer(user_id)
        check_if_match(request, user)
        data = self.parse(s.UserUpdateSerializer, partial=True)
        try:
            user = services_users.update_user(
                user=user,
                email=data.get("email"),
                profile={k: data[k] for k in s.PROFILE if k in data},
                custom_attributes=data.get("custom_attributes") or {},
                external_id=data.get("external_id"),
                actor=request.user,
                request=request,
            )
            if "account_enabled" in data and data["account_enabled"] != user.is_active:
                user = services_users.set_blocked(
                    user=user,
                    blocked=not data["account_enabled"],
                    actor=request.user,
                    request=request,
                )
            pending = data.get("password_migration_pending")
            if pending is not None and pending != user.password_migration_pending:
                user = services_users.set_password_migration_pending(
                    user=user, pending=pending, actor=request.user, request=request
                )
        except ValidationError as exc:
            raise conflict_or_invalid(exc) from None
        return with_etag(Response(s.user_data(user)), user)

    @extend_schema(
        operation_id="deleteUser",
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER)],
        responses={204: None, 412: s.ErrorSerializer, **ERRORS, **NOT_FOUND},
    )
    def delete(self, request: Request, user_id: str) -> Response:
        """Delete a customer with their personal data; their tokens are revoked."""
        user = self.customer(user_id)
        check_if_match(request, user)
        services_users.delete_user(user=user, actor=request.user, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserBlockView(UserApiView):
    blocked = True

    @extend_schema(request=None, responses={200: s.UserSerializer, **ERRORS, **NOT_FOUND})
    def post(self, request: Request, user_id: str) -> Response:
        """Block (sessions end and refresh tokens are revoked at once) or unblock."""
        user = services_users.set_blocked(
            user=self.customer(user_id), blocked=self.blocked, actor=request.user, request=request
        )
        return with_etag(Response(s.user_data(user)), user)


class UserUnblockView(UserBlockView):
    blocked = False


class UserResetPasswordView(UserApiView):
    @extend_schema(
        operation_id="resetUserPassword",
        request=s.ResetPasswordSerializer,
        responses={200: s.ResetPasswordResultSerializer, **ERRORS, **NOT_FOUND},
    )
    def post(self, request: Request, user_id: str) -> Response:
        """Reset a password: a one-time temporary password, or a reset link by email."""
        user = self.customer(user_id)
        data = self.parse(s.ResetPasswordSerializer)
        temporary = services_users.reset_password(
            user=user,
            mode=data["mode"],
            actor=request.user,
            request=request,
            base_url=cast(TenantRequest, request._request).tenant_base_url,
        )
        return Response({"temporary_password": temporary})


class UserIdentitiesView(UserApiView):
    @extend_schema(
        operation_id="listUserIdentities",
        responses={200: s.IdentitySerializer(many=True), **ERRORS, **NOT_FOUND},
    )
    def get(self, request: Request, user_id: str) -> Response:
        """The user's sign-in identities."""
        user = self.customer(user_id)
        return Response(
            s.IdentitySerializer(services_identities.identities_of(user), many=True).data
        )

    @extend_schema(
        operation_id="addUserIdentity",
        request=s.IdentityCreateSerializer,
        responses={201: s.IdentitySerializer, 409: s.ErrorSerializer, **ERRORS, **NOT_FOUND},
    )
    def post(self, request: Request, user_id: str) -> Response:
        """Link a sign-in identity (e.g. a federated issuer and subject)."""
        user = self.customer(user_id)
        data = self.parse(s.IdentityCreateSerializer)
        try:
            identity = services_identities.add_identity(
                user=user,
                type=data["type"],
                issuer=data.get("issuer", ""),
                subject=data["subject"],
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            raise conflict_or_invalid(exc) from None
        body = {
            "id": str(identity.pk),
            "type": identity.type,
            "issuer": identity.issuer,
            "subject": identity.subject,
            "created_at": identity.created_at,
            "source": "directory",
        }
        return Response(s.IdentitySerializer(body).data, status=status.HTTP_201_CREATED)


class UserIdentityDetailView(UserApiView):
    @extend_schema(operation_id="removeUserIdentity", responses={204: None, **ERRORS, **NOT_FOUND})
    def delete(self, request: Request, user_id: str, identity_id: str) -> Response:
        """Unlink a sign-in identity."""
        user = self.customer(user_id)
        identity = get_object(Identity, identity_id, user=user)
        services_identities.remove_identity(identity=identity, actor=request.user, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserGroupsView(UserApiView):
    @extend_schema(
        operation_id="listUserGroups",
        responses={200: s.GroupSerializer(many=True), **ERRORS, **NOT_FOUND},
    )
    def get(self, request: Request, user_id: str) -> Response:
        """The groups the user belongs to."""
        user = self.customer(user_id)
        groups = Group.objects.filter(members=user).order_by("display_name")
        return Response([s.group_data(g) for g in groups])
