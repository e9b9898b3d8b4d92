"""Admin center: customer accounts (list, create, profile, block, reset password, delete)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from directory import selectors_users, services_identities, services_users
from directory.models import AuditEvent, CustomAttribute, Group, User

from .confirm import confirm_page
from .forms_users import CreateUserForm, EditUserForm, ResetPasswordForm, UserSearchForm
from .permissions import AdminRequest, admin_view


def get_or_404(model: type[models.Model], pk: Any, **filters: Any) -> Any:
    """The row of the current tenant's schema with this id, or 404 (also for ids that are
    not UUIDs, and for ids of other tenants' rows, which this schema does not hold)."""
    try:
        return model._default_manager.get(pk=pk, **filters)
    except (model.DoesNotExist, ValidationError, ValueError):  # type: ignore[attr-defined]
        raise Http404 from None


def form_errors(form: Any, exc: ValidationError) -> None:
    """Put a service's ValidationError beside the form's fields."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            target = name if name in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


def _parse_attribute_filter(raw: str) -> dict[str, Any]:
    if not raw.strip():
        return {}
    name, sep, value = raw.partition("=")
    if not sep:
        raise ValidationError({"attribute": "Write the filter as name=value."})
    return selectors_users.attribute_filters({name.strip(): value.strip()})


@admin_view("users.read")
def user_list(request: HttpRequest) -> HttpResponse:
    form = UserSearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    users: list[User] = []
    next_cursor = None
    try:
        query = selectors_users.UserQuery(
            q=data.get("q") or "",
            search_in=data.get("search_in") or "email",
            sort=data.get("sort") or "email",
            status=data.get("status") or "",
            cursor=request.GET.get("cursor", ""),
            attributes=_parse_attribute_filter(data.get("attribute") or ""),
        )
        users, next_cursor = selectors_users.search_users(query)
    except ValidationError as exc:
        form_errors(form, exc)
    params = request.GET.copy()
    params.pop("cursor", None)
    return render(
        request,
        "directory/users.html",
        {"form": form, "users": users, "next_cursor": next_cursor, "query": params.urlencode()},
    )


@admin_view("users.write")
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    form = CreateUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, temporary = services_users.create_customer(
                email=data["email"],
                profile={k: data[k] for k in ("display_name", "given_name", "surname")},
                generate_password=data["password_mode"] == "generate",
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            if temporary:
                messages.success(
                    request, f"User created. One-time password (shown once): {temporary}"
                )
            else:
                messages.success(request, "User created.")
            return redirect("directory:user_detail", user_id=user.pk)
    return render(request, "directory/user_create.html", {"form": form})


def _initial(user: User, attributes: list[CustomAttribute]) -> dict[str, Any]:
    initial = {name: getattr(user, name) for name in ["email", *services_users.PROFILE_FIELDS]}
    for attribute in attributes:
        initial[f"attr_{attribute.name}"] = (user.custom_attributes or {}).get(attribute.name)
    return initial


@admin_view("users.read")
@require_http_methods(["GET", "POST"])
def user_detail(request: AdminRequest, user_id: str) -> HttpResponse:
    user = get_or_404(User, user_id, kind=User.Kind.CUSTOMER)
    attributes = selectors_users.attribute_definitions()
    form = EditUserForm(
        request.POST or None, initial=_initial(user, attributes), attributes=attributes
    )
    if request.method == "POST":
        if "users.write" not in request.admin_permissions:
            return render(request, "admincenter/forbidden.html", status=403)
        if form.is_valid():
            data = form.cleaned_data
            values = {}
            for key, name in form.attribute_names:
                value = data.get(key)
                iso = getattr(value, "isoformat", None)
                values[name] = iso() if iso is not None else value
            try:
                services_users.update_user(
                    user=user,
                    email=data["email"],
                    profile={k: data[k] for k in services_users.PROFILE_FIELDS},
                    custom_attributes=values,
                    actor=request.user,
                    request=request,
                )
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, "Profile saved.")
                return redirect("directory:user_detail", user_id=user.pk)
    activity = AuditEvent.objects.filter(target_id=str(user.pk)).order_by("-occurred_at")[:20]
    return render(
        request,
        "directory/user_detail.html",
        {
            "account": user,
            "form": form,
            "identities": services_identities.identities_of(user),
            "groups": Group.objects.filter(members=user).order_by("display_name"),
            "activity": activity,
            "reset_form": ResetPasswordForm(),
        },
    )


@admin_view("users.write")
@require_POST
def user_block(request: HttpRequest, user_id: str) -> HttpResponse:
    user = get_or_404(User, user_id, kind=User.Kind.CUSTOMER)
    blocked = request.POST.get("action") != "unblock"
    services_users.set_blocked(user=user, blocked=blocked, actor=request.user, request=request)
    messages.success(request, "User blocked." if blocked else "User unblocked.")
    return redirect("directory:user_detail", user_id=user.pk)


@admin_view("users.write")
@require_POST
def user_reset_password(request: HttpRequest, user_id: str) -> HttpResponse:
    user = get_or_404(User, user_id, kind=User.Kind.CUSTOMER)
    form = ResetPasswordForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose how to reset the password.")
        return redirect("directory:user_detail", user_id=user.pk)
    try:
        temporary = services_users.reset_password(
            user=user, mode=form.cleaned_data["mode"], actor=request.user, request=request
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if temporary:
            messages.success(request, f"Temporary password (shown once): {temporary}")
        else:
            messages.success(request, f"A password reset link was sent to {user.email}.")
    return redirect("directory:user_detail", user_id=user.pk)


@admin_view("users.write")
@require_http_methods(["GET", "POST"])
def user_delete(request: HttpRequest, user_id: str) -> HttpResponse:
    user = get_or_404(User, user_id, kind=User.Kind.CUSTOMER)
    if request.method == "POST":
        services_users.delete_user(user=user, actor=request.user, request=request)
        messages.success(request, "User deleted.")
        return redirect("directory:users")
    return confirm_page(
        request,
        question=f"Delete the user '{user.email}'?",
        consequences=(
            "The account, its profile, sign-in identities, group memberships, sessions and "
            "tokens are removed at once; the user can no longer sign in."
        ),
        action_label="Delete user",
        cancel_url=reverse("directory:user_detail", args=[user.pk]),
    )
