"""Admin center: the App registrations and Keys sections."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from applications import keys, scopes, services
from applications.models import (
    ApiPermission,
    Application,
    AppRoleAssignment,
    AppType,
    ClientSecret,
    SigningKey,
)
from applications.views import endpoints
from ciam.tenancy import TenantRequest

from .confirm import confirm_page
from .forms_applications import (
    EditAppForm,
    PermissionForm,
    RegisterAppForm,
    RoleAssignmentForm,
    RotateForm,
    SecretForm,
)
from .permissions import admin_view

SHOWN_SECRET_KEY = "applications_new_secret"


def _add_errors(form, exc: ValidationError | PermissionDenied) -> None:
    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc))
    elif hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


@admin_view("apps.read")
def app_list(request: HttpRequest) -> HttpResponse:
    apps = Application.objects.order_by("name")
    return render(request, "applications/app_list.html", {"apps": apps})


@admin_view("apps.write")
@require_http_methods(["GET", "POST"])
def app_register(request: HttpRequest) -> HttpResponse:
    form = RegisterAppForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            app, secret = services.register_application(
                name=form.cleaned_data["name"],
                app_type=form.cleaned_data["app_type"],
                redirect_uris=form.cleaned_data["redirect_uris"],
                first_party=form.cleaned_data["first_party"],
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if secret:
                request.session[SHOWN_SECRET_KEY] = secret
            messages.success(request, f"Registered {app.name}.")
            return redirect("apps_detail", pk=app.pk)
    return render(request, "applications/app_register.html", {"form": form})


def _permission_choices(app: Application) -> list[tuple[str, str]]:
    choices = []
    # Management API permissions go to daemon apps; the grant service decides who may
    # grant which (directory.roles), so the page lists them all and shows its refusal.
    if app.authorization_grant_type == Application.GRANT_CLIENT_CREDENTIALS:
        choices += [
            (f"builtin::{v}", f"Management API · {v} (application)")
            for v in scopes.MANAGEMENT_API_PERMISSIONS
        ]
    for api in scopes.tenant_apis():
        if api.pk == app.pk:
            continue
        if app.client_type == Application.CLIENT_CONFIDENTIAL:
            choices += [
                (f"application:{api.pk}:{r['value']}", f"{api.name} · {r['value']} (application)")
                for r in api.app_roles or []
            ]
        choices += [
            (f"delegated:{api.pk}:{s['value']}", f"{api.name} · {s['value']} (delegated)")
            for s in api.exposed_scopes or []
        ]
    return choices


@admin_view("apps.read")
def app_detail(request: TenantRequest, pk: int) -> HttpResponse:
    app = get_object_or_404(Application, pk=pk)
    base = request.tenant_base_url
    context = {
        "app": app,
        "new_secret": request.session.pop(SHOWN_SECRET_KEY, None),
        "secrets": app.secrets.all(),
        "permissions": app.permissions.select_related("resource"),
        "endpoints": {
            "issuer": base,
            "discovery": f"{base}/.well-known/openid-configuration",
            **endpoints(base),
        },
        "secret_form": SecretForm(),
        "permission_form": PermissionForm(choices=_permission_choices(app)),
        "has_secrets": app.client_type == Application.CLIENT_CONFIDENTIAL,
        "identifier_uri": scopes.identifier_uri(app) if app.app_type == AppType.API else "",
        "role_assignments": app.role_assignments.select_related("user"),
        "role_form": RoleAssignmentForm(roles=[r["value"] for r in app.app_roles or []]),
    }
    return render(request, "applications/app_detail.html", context)


@admin_view("apps.write")
@require_http_methods(["GET", "POST"])
def app_edit(request: HttpRequest, pk: int) -> HttpResponse:
    app = get_object_or_404(Application, pk=pk)
    initial = {
        "name": app.name,
        "redirect_uris": "\n".join(app.redirect_uris.split()),
        "post_logout_redirect_uris": "\n".join(app.post_logout_redirect_uris.split()),
        "skip_authorization": app.skip_authorization,
        "algorithm": app.algorithm,
        "access_token_lifetime": app.access_token_lifetime,
        "id_token_lifetime": app.id_token_lifetime,
        "refresh_token_lifetime": app.refresh_token_lifetime,
        "token_claims": app.token_claims,
        "include_groups": app.include_groups,
        "extension_claims": " ".join(app.extension_claims or []),
        "identifier_uri": app.identifier_uri,
        "exposed_scopes": EditAppForm.format_items(app.exposed_scopes),
        "app_roles": EditAppForm.format_items(app.app_roles),
        "jwks_uri": app.jwks_uri,
        "backchannel_logout_uri": app.backchannel_logout_uri,
        "frontchannel_logout_uri": app.frontchannel_logout_uri,
        "require_pushed_authorization_requests": app.require_pushed_authorization_requests,
        "public_keys": json.dumps(app.jwks) if app.jwks else "",
        "is_enabled": app.is_enabled,
        "native_auth_enabled": app.native_auth_enabled,
    }
    form = EditAppForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["exposed_scopes"] = EditAppForm.parse_items(data["exposed_scopes"])
        data["app_roles"] = EditAppForm.parse_items(data["app_roles"])
        data["extension_claims"] = data["extension_claims"].replace(",", " ").split()
        try:
            data["jwks"] = services.parse_public_keys(data.pop("public_keys"))
            services.update_application(app, actor=request.user, request=request, **data)
        except (ValidationError, PermissionDenied) as exc:
            app.refresh_from_db()
            _add_errors(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect("apps_detail", pk=app.pk)
    return render(request, "applications/app_edit.html", {"app": app, "form": form})


@admin_view("apps.write")
@require_http_methods(["GET", "POST"])
def app_delete(request: HttpRequest, pk: int) -> HttpResponse:
    app = get_object_or_404(Application, pk=pk)
    if request.method == "GET":
        return confirm_page(
            request,
            question=f"Delete the app registration '{app.name}'?",
            consequences=(
                "Its client secrets, permission grants, role assignments and issued tokens "
                "stop working at once; users can no longer sign in to it."
            ),
            action_label="Delete registration",
            cancel_url=reverse("apps_detail", args=[app.pk]),
        )
    services.delete_application(app, actor=request.user, request=request)
    messages.success(request, f"Deleted {app.name}.")
    return redirect("apps_list")


@admin_view("apps.write")
@require_POST
def secret_add(request: HttpRequest, pk: int) -> HttpResponse:
    app = get_object_or_404(Application, pk=pk)
    form = SecretForm(request.POST)
    if form.is_valid():
        try:
            _row, secret = services.add_client_secret(
                app,
                description=form.cleaned_data["description"],
                expires_in_days=form.cleaned_data["expires_in_days"],
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            request.session[SHOWN_SECRET_KEY] = secret
    else:
        messages.error(request, "Choose a valid expiry.")
    return redirect("apps_detail", pk=app.pk)


@admin_view("apps.write")
@require_http_methods(["GET", "POST"])
def secret_revoke(request: HttpRequest, pk: int, secret_id) -> HttpResponse:
    secret = get_object_or_404(ClientSecret, pk=secret_id, application_id=pk)
    if request.method == "GET":
        return confirm_page(
            request,
            question=f"Revoke the client secret '{secret.description or secret.hint}' "
            f"({secret.hint}…) of '{secret.application.name}'?",
            consequences=(
                "Any service still using this secret can no longer get tokens for the app."
            ),
            action_label="Revoke secret",
            cancel_url=reverse("apps_detail", args=[pk]),
        )
    services.revoke_client_secret(secret, actor=request.user, request=request)
    messages.success(request, f"Revoked secret {secret.hint}…")
    return redirect("apps_detail", pk=pk)


@admin_view("apps.write")
@require_POST
def permission_add(request: HttpRequest, pk: int) -> HttpResponse:
    app = get_object_or_404(Application, pk=pk)
    form = PermissionForm(request.POST, choices=_permission_choices(app))
    if not form.is_valid():
        messages.error(request, "Choose a permission.")
        return redirect("apps_detail", pk=pk)
    kind, api_pk, value = form.cleaned_data["permission"].split(":", 2)
    resource = None if kind == "builtin" else get_object_or_404(Application, pk=int(api_pk))
    try:
        services.grant_api_permission(
            app,
            value=value,
            kind=ApiPermission.Kind.APPLICATION if kind == "builtin" else kind,
            resource=resource,
            actor=request.user,
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Granted {value} (admin consent for the tenant).")
    return redirect("apps_detail", pk=pk)


@admin_view("apps.write")
@require_POST
def permission_remove(request: HttpRequest, pk: int, perm_id) -> HttpResponse:
    perm = get_object_or_404(ApiPermission, pk=perm_id, client_id=pk)
    try:
        services.revoke_api_permission(perm, actor=request.user, request=request)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Removed {perm.value}.")
    return redirect("apps_detail", pk=pk)


@admin_view("apps.write")
@require_POST
def role_assign(request: HttpRequest, pk: int) -> HttpResponse:
    from directory.models import User

    app = get_object_or_404(Application, pk=pk)
    form = RoleAssignmentForm(request.POST, roles=[r["value"] for r in app.app_roles or []])
    if not form.is_valid():
        messages.error(request, "Enter a user's email and choose an app role.")
        return redirect("apps_detail", pk=pk)
    user = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
    if user is None:
        messages.error(request, "No user has that email.")
        return redirect("apps_detail", pk=pk)
    services.assign_app_role(
        app, user=user, value=form.cleaned_data["role"], actor=request.user, request=request
    )
    messages.success(request, f"Assigned {user.email} to {form.cleaned_data['role']}.")
    return redirect("apps_detail", pk=pk)


@admin_view("apps.write")
@require_POST
def role_unassign(request: HttpRequest, pk: int, assignment_id) -> HttpResponse:
    assignment = get_object_or_404(AppRoleAssignment, pk=assignment_id, application_id=pk)
    services.remove_app_role_assignment(assignment, actor=request.user, request=request)
    messages.success(request, "Assignment removed.")
    return redirect("apps_detail", pk=pk)


@admin_view("keys.read")
def key_list(request: HttpRequest) -> HttpResponse:
    rows = keys.published_keys()
    return render(
        request,
        "applications/key_list.html",
        {"keys": rows, "form": RotateForm(), "statuses": SigningKey.Status},
    )


@admin_view("keys.write")
@require_POST
def key_rotate(request: HttpRequest) -> HttpResponse:
    form = RotateForm(request.POST)
    if form.is_valid():
        key = services.rotate_signing_key(
            form.cleaned_data["algorithm"], actor=request.user, request=request
        )
        messages.success(request, f"Rotated {key.algorithm}: {key.kid} now signs new tokens.")
    else:
        messages.error(request, "Choose an algorithm.")
    return redirect("keys_list")
