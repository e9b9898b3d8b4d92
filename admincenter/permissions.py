"""Admin center access: an active admin account of this tenant, MFA when the tenant asks
for it, and the permission the page names."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.shortcuts import redirect, render
from django.urls import reverse

from ciam.tenancy import TenantRequest, is_tenant_request
from directory import services
from directory.models import User

MFA_VERIFIED_SESSION_KEY = "admin_mfa_verified"


class AdminRequest(TenantRequest):
    """A request that passed `admin_view`: it carries the signed-in admin's permissions."""

    admin_permissions: frozenset[str]


def is_admin(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and user.kind == User.Kind.ADMIN and user.is_active
    )


def admin_view(permission: str):
    """Decorate an admin center view with the permission it needs."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: AdminRequest, *args, **kwargs):
            if not is_tenant_request(request):
                return render(request, "admincenter/forbidden.html", status=404)
            if not is_admin(request.user):
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('admincenter:signin')}?{query}")
            has_totp = services.has_totp(request.user)  # type: ignore[arg-type]
            if has_totp and not request.session.get(MFA_VERIFIED_SESSION_KEY):
                return redirect("admincenter:signin")
            if not has_totp and services.get_tenant_settings().require_admin_mfa:
                return redirect("admincenter:mfa_enroll")
            perms = services.admin_permissions(request.user)
            request.admin_permissions = perms
            if permission not in perms:
                return render(
                    request, "admincenter/forbidden.html", {"permission": permission}, status=403
                )
            return view(request, *args, **kwargs)

        wrapper.required_permission = permission  # type: ignore[attr-defined]
        return wrapper

    return decorator
