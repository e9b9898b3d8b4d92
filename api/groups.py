"""Management API: groups and their members, custom attribute definitions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from directory import services_groups
from directory.models import CustomAttribute, Group, User

from . import serializers as s
from .base import ApiView, check_if_match, conflict_or_invalid, get_object, with_etag
from .users import ERRORS, NOT_FOUND

IF_MATCH = [OpenApiParameter("If-Match", str, OpenApiParameter.HEADER)]


class GroupApiView(ApiView):
    read_permission = "Group.Read.All"
    write_permission = "Group.ReadWrite.All"


class GroupListView(GroupApiView):
    @extend_schema(
        operation_id="listGroups", responses={200: s.GroupSerializer(many=True), **ERRORS}
    )
    def get(self, request: Request) -> Response:
        """All security groups (by name)."""
        return Response([s.group_data(g) for g in Group.objects.order_by("display_name")[:1000]])

    @extend_schema(
        operation_id="createGroup",
        request=s.GroupWriteSerializer,
        responses={201: s.GroupSerializer, 409: s.ErrorSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        """Create a security group."""
        data = self.parse(s.GroupWriteSerializer)
        try:
            group = services_groups.create_group(**data, actor=request.user, request=request)
        except ValidationError as exc:
            raise conflict_or_invalid(exc) from None
        return with_etag(Response(s.group_data(group), status=status.HTTP_201_CREATED), group)


class GroupDetailView(GroupApiView):
    @extend_schema(
        operation_id="getGroup", responses={200: s.GroupSerializer, **ERRORS, **NOT_FOUND}
    )
    def get(self, request: Request, group_id: str) -> Response:
        """One group; the ETag header versions it."""
        group = get_object(Group, group_id)
        return with_etag(Response(s.group_data(group)), group)

    @extend_schema(
        operation_id="updateGroup",
        request=s.GroupWriteSerializer,
        parameters=IF_MATCH,
        responses={
            200: s.GroupSerializer,
            409: s.ErrorSerializer,
            412: s.ErrorSerializer,
            **ERRORS,
            **NOT_FOUND,
        },
    )
    def patch(self, request: Request, group_id: str) -> Response:
        """Rename a group or change its description."""
        group = get_object(Group, group_id)
        check_if_match(request, group)
        data = self.parse(s.GroupWriteSerializer, partial=True)
        try:
            group = services_groups.update_group(
                group=group, **data, actor=request.user, request=request
            )
        except ValidationError as exc:
            raise conflict_or_invalid(exc) from None
        return with_etag(Response(s.group_data(group)), group)

    @extend_schema(
        operation_id="deleteGroup",
        parameters=IF_MATCH,
        responses={204: None, 412: s.ErrorSerializer, **ERRORS, **NOT_FOUND},
    )
    def delete(self, request: Request, group_id: str) -> Response:
        """Delete a group (its members stay)."""
        group = get_object(Group, group_id)
        check_if_match(request, group)
        services_groups.delete_group(group=group, actor=request.user, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class GroupMembersView(GroupApiView):
    @extend_schema(
        operation_id="listGroupMembers",
        responses={200: s.MemberSerializer(many=True), **ERRORS, **NOT_FOUND},
    )
    def get(self, request: Request, group_id: str) -> Response:
        """The group's members."""
        group = get_object(Group, group_id)
        members = group.members.order_by("email")[:5000]
        return Response(s.MemberSerializer(members, many=True).data)

    @extend_schema(
        operation_id="addGroupMembers",
        request=s.MembersSerializer,
        responses={200: s.MemberSerializer(many=True), **ERRORS, **NOT_FOUND},
    )
    def post(self, request: Request, group_id: str) -> Response:
        """Add users (by id) to the group; returns the users added."""
        group = get_object(Group, group_id)
        data = self.parse(s.MembersSerializer)
        added = services_groups.add_members(
            group=group, user_ids=data["user_ids"], actor=request.user, request=request
        )
        return Response(s.MemberSerializer(added, many=True).data)


class GroupMemberDetailView(GroupApiView):
    @extend_schema(operation_id="removeGroupMember", responses={204: None, **ERRORS, **NOT_FOUND})
    def delete(self, request: Request, group_id: str, user_id: str) -> Response:
        """Remove a user from the group."""
        group = get_object(Group, group_id)
        user = get_object(User, user_id)
        if not services_groups.remove_members(
            group=group, user_ids=[user.pk], actor=request.user, request=request
        ):
            return Response(
                {"error": {"code": "not_found", "message": "The user is not a member."}},
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


class AttributeApiView(ApiView):
    read_permission = "User.Read.All"
    write_permission = "User.ReadWrite.All"


class AttributeListView(AttributeApiView):
    @extend_schema(
        operation_id="listCustomAttributes",
        responses={200: s.AttributeSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        """The tenant's custom user attribute definitions."""
        return Response(s.AttributeSerializer(CustomAttribute.objects.all(), many=True).data)

    @extend_schema(
        operation_id="createCustomAttribute",
        request=s.AttributeCreateSerializer,
        responses={201: s.AttributeSerializer, 409: s.ErrorSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        """Define a custom user attribute."""
        data = self.parse(s.AttributeCreateSerializer)
        if CustomAttribute.objects.filter(name=data["name"]).exists():
            raise conflict_or_invalid(
                ValidationError({"name": "An attribute with this name already exists."})
            )
        attribute = services_groups.create_attribute(**data, actor=request.user, request=request)
        return Response(s.AttributeSerializer(attribute).data, status=status.HTTP_201_CREATED)


class AttributeDetailView(AttributeApiView):
    @extend_schema(
        operation_id="getCustomAttribute",
        responses={200: s.AttributeSerializer, **ERRORS, **NOT_FOUND},
    )
    def get(self, request: Request, attribute_id: str) -> Response:
        """One custom attribute definition."""
        return Response(s.AttributeSerializer(get_object(CustomAttribute, attribute_id)).data)

    @extend_schema(
        operation_id="updateCustomAttribute",
        request=s.AttributeUpdateSerializer,
        responses={200: s.AttributeSerializer, **ERRORS, **NOT_FOUND},
    )
    def patch(self, request: Request, attribute_id: str) -> Response:
        """Change the label or description (name and type are fixed)."""
        attribute = get_object(CustomAttribute, attribute_id)
        data = self.parse(s.AttributeUpdateSerializer, partial=True)
        attribute = services_groups.update_attribute(
            attribute=attribute, **data, actor=request.user, request=request
        )
        return Response(s.AttributeSerializer(attribute).data)

    @extend_schema(
        operation_id="deleteCustomAttribute", responses={204: None, **ERRORS, **NOT_FOUND}
    )
    def delete(self, request: Request, attribute_id: str) -> Response:
        """Delete a definition and every stored value of it."""
        attribute = get_object(CustomAttribute, attribute_id)
        services_groups.delete_attribute(attribute=attribute, actor=request.user, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)
