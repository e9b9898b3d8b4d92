"""The platform portal (public schema): operators sign in, create, list and delete
tenants, and jump into a tenant's admin center."""

from __future__ import annotations

from functools import wraps
from typing import cast

from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from ciam import ratelimit
from ciam.clientip import client_ip
from directory.models import User
from directory.services import authenticate_operator
from tenants import services
from tenants.models import Tenant

from .forms_portal import CreateTenantForm, DeleteTenantForm, OperatorSignInForm


def operator_required(view):
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        user = request.user
        if not user.is_authenticated or user.kind != User.Kind.OPERATOR or not user.is_active:
            return redirect(f"{reverse('portal:signin')}?next={request.path}")
        return view(request, *args, **kwargs)

    return wrapper


@require_http_methods(["GET", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    form = OperatorSignInForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        ip = client_ip(request)
        if not ratelimit.hit("portal-signin", f"{ip}|{email}", limit=10, window=300):
            error = "Too many attempts. Wait a few minutes and try again."
        else:
            user = authenticate_operator(request, email, form.cleaned_data["password"])
            if user is not None:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                target = request.GET.get("next") or ""
                if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                    target = reverse("portal:home")
                return redirect(target or reverse("portal:home"))
            error = "The email or password is incorrect."
    return render(request, "portal/signin.html", {"form": form, "error": error}, status=200)


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("portal:signin")


@operator_required
def home(request: HttpRequest) -> HttpResponse:
    tenants = Tenant.objects.filter(deleted_at__isnull=True).order_by("name")
    deleted = Tenant.objects.filter(deleted_at__isnull=False).order_by("-deleted_at")[:20]
    return render(request, "portal/home.html", {"tenants": tenants, "deleted": deleted})


@operator_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    form = CreateTenantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        operator = cast(User, request.user)
        try:
            result = services.create_tenant(
                name=form.cleaned_data["name"],
                display_name=form.cleaned_data["display_name"],
                country=form.cleaned_data["country"],
                admin_email=operator.email or "",
                admin_password=None,
                created_by=operator.email or "",
                admin_password_hash=operator.password,
            )
        except ValidationError as exc:
            for field, errors in (
                exc.message_dict.items() if hasattr(exc, "error_dict") else [("name", exc.messages)]
            ):
                for err in errors:
                    form.add_error(field if field in form.fields else None, err)
        else:
            messages.success(
                request,
                f"Tenant {result.tenant.display_name} created in {result.seconds:.2f} s. "
                "You are its Global Administrator: sign in with your platform password.",
            )
            return redirect("portal:tenant", name=result.tenant.name)
    return render(request, "portal/create.html", {"form": form})


def _tenant_or_404(name: str) -> Tenant:
    tenant = services.get_active_tenant(name)
    if tenant is None:
        raise Http404
    return tenant


@operator_required
def tenant_detail(request: HttpRequest, name: str) -> HttpResponse:
    tenant = _tenant_or_404(name)
    urls = services.tenant_base_urls(tenant, request)
    return render(
        request,
        "portal/tenant.html",
        {
            "t": tenant,
            "urls": urls,
            "admin_url": urls["path"] + "/admin/",
            "domains": tenant.domains.all(),
        },
    )


@operator_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, name: str) -> HttpResponse:
    tenant = _tenant_or_404(name)
    form = DeleteTenantForm(request.POST or None, tenant_name=tenant.name)
    if request.method == "POST" and form.is_valid():
        services.soft_delete_tenant(tenant, actor=cast(User, request.user).email or "")
        messages.success(request, f"Tenant {tenant.name} deleted. Its data will be purged.")
        return redirect("portal:home")
    return render(request, "portal/delete.html", {"t": tenant, "form": form})
