"""The admin center shell: sign-in (with TOTP), overview, admin accounts and roles,
tenant settings and the audit log. Other sections are filled in by their apps."""

from __future__ import annotations

from typing import cast

from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, validate_totp_code
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
from ciam.tenancy import TenantRequest
from directory import audit, selectors, services
from directory.models import AuditEvent, User
from directory.roles import Role

from .confirm import confirm_page
from .forms import (
    AdminRolesForm,
    AdminSignInForm,
    AuditFilterForm,
    CustomDomainForm,
    InviteAdminForm,
    TenantSettingsForm,
    TOTPCodeForm,
)
from .permissions import MFA_VERIFIED_SESSION_KEY, AdminRequest, admin_view, is_admin

PENDING_ADMIN_KEY = "admin_pending_mfa_user"
PENDING_NEXT_KEY = "admin_pending_next"
ENROLL_SECRET_KEY = "admin_totp_enroll_secret"


def _safe_next(request: HttpRequest, target: str | None) -> str:
    if (
        target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and target.startswith(request.META.get("SCRIPT_NAME", "") + "/")
    ):
        return target
    return reverse("admincenter:overview")


def _finish_signin(request: HttpRequest, user: User, next_url: str, mfa: bool) -> HttpResponse:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[MFA_VERIFIED_SESSION_KEY] = mfa
    return redirect(next_url)


@require_http_methods(["GET", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    initial = {"email": request.GET.get("login_hint", "")}
    form = AdminSignInForm(request.POST or None, initial=initial)
    error = None
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        ip = client_ip(request)
        if not (
            ratelimit.hit("admin-signin-ip", ip, limit=50, window=300)
            and ratelimit.hit("admin-signin", f"{ip}|{email}", limit=10, window=300)
        ):
            error = "Too many attempts. Wait a few minutes and try again."
        else:
            user = services.authenticate_admin(request, email, form.cleaned_data["password"])
            if user is None:
                error = "The email or password is incorrect."
            else:
                next_url = _safe_next(request, request.GET.get("next"))
                if services.has_totp(user):
                    request.session.cycle_key()
                    request.session[PENDING_ADMIN_KEY] = str(user.pk)
                    request.session[PENDING_NEXT_KEY] = next_url
                    return redirect("admincenter:signin_mfa")
                return _finish_signin(request, user, next_url, mfa=False)
    return render(request, "admincenter/signin.html", {"form": form, "error": error})


@require_http_methods(["GET", "POST"])
def signin_mfa(request: HttpRequest) -> HttpResponse:
    user_id = request.session.get(PENDING_ADMIN_KEY)
    user = (
        User.objects.filter(pk=user_id, kind=User.Kind.ADMIN, is_active=True).first()
        if user_id
        else None
    )
    if user is None:
        return redirect("admincenter:signin")
    form = TOTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not ratelimit.hit("admin-mfa", str(user.pk), limit=5, window=300):
            form.add_error("code", "Too many attempts. Sign in again in a few minutes.")
        else:
            authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
            if TOTP(authenticator).validate_code(form.cleaned_data["code"].strip()):
                next_url = request.session.pop(PENDING_NEXT_KEY, None) or reverse(
                    "admincenter:overview"
                )
                request.session.pop(PENDING_ADMIN_KEY, None)
                ratelimit.reset("admin-mfa", str(user.pk))
                return _finish_signin(request, user, next_url, mfa=True)
            form.add_error("code", "That code is not valid.")
    return render(request, "admincenter/signin_mfa.html", {"form": form})


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("admincenter:signin")


@require_http_methods(["GET", "POST"])
def mfa_enroll(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app (TOTP) for the signed-in admin."""
    if not is_admin(request.user):
        return redirect("admincenter:signin")
    user = cast(User, request.user)
    if services.has_totp(user):
        messages.info(request, "An authenticator app is already set up.")
        return redirect("admincenter:overview")
    secret = request.session.get(ENROLL_SECRET_KEY) or generate_totp_secret()
    request.session[ENROLL_SECRET_KEY] = secret
    form = TOTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip()
        if validate_totp_code(secret, code):
            # Consume the code so that it cannot be replayed at the next sign-in.
            TOTP.activate(user, secret).validate_code(code)
            request.session.pop(ENROLL_SECRET_KEY, None)
            request.session[MFA_VERIFIED_SESSION_KEY] = True
            audit.record(
                action="admin.mfa.enable", request=request, target=user, after={"method": "totp"}
            )
            messages.success(request, "Authenticator app enrolled.")
            return redirect("admincenter:overview")
        form.add_error("code", "That code is not valid. Check the time on your device.")
    adapter = get_mfa_adapter()
    url = adapter.build_totp_url(user, secret)
    return render(
        request,
        "admincenter/mfa_enroll.html",
        {
            "form": form,
            "secret": secret,
            "otpauth_url": url,
            "qr_svg": adapter.build_totp_svg(url),
            "required": services.get_tenant_settings().require_admin_mfa,
        },
    )


@admin_view("overview.read")
def overview(request: TenantRequest) -> HttpResponse:
    from applications.models import Application
    from tenants.services import tenant_base_urls

    from .views_insights import overview_panel

    tenant = request.tenant
    base = request.tenant_base_url
    counts = {
        "Customers": User.objects.filter(kind=User.Kind.CUSTOMER).count(),
        "Admins": User.objects.filter(kind=User.Kind.ADMIN).count(),
        "App registrations": Application.objects.count(),
        "Audit events": AuditEvent.objects.count(),
    }
    endpoints = {
        "OpenID Connect metadata": f"{base}/.well-known/openid-configuration",
        "Authorization": f"{base}/oauth2/v2.0/authorize",
        "Token": f"{base}/oauth2/v2.0/token",
        "JWKS": f"{base}/discovery/v2.0/keys",
        "Management API": f"{base}/api/v1/",
        "SCIM 2.0": f"{base}/scim/v2/",
    }
    return render(
        request,
        "admincenter/overview.html",
        {
            "counts": counts,
            "endpoints": endpoints,
            "tenant_urls": tenant_base_urls(tenant, request),
            "settings": services.get_tenant_settings(),
            "panels": [p for p in (overview_panel(request),) if p is not None],
        },
    )


@admin_view("audit.read")
def audit_logs(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events, next_cursor = selectors.audit_events(filters, request.GET.get("cursor", ""))
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(
        request,
        "admincenter/audit.html",
        {
            "form": form,
            "events": events,
            "next_cursor": next_cursor,
            "query": query.urlencode(),
            "target_types": AuditEvent.objects.order_by()
            .values_list("target_type", flat=True)
            .distinct()[:50],
        },
    )


@admin_view("settings.read")
@require_http_methods(["GET", "POST"])
def tenant_settings(request: AdminRequest) -> HttpResponse:
    from tenants import domains as domain_services
    from tenants.models import Domain

    tenant = request.tenant
    row = services.get_tenant_settings()
    form = TenantSettingsForm(
        request.POST if request.POST.get("action") == "settings" else None,
        initial={"require_admin_mfa": row.require_admin_mfa},
    )
    domain_form = CustomDomainForm(
        request.POST if request.POST.get("action") == "add_domain" else None
    )
    if request.method == "GET" and "remove_domain" in request.GET:
        if "settings.write" not in request.admin_permissions:
            return render(request, "admincenter/forbidden.html", status=403)
        domain = Domain.objects.filter(
            tenant=tenant,
            kind=Domain.Kind.CUSTOM,
            pk=_int_or_none(request.GET.get("remove_domain")),
        ).first()
        if domain is None:
            raise Http404
        return confirm_page(
            request,
            question=f"Remove the custom domain '{domain.domain}'?",
            consequences=(
                "Sign-in pages, tokens and links on this domain stop working at once; "
                "applications must use another of the tenant's domains."
            ),
            action_label="Remove domain",
            cancel_url=reverse("admincenter:settings"),
            hidden={"action": "remove_domain", "domain_id": str(domain.pk)},
        )
    if request.method == "POST":
        if "settings.write" not in request.admin_permissions:
            return render(request, "admincenter/forbidden.html", status=403)
        action = request.POST.get("action")
        if action == "settings" and form.is_valid():
            services.update_tenant_settings(
                require_admin_mfa=form.cleaned_data["require_admin_mfa"],
                actor=request.user,
                request=request,
            )
            messages.success(request, "Settings saved.")
            return redirect("admincenter:settings")
        if action == "add_domain" and domain_form.is_valid():
            try:
                domain = domain_services.add_custom_domain(
                    tenant, domain_form.cleaned_data["domain"]
                )
            except ValidationError as exc:
                domain_form.add_error("domain", exc.message_dict["domain"][0])
            else:
                audit.record(
                    action="domain.add",
                    request=request,
                    target=domain,
                    after={"domain": domain.domain, "verified": False},
                )
                messages.success(
                    request, f"{domain.domain} added. Publish the TXT record, then verify."
                )
                return redirect("admincenter:settings")
        if action in {"verify_domain", "remove_domain"}:
            domain = Domain.objects.filter(
                tenant=tenant,
                kind=Domain.Kind.CUSTOM,
                pk=_int_or_none(request.POST.get("domain_id")),
            ).first()
            if domain is None:
                raise Http404
            if action == "verify_domain":
                if domain_services.verify_custom_domain(domain):
                    audit.record(
                        action="domain.verify",
                        request=request,
                        target=domain,
                        before={"verified": False},
                        after={"verified": True},
                    )
                    messages.success(request, f"{domain.domain} verified.")
                else:
                    messages.error(request, f"The TXT record for {domain.domain} was not found.")
            else:
                audit.record(
                    action="domain.remove",
                    request=request,
                    target=domain,
                    before={"domain": domain.domain, "verified": domain.is_verified},
                )
                domain_services.remove_custom_domain(domain)
                messages.success(request, f"{domain.domain} removed.")
            return redirect("admincenter:settings")
    return render(
        request,
        "admincenter/settings.html",
        {
            "form": form,
            "row": row,
            "domain_form": domain_form,
            "domains": tenant.domains.order_by("kind", "domain"),
            "challenge_label": domain_services.CHALLENGE_LABEL,
        },
    )


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


@admin_view("admins.read")
@require_http_methods(["GET", "POST"])
def admins(request: AdminRequest) -> HttpResponse:
    form = InviteAdminForm(request.POST or None)
    created_password = None
    if request.method == "POST":
        if "admins.write" not in request.admin_permissions:
            return render(request, "admincenter/forbidden.html", status=403)
        if form.is_valid():
            try:
                user, created_password = services.create_admin(
                    email=form.cleaned_data["email"],
                    password=None,
                    roles=form.cleaned_data["roles"],
                    actor=request.user,
                    request=request,
                    display_name=form.cleaned_data["display_name"],
                    generate_password=True,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for err in errors:
                        form.add_error(field if field in form.fields else None, err)
            else:
                messages.success(request, f"Admin {user.email} created.")
                form = InviteAdminForm()
    accounts = (
        User.objects.filter(kind=User.Kind.ADMIN)
        .prefetch_related("role_assignments")
        .order_by("email")
    )
    role_labels = dict(Role.choices)
    rows = [
        (a, [role_labels.get(r.role, r.role) for r in a.role_assignments.all()]) for a in accounts
    ]
    return render(
        request,
        "admincenter/admins.html",
        {
            "form": form,
            "rows": rows,
            "created_password": created_password,
        },
    )


@admin_view("admins.write")
@require_http_methods(["GET", "POST"])
def admin_edit(request: HttpRequest, user_id: str) -> HttpResponse:
    user = _admin_or_404(user_id)
    form = AdminRolesForm(request.POST or None, initial={"roles": services.admin_roles(user)})
    if request.method == "POST":
        try:
            if request.POST.get("action") == "remove":
                services.remove_admin(user=user, actor=request.user, request=request)
                messages.success(request, f"Admin {user.email} removed.")
                return redirect("admincenter:admins")
            if form.is_valid():
                services.set_admin_roles(
                    user=user, roles=form.cleaned_data["roles"], actor=request.user, request=request
                )
                messages.success(request, "Roles saved.")
                return redirect("admincenter:admins")
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
    return render(request, "admincenter/admin_edit.html", {"account": user, "form": form})


def _admin_or_404(user_id: str) -> User:
    try:
        return User.objects.get(pk=user_id, kind=User.Kind.ADMIN)
    except (User.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None


SECTIONS = {
    "users": ("Users", "users.read", "Customer accounts, their identities and profiles."),
    "groups": ("Groups", "groups.read", "Security groups and their members."),
    "apps": ("App registrations", "apps.read", "Applications that sign users in."),
    "userflows": ("User flows", "userflows.read", "Sign-up and sign-in experiences."),
    "extensions": (
        "Custom authentication extensions",
        "extensions.read",
        "Your REST APIs called at fixed points of sign-up and sign-in.",
    ),
    "branding": ("Company branding", "branding.read", "Logos, colours and texts per language."),
    "insights": ("Usage & insights", "insights.read", "Active users, sign-ups and sign-ins."),
    "keys": ("Keys", "keys.read", "The tenant's token signing keys."),
}


def section(request: HttpRequest, slug: str) -> HttpResponse:
    """A section whose features arrive with later work: the shell shows what it will hold."""
    if slug not in SECTIONS:
        raise Http404
    title, permission, description = SECTIONS[slug]

    @admin_view(permission)
    def view(request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "admincenter/section.html",
            {
                "title": title,
                "description": description,
                "slug": slug,
            },
        )

    return view(request)
