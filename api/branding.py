"""Management API: company branding and language customisations (module of the branding
work, placed beside the other API modules until the api/ app takes them over)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import FileUploadParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from branding import resolve, services
from branding.models import LanguageCustomization
from branding.validation import IMAGE_FIELDS, IMAGE_LIMITS

from .base import ApiView, check_if_match, with_etag
from .users import ERRORS, NOT_FOUND


def branding_data(branding: Any) -> dict[str, Any]:
    data = {field: getattr(branding, field) for field in services.SETTABLE}
    data["images"] = {field: resolve.asset_url(getattr(branding, field)) for field in IMAGE_FIELDS}
    data["updated_at"] = branding.updated_at.isoformat() if branding.updated_at else None
    return data


def language_data(custom: LanguageCustomization) -> dict[str, Any]:
    return {
        "language": custom.language,
        "texts": custom.texts,
        "strings": custom.strings,
        "attributes": custom.attributes,
        "emails": custom.emails,
        "updated_at": custom.updated_at.isoformat(),
    }


class BrandingApiView(ApiView):
    read_permission = "OrganizationalBranding.Read.All"
    write_permission = "OrganizationalBranding.ReadWrite.All"
    parser_classes = [JSONParser]

    def body(self) -> dict[str, Any]:
        if not isinstance(self.request.data, dict):
            raise exceptions.ValidationError({"non_field_errors": ["Send a JSON object."]})
        return self.request.data


class BrandingView(BrandingApiView):
    @extend_schema(operation_id="getBranding", responses={200: OpenApiTypes.OBJECT, **ERRORS})
    def get(self, request: Request) -> Response:
        """The default company branding; the ETag header versions it."""
        branding = services.get_branding()
        return with_etag(Response(branding_data(branding)), branding)

    @extend_schema(
        operation_id="updateBranding",
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    def patch(self, request: Request) -> Response:
        """Change any of the default branding's texts, links, colours, layout, custom CSS,
        default language or sender name. All or nothing; errors name their field."""
        data = self.body()
        unknown = sorted(set(data) - set(services.SETTABLE))
        if unknown:
            raise exceptions.ValidationError({name: ["Unknown field."] for name in unknown})
        check_if_match(request, services.get_branding())
        branding = services.update_branding(data=data, actor=request.user, request=request)
        return with_etag(Response(branding_data(branding)), branding)


class BrandingImageView(BrandingApiView):
    parser_classes = [FileUploadParser]

    @extend_schema(
        operation_id="putBrandingImage",
        request={"image/*": OpenApiTypes.BINARY},
        responses={200: OpenApiTypes.OBJECT, **ERRORS, **NOT_FOUND},
    )
    def put(self, request: Request, field: str) -> Response:
        """Upload one image (favicon, background_image, banner_logo, square_logo,
        square_logo_dark) as the request body: PNG, JPEG or WebP."""
        if field not in IMAGE_FIELDS:
            raise exceptions.NotFound("No such image.")
        limit = IMAGE_LIMITS[field][0]
        raw = request.stream.read(limit + 1) if request.stream else b""
        if not raw:
            raise exceptions.ValidationError({field: ["Send the image as the request body."]})
        name = request.headers.get("Content-Disposition", "").rpartition("filename=")[2].strip('"')
        upload = SimpleUploadedFile(name or "upload", raw, request.content_type or "")
        branding = services.update_branding(
            data={}, files={field: upload}, actor=request.user, request=request
        )
        return with_etag(Response(branding_data(branding)), branding)

    @extend_schema(operation_id="deleteBrandingImage", responses={204: None, **ERRORS})
    def delete(self, request: Request, field: str) -> Response:
        if field not in IMAGE_FIELDS:
            raise exceptions.NotFound("No such image.")
        services.update_branding(data={f"{field}_clear": True}, actor=request.user, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LanguageListView(BrandingApiView):
    @extend_schema(operation_id="listBrandingLanguages", responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        """Every language customisation of the tenant."""
        return Response([language_data(c) for c in LanguageCustomization.objects.all()])


class LanguageDetailView(BrandingApiView):
    def _get(self, tag: str) -> LanguageCustomization:
        custom = LanguageCustomization.objects.filter(language__iexact=tag).first()
        if custom is None:
            raise exceptions.NotFound("No customisation for this language.")
        return custom

    @extend_schema(
        operation_id="getBrandingLanguage", responses={200: OpenApiTypes.OBJECT, **NOT_FOUND}
    )
    def get(self, request: Request, tag: str) -> Response:
        custom = self._get(tag)
        return with_etag(Response(language_data(custom)), custom)

    @extend_schema(
        operation_id="putBrandingLanguage",
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT, **ERRORS},
    )
    def put(self, request: Request, tag: str) -> Response:
        """Create or replace the customisation of a language (BCP 47 tag in the path):
        {"texts", "strings", "attributes", "emails"}."""
        data = self.body()
        unknown = sorted(set(data) - {"texts", "strings", "attributes", "emails"})
        if unknown:
            raise exceptions.ValidationError({name: ["Unknown field."] for name in unknown})
        existing = LanguageCustomization.objects.filter(language__iexact=tag).first()
        if existing is not None:
            check_if_match(request, existing)
        try:
            custom = services.save_language_customization(
                language=tag, data=data, actor=request.user, request=request
            )
        except ValidationError:
            raise
        code = status.HTTP_200_OK if existing else status.HTTP_201_CREATED
        return with_etag(Response(language_data(custom), status=code), custom)

    @extend_schema(operation_id="deleteBrandingLanguage", responses={204: None, **NOT_FOUND})
    def delete(self, request: Request, tag: str) -> Response:
        if not services.delete_language_customization(
            language=tag, actor=request.user, request=request
        ):
            raise exceptions.NotFound("No customisation for this language.")
        return Response(status=status.HTTP_204_NO_CONTENT)
