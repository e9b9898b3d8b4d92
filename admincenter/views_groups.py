"""Admin center: security groups and custom attribute definitions."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from directory import services_groups
from directory.models import CustomAttribute, Group, User

from .confirm import confirm_page
from .forms_users import AddMemberForm, AttributeForm, EditAttributeForm, GroupForm
from .permissions import AdminRequest, admin_view
from .views_users import form_errors, get_or_404


def _forbidden(request: HttpRequest, permission: str) -> HttpResponse | None:
    if permission not in cast(AdminRequest, request).admin_permissions:
        return render(request, "admincenter/forbidden.html", {"permission": permission}, status=403)
    return None


@admin_view("groups.read")
@require_http_methods(["GET", "POST"])
def group_list(request: HttpRequest) -> HttpResponse:
    form = GroupForm(request.POST or None)
    if request.method == "POST":
        if denied := _forbidden(request, "groups.write"):
            return denied
        if form.is_valid():
            try:
                group = services_groups.create_group(
                    **form.cleaned_data, actor=request.user, request=request
                )
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, f"Group {group} created.")
                return redirect("directory:group_detail", group_id=group.pk)
    groups = Group.objects.annotate(member_count=Count("members")).order_by("display_name")
    return render(request, "directory/groups.html", {"form": form, "groups": groups})


@admin_view("groups.read")
@require_http_methods(["GET", "POST"])
def group_detail(request: HttpRequest, group_id: str) -> HttpResponse:
    group = get_or_404(Group, group_id)
    form = GroupForm(
        request.POST if request.POST.get("action") == "rename" else None,
        initial={"display_name": group.display_name, "description": group.description},
    )
    member_form = AddMemberForm(request.POST if request.POST.get("action") == "add" else None)
    if request.method == "POST":
        if denied := _forbidden(request, "groups.write"):
            return denied
        action = request.POST.get("action")
        try:
            if action == "rename" and form.is_valid():
                services_groups.update_group(
                    group=group, **form.cleaned_data, actor=request.user, request=request
                )
                messages.success(request, "Group saved.")
                return redirect("directory:group_detail", group_id=group.pk)
            if action == "add" and member_form.is_valid():
                user = User.objects.filter(email__iexact=member_form.cleaned_data["email"]).first()
                if user is None:
                    member_form.add_error("email", "No user has this email.")
                else:
                    services_groups.add_members(
                        group=group, user_ids=[user.pk], actor=request.user, request=request
                    )
                    messages.success(request, f"{user.email} added.")
                    return redirect("directory:group_detail", group_id=group.pk)
            if action == "remove":
                services_groups.remove_members(
                    group=group,
                    user_ids=[request.POST.get("user_id", "")],
                    actor=request.user,
                    request=request,
                )
                messages.success(request, "Member removed.")
                return redirect("directory:group_detail", group_id=group.pk)
            if action == "delete":
                services_groups.delete_group(group=group, actor=request.user, request=request)
                messages.success(request, "Group deleted.")
                return redirect("directory:groups")
        except ValidationError as exc:
            form_errors(form if action == "rename" else member_form, exc)
    members = group.members.order_by("email")[:500]
    return render(
        request,
        "directory/group_detail.html",
        {"group": group, "form": form, "member_form": member_form, "members": members},
    )


@admin_view("users.read")
@require_http_methods(["GET", "POST"])
def attribute_list(request: HttpRequest) -> HttpResponse:
    form = AttributeForm(request.POST or None)
    if request.method == "POST":
        if denied := _forbidden(request, "users.write"):
            return denied
        if form.is_valid():
            try:
                services_groups.create_attribute(
                    **form.cleaned_data, actor=request.user, request=request
                )
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, "Custom attribute created.")
                return redirect("directory:attributes")
    return render(
        request,
        "directory/attributes.html",
        {"form": form, "attributes": CustomAttribute.objects.order_by("name")},
    )


@admin_view("users.write")
@require_http_methods(["GET", "POST"])
def attribute_edit(request: HttpRequest, attribute_id: str) -> HttpResponse:
    attribute = get_or_404(CustomAttribute, attribute_id)
    form = EditAttributeForm(
        request.POST or None,
        initial={"label": attribute.label, "description": attribute.description},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_groups.update_attribute(
                attribute=attribute, **form.cleaned_data, actor=request.user, request=request
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "Custom attribute saved.")
            return redirect("directory:attributes")
    return render(request, "directory/attribute_edit.html", {"attribute": attribute, "form": form})


@admin_view("users.write")
@require_http_methods(["GET", "POST"])
def attribute_delete(request: HttpRequest, attribute_id: str) -> HttpResponse:
    attribute = get_or_404(CustomAttribute, attribute_id)
    if request.method == "GET":
        return confirm_page(
            request,
            question=f"Delete the custom attribute '{attribute.name}'?",
            consequences=(
                "Every user's stored value for it is lost, user flows stop collecting it and "
                "tokens stop carrying it."
            ),
            action_label="Delete attribute",
            cancel_url=reverse("directory:attributes"),
        )
    services_groups.delete_attribute(attribute=attribute, actor=request.user, request=request)
    messages.success(request, f"Custom attribute {attribute.name} deleted.")
    return redirect("directory:attributes")
