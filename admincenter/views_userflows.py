"""Admin center: the User flows section (flows, their attributes, identity providers,
password policy). Every page is role-checked; every change is audited by the services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from userflows import services
from userflows.models import FlowAttribute, IdentityProvider, UserFlow

from .confirm import confirm_page
from .forms_userflows import (
    FlowAttributeForm,
    IdentityProviderForm,
    PasswordPolicyForm,
    UserFlowForm,
)
from .permissions import AdminRequest, admin_view


def _errors_to_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@admin_view("userflows.read")
def flow_list(request: AdminRequest) -> HttpResponse:
    services.get_default_flow()
    return render(
        request,
        "userflows/admin/list.html",
        {
            "flows": UserFlow.objects.prefetch_related("app_links__application"),
            "providers": IdentityProvider.objects.all(),
            "kinds": IdentityProvider.Kind.choices,
            "policy": services.get_password_policy(),
            "can_write": "userflows.write" in request.admin_permissions,
        },
    )


@admin_view("userflows.write")
@require_http_methods(["GET", "POST"])
def flow_create(request: HttpRequest) -> HttpResponse:
    form = UserFlowForm(
        request.POST or None,
        initial={"password_enabled": True, "email_code_enabled": True, "signup_enabled": True},
    )
    if request.method == "POST" and form.is_valid():
        try:
            flow = services.save_flow(
                flow=None, data=form.cleaned_data, actor=request.user, request=request
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, f"User flow {flow.name} created.")
            return redirect("userflows_admin_flow", pk=flow.pk)
    return render(request, "userflows/admin/flow_form.html", {"form": form, "flow": None})


@admin_view("userflows.read")
@require_http_methods(["GET", "POST"])
def flow_edit(request: AdminRequest, pk: str) -> HttpResponse:
    flow = get_object_or_404(UserFlow, pk=pk)
    form = UserFlowForm(request.POST or None, initial=UserFlowForm.initial_for(flow))
    if request.method == "POST":
        if "userflows.write" not in request.admin_permissions:
            return render(request, "admincenter/forbidden.html", status=403)
        if form.is_valid():
            try:
                services.save_flow(
                    flow=flow, data=form.cleaned_data, actor=request.user, request=request
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, "User flow saved.")
                return redirect("userflows_admin_flow", pk=flow.pk)
    return render(
        request,
        "userflows/admin/flow_form.html",
        {"form": form, "flow": flow, "attributes": flow.attributes.all()},
    )


@admin_view("userflows.write")
@require_http_methods(["GET", "POST"])
def flow_delete(request: HttpRequest, pk: str) -> HttpResponse:
    flow = get_object_or_404(UserFlow, pk=pk)
    if request.method == "GET":
        return confirm_page(
            request,
            question=f"Delete the user flow '{flow.name}'?",
            consequences=(
                "Its applications fall back to the default user flow at once, and its "
                "identity providers, attribute collection and extension settings are removed."
            ),
            action_label="Delete user flow",
            cancel_url=reverse("userflows_admin_flow", args=[flow.pk]),
        )
    try:
        services.delete_flow(flow=flow, actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("userflows_admin_flow", pk=flow.pk)
    messages.success(request, "User flow deleted.")
    return redirect("userflows_admin")


@admin_view("userflows.write")
@require_http_methods(["GET", "POST"])
def attribute_edit(request: HttpRequest, pk: str, attr_pk: str | None = None) -> HttpResponse:
    flow = get_object_or_404(UserFlow, pk=pk)
    attribute = get_object_or_404(FlowAttribute, pk=attr_pk, flow=flow) if attr_pk else None
    if request.method == "POST" and request.POST.get("action") == "delete":
        if attribute is None:
            raise Http404()
        services.delete_attribute(attribute=attribute, actor=request.user, request=request)
        messages.success(request, "Attribute removed.")
        return redirect("userflows_admin_flow", pk=flow.pk)
    initial = (
        {
            "attribute": attribute.attribute,
            "label": attribute.label,
            "input_type": attribute.input_type,
            "choices": "\n".join(attribute.choices),
            "required": attribute.required,
            "order": attribute.order,
            "link_url": attribute.link_url,
        }
        if attribute
        else {"order": flow.attributes.count() * 10}
    )
    form = FlowAttributeForm(
        request.POST or None, initial=initial, attribute_choices=services.attribute_choices()
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_attribute(
                flow=flow,
                attribute=attribute,
                data=form.cleaned_data,
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, "Attribute saved.")
            return redirect("userflows_admin_flow", pk=flow.pk)
    return render(
        request,
        "userflows/admin/attribute_form.html",
        {"form": form, "flow": flow, "attribute": attribute},
    )


@admin_view("userflows.write")
@require_http_methods(["GET", "POST"])
def provider_edit(request: HttpRequest, pk: str | None = None) -> HttpResponse:
    provider = get_object_or_404(IdentityProvider, pk=pk) if pk else None
    kind = provider.kind if provider else request.GET.get("kind", "")
    if kind not in IdentityProvider.Kind.values:
        raise Http404()
    if request.method == "POST" and request.POST.get("action") == "delete" and provider:
        services.delete_identity_provider(provider=provider, actor=request.user, request=request)
        messages.success(request, "Identity provider deleted.")
        return redirect("userflows_admin")
    initial = (
        {
            "name": provider.name,
            "slug": provider.slug,
            "client_id": provider.client_id,
            "issuer": provider.issuer,
            "scopes": provider.scopes,
            "claim_mapping": "\n".join(f"{k}={v}" for k, v in provider.claim_mapping.items()),
        }
        if provider
        else {"name": dict(IdentityProvider.Kind.choices)[kind], "scopes": ""}
    )
    form = IdentityProviderForm(request.POST or None, initial=initial, kind=kind)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "kind": kind}
        try:
            provider = services.save_identity_provider(
                provider=provider, data=data, actor=request.user, request=request
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, f"Identity provider {provider.name} saved.")
            return redirect("userflows_admin")
    return render(
        request,
        "userflows/admin/provider_form.html",
        {
            "form": form,
            "provider": provider,
            "kind_label": dict(IdentityProvider.Kind.choices)[kind],
        },
    )


@admin_view("userflows.write")
@require_http_methods(["GET", "POST"])
def password_policy(request: HttpRequest) -> HttpResponse:
    policy = services.get_password_policy()
    form = PasswordPolicyForm(
        request.POST or None,
        initial={
            "min_length": policy.min_length,
            "reject_common": policy.reject_common,
            "change_breached_at_signin": policy.change_breached_at_signin,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.update_password_policy(**form.cleaned_data, actor=request.user, request=request)
        messages.success(request, "Password policy saved.")
        return redirect("userflows_admin")
    return render(request, "userflows/admin/password_policy.html", {"form": form})
