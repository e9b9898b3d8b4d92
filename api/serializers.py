"""Request and response shapes of the management API (they also document it)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from directory.emails import validate_email
from directory.models import CustomAttribute, Group, Identity, User
from directory.services_access import API_PERMISSIONS

from .base import StrictSerializer

PROFILE = {
    "display_name": 256,
    "given_name": 128,
    "surname": 128,
    "city": 128,
    "country": 128,
    "postal_code": 40,
    "state": 128,
    "street_address": 256,
    "job_title": 128,
}


def _profile_fields() -> dict[str, serializers.Field]:
    return {
        name: serializers.CharField(max_length=size, required=False, allow_blank=True)
        for name, size in PROFILE.items()
    }


class UserSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    email = serializers.EmailField(read_only=True, allow_null=True)
    locals().update(
        {
            name: serializers.CharField(read_only=True, max_length=size)
            for name, size in PROFILE.items()
        }
    )
    custom_attributes = serializers.DictField(read_only=True)
    account_enabled = serializers.BooleanField(read_only=True, source="is_active")
    external_id = serializers.CharField(read_only=True)
    must_change_password = serializers.BooleanField(read_only=True)
    password_migration_pending = serializers.BooleanField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    last_sign_in_at = serializers.DateTimeField(read_only=True, allow_null=True)


class UserCreateSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254, validators=[validate_email])
    password = serializers.CharField(
        required=False, write_only=True, max_length=128, help_text="Omit for email-code sign-in"
    )
    locals().update(_profile_fields())
    custom_attributes = serializers.DictField(required=False)
    account_enabled = serializers.BooleanField(required=False, default=True)
    external_id = serializers.CharField(required=False, allow_blank=True, max_length=256)
    password_migration_pending = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The password lives in a legacy store, checked once by an OnPasswordSubmit "
        "custom authentication extension at the next sign-in.",
    )


class UserUpdateSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254, required=False, validators=[validate_email])
    locals().update(_profile_fields())
    custom_attributes = serializers.DictField(
        required=False, help_text="Merged into the stored values; null removes a value"
    )
    account_enabled = serializers.BooleanField(required=False)
    external_id = serializers.CharField(required=False, allow_blank=True, max_length=256)
    password_migration_pending = serializers.BooleanField(required=False)


class UserPageSerializer(serializers.Serializer):
    value = UserSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)


class ResetPasswordSerializer(StrictSerializer):
    mode = serializers.ChoiceField(choices=["temporary", "email"])


class ResetPasswordResultSerializer(serializers.Serializer):
    temporary_password = serializers.CharField(allow_null=True)


class IdentitySerializer(serializers.Serializer):
    id = serializers.CharField(read_only=True)
    type = serializers.ChoiceField(choices=Identity.Type.choices, read_only=True)
    issuer = serializers.CharField(read_only=True)
    subject = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    source = serializers.CharField(read_only=True)


class IdentityCreateSerializer(StrictSerializer):
    type = serializers.ChoiceField(choices=Identity.Type.choices)
    issuer = serializers.CharField(max_length=512, required=False, allow_blank=True)
    subject = serializers.CharField(max_length=512)


class GroupSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    display_name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    external_id = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class GroupWriteSerializer(StrictSerializer):
    display_name = serializers.CharField(max_length=256)
    description = serializers.CharField(max_length=1024, required=False, allow_blank=True)
    external_id = serializers.CharField(max_length=256, required=False, allow_blank=True)


class MembersSerializer(StrictSerializer):
    user_ids = serializers.ListField(child=serializers.UUIDField(), max_length=1000)


class MemberSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    email = serializers.EmailField(read_only=True, allow_null=True)
    display_name = serializers.CharField(read_only=True)


class AttributeSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)
    data_type = serializers.ChoiceField(choices=CustomAttribute.DataType.choices, read_only=True)
    label = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)


class AttributeCreateSerializer(StrictSerializer):
    name = serializers.SlugField(max_length=64)
    data_type = serializers.ChoiceField(choices=CustomAttribute.DataType.choices)
    label = serializers.CharField(max_length=128)
    description = serializers.CharField(max_length=512, required=False, allow_blank=True)


class AttributeUpdateSerializer(StrictSerializer):
    label = serializers.CharField(max_length=128, required=False)
    description = serializers.CharField(max_length=512, required=False, allow_blank=True)


class ApplicationSerializer(serializers.Serializer):
    client_id = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    app_type = serializers.CharField(read_only=True)
    redirect_uris = serializers.ListField(child=serializers.CharField(), read_only=True)
    backchannel_logout_uri = serializers.CharField(read_only=True)
    frontchannel_logout_uri = serializers.CharField(read_only=True)
    api_permissions = serializers.ListField(child=serializers.CharField(), read_only=True)
    native_auth_enabled = serializers.BooleanField(read_only=True)
    created = serializers.DateTimeField(read_only=True)


class ApplicationCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=255)
    app_type = serializers.ChoiceField(choices=["web", "spa", "native", "daemon"])
    redirect_uris = serializers.ListField(
        child=serializers.URLField(max_length=2000), required=False, max_length=50
    )


class ApplicationUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=255, required=False)
    redirect_uris = serializers.ListField(
        child=serializers.URLField(max_length=2000), required=False, max_length=50
    )
    backchannel_logout_uri = serializers.URLField(max_length=200, required=False, allow_blank=True)
    frontchannel_logout_uri = serializers.URLField(max_length=200, required=False, allow_blank=True)
    api_permissions = serializers.ListField(
        child=serializers.ChoiceField(choices=API_PERMISSIONS), required=False
    )
    native_auth_enabled = serializers.BooleanField(required=False)


class ApplicationCreatedSerializer(ApplicationSerializer):
    client_secret = serializers.CharField(read_only=True, allow_null=True)


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


def user_data(user: User) -> dict[str, Any]:
    return dict(UserSerializer(user).data)


def group_data(group: Group) -> dict[str, Any]:
    return dict(GroupSerializer(group).data)
