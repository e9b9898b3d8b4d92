"""Management API: app registrations (django-oauth-toolkit Application rows) and the API
permissions granted to daemon apps. Registration itself is applications.services'; this
module only adapts it and audits the changes it makes."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from applications import management_api

from . import serializers as s
from .base import ApiView
from .users import ERRORS, NOT_FOUND


def _app_type(app: Any) -> str:
    if app.authorization_grant_type == app.GRANT_CLIENT_CREDENTIALS:
        return "daemon"
    return "web" if app.client_type == app.CLIENT_CONFIDENTIAL else "public"


def app_data(app: Any, secret: str | None = None) -> dict[str, Any]:
    data = {
        "client_id": app.client_id,
        "name": app.name,
        "app_type": _app_type(app),
        "redirect_uris": app.redirect_uris.split(),
        "backchannel_logout_uri": app.backchannel_logout_uri,
        "frontchannel_logout_uri": app.frontchannel_logout_uri,
        "api_permissions": sorted(management_api.granted_api_permissions(app.client_id)),
        "native_auth_enabled": app.native_auth_enabled,
        "created": app.created,
    }
    if secret is not None:
        data["client_secret"] = secret
    return data


class AppApiView(ApiView):
    read_permission = "Application.Read.All"
    write_permission = "Application.ReadWrite.All"

    def app(self, client_id: str) -> Any:
        from applications.models import Application

        row = Application.objects.filter(client_id=client_id[:100]).first()
        if row is None:
            raise NotFound("No such object.")
        return row


class ApplicationListView(AppApiView):
    @extend_schema(
        operation_id="listApplications",
        responses={200: s.ApplicationSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        """The tenant's app registrations."""
        from applications.models import Application

        return Response([app_data(a) for a in Application.objects.order_by("name")[:1000]])

    @extend_schema(
        operation_id="createApplication",
        request=s.ApplicationCreateSerializer,
        responses={201: s.ApplicationCreatedSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        """Register an app; a confidential app's client secret is returned once."""
        from applications.services import register_application

        data = self.parse(s.ApplicationCreateSerializer)
        app, secret = register_application(
            name=data["name"],
            app_type=data["app_type"],
            redirect_uris=data.get("redirect_uris", []),
            actor=request.user,
            request=request,
        )
        return Response(app_data(app, secret), status=status.HTTP_201_CREATED)


class ApplicationDetailView(AppApiView):
    @extend_schema(
        operation_id="getApplication",
        responses={200: s.ApplicationSerializer, **ERRORS, **NOT_FOUND},
    )
    def get(self, request: Request, client_id: str) -> Response:
        """One app registration."""
        return Response(app_data(self.app(client_id)))

    @extend_schema(
        operation_id="updateApplication",
        request=s.ApplicationUpdateSerializer,
        responses={200: s.ApplicationSerializer, **ERRORS, **NOT_FOUND},
    )
    def patch(self, request: Request, client_id: str) -> Response:
        """Rename an app or change its redirect URIs (validated as in the admin center).
        `api_permissions` may only repeat the app's current grants: an app never grants or
        revokes API permissions (403); a Global Administrator does, in the admin center."""
        from applications import services as app_services

        app = self.app(client_id)
        data = self.parse(s.ApplicationUpdateSerializer, partial=True)
        fields = (
            "name",
            "redirect_uris",
            "backchannel_logout_uri",
            "frontchannel_logout_uri",
            "native_auth_enabled",
        )
        changes = {k: data[k] for k in fields if k in data}
        with transaction.atomic():
            if changes:
                app_services.update_application(app, actor=request.user, request=request, **changes)
            if "api_permissions" in data:
                wanted = set(data["api_permissions"])
                for grant in management_api.management_api_grants().filter(client=app):
                    if grant.value not in wanted:
                        management_api.revoke_api_permission(
                            grant=grant, actor=request.user, request=request
                        )
                for permission in wanted - management_api.granted_api_permissions(app.client_id):
                    management_api.grant_api_permission(
                        client_id=app.client_id,
                        permission=permission,
                        actor=request.user,
                        request=request,
                    )
        return Response(app_data(app))

    @extend_schema(operation_id="deleteApplication", responses={204: None, **ERRORS, **NOT_FOUND})
    def delete(self, request: Request, client_id: str) -> Response:
        """Delete an app registration with its tokens and permission grants."""
        from applications import services as app_services

        app_services.delete_application(self.app(client_id), actor=request.user, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)
