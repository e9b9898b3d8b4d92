"""Management API: custom authentication extensions (Entra's
customAuthenticationExtension resource, permission CustomAuthenticationExtension.ReadWrite.All).
The rules are extensions.services'; this module only adapts them. (It imports `extensions`
lazily: the lead moves the management API into its own app above the domain apps.)"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from .base import ApiView, StrictSerializer
from .users import ERRORS, NOT_FOUND

EVENTS = [
    "OnTokenIssuanceStart",
    "OnAttributeCollectionStart",
    "OnAttributeCollectionSubmit",
    "OnOtpSend",
    "OnPasswordSubmit",
]


class _Fields(StrictSerializer):
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True)
    target_url = serializers.CharField(max_length=500)
    app_id_uri = serializers.CharField(required=False, allow_blank=True, max_length=255)
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENTS), min_length=1)
    user_flows = serializers.ListField(child=serializers.CharField(), required=False)
    applications = serializers.ListField(child=serializers.CharField(), required=False)
    include_app_only_tokens = serializers.BooleanField(required=False)
    timeout_ms = serializers.IntegerField(required=False, min_value=200, max_value=2000)
    max_retries = serializers.IntegerField(required=False, min_value=0, max_value=1)
    allowed_claims = serializers.ListField(child=serializers.CharField(), required=False)
    on_failure = serializers.ChoiceField(choices=["fail", "continue"], required=False)
    is_enabled = serializers.BooleanField(required=False)
    encryption_public_key = serializers.CharField(required=False, allow_blank=True)


class ExtensionSerializer(_Fields):
    id = serializers.UUIDField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


def extension_data(ext: Any) -> dict[str, Any]:
    return dict(ExtensionSerializer(ext).data)


class ExtensionApiView(ApiView):
    read_permission = "CustomAuthenticationExtension.Read.All"
    write_permission = "CustomAuthenticationExtension.ReadWrite.All"

    def extension(self, extension_id: str) -> Any:
        from django.core.exceptions import ValidationError

        from extensions.models import CustomAuthenticationExtension

        try:
            return CustomAuthenticationExtension.objects.get(pk=extension_id)
        except (CustomAuthenticationExtension.DoesNotExist, ValidationError, ValueError):
            raise NotFound("No such object.") from None


class ExtensionListView(ExtensionApiView):
    @extend_schema(
        operation_id="listCustomAuthenticationExtensions",
        responses={200: ExtensionSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        """The tenant's custom authentication extensions (at most 100)."""
        from extensions.models import CustomAuthenticationExtension

        return Response([extension_data(e) for e in CustomAuthenticationExtension.objects.all()])

    @extend_schema(
        operation_id="createCustomAuthenticationExtension",
        request=_Fields,
        responses={201: ExtensionSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        """Register an extension (audited)."""
        from extensions import services

        data = self.parse(_Fields)
        ext = services.create_extension(actor=request.user, request=request, **data)
        return Response(extension_data(ext), status=status.HTTP_201_CREATED)


class ExtensionDetailView(ExtensionApiView):
    @extend_schema(
        operation_id="getCustomAuthenticationExtension",
        responses={200: ExtensionSerializer, **ERRORS, **NOT_FOUND},
    )
    def get(self, request: Request, extension_id: str) -> Response:
        return Response(extension_data(self.extension(extension_id)))

    @extend_schema(
        operation_id="updateCustomAuthenticationExtension",
        request=_Fields(partial=True),
        responses={200: ExtensionSerializer, **ERRORS, **NOT_FOUND},
    )
    def patch(self, request: Request, extension_id: str) -> Response:
        """Change an extension's settings, or enable / disable it (audited)."""
        from extensions import services

        ext = self.extension(extension_id)
        data = self.parse(_Fields, partial=True)
        ext = services.update_extension(ext, actor=request.user, request=request, **data)
        return Response(extension_data(ext))

    @extend_schema(
        operation_id="deleteCustomAuthenticationExtension",
        responses={204: None, **ERRORS, **NOT_FOUND},
    )
    def delete(self, request: Request, extension_id: str) -> Response:
        from extensions import services

        services.delete_extension(self.extension(extension_id), actor=request.user, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)
