"""Admin center: bulk import/export, SCIM provisioning tokens, management API permissions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from applications import management_api
from applications.models import ApiPermission
from directory import audit, services_access, services_import
from directory.models import ImportJob, ScimToken

from .forms_users import ApiGrantForm, ImportForm, ScimTokenForm
from .permissions import AdminRequest, admin_view
from .views_users import form_errors, get_or_404

MAX_IMPORT_BYTES = 50 * 1024 * 1024


@admin_view("users.write")
@require_http_methods(["GET", "POST"])
def import_users(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = upload.name or "upload"
        file_format = "json" if name.lower().endswith(".json") else "csv"
        if upload.size > MAX_IMPORT_BYTES:
            form.add_error("file", "The file is larger than 50 MB.")
        else:
            try:
                text = upload.read().decode("utf-8-sig")
                job = services_import.start_import_job(
                    text=text,
                    file_format=file_format,
                    filename=name,
                    actor=request.user,
                    request=request,
                )
            except UnicodeDecodeError:
                form.add_error("file", "The file must be UTF-8 text.")
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                return redirect("directory:import_job", job_id=job.pk)
    jobs = ImportJob.objects.defer("payload")[:20]
    return render(request, "directory/import.html", {"form": form, "jobs": jobs})


@admin_view("users.read")
def import_job(request: HttpRequest, job_id: str) -> HttpResponse:
    """The job's progress; the page refreshes itself (htmx polling) until the job ends."""
    job = get_or_404(ImportJob, job_id)
    template = "directory/_import_progress.html" if request.htmx else "directory/import_job.html"  # type: ignore[attr-defined]
    return render(request, template, {"job": job})


@admin_view("users.read")
@require_GET
def export_users(request: HttpRequest) -> StreamingHttpResponse:
    file_format = "json" if request.GET.get("format") == "json" else "csv"
    audit.record(
        action="user.export",
        request=request,
        target_type="directory.user",
        after={"format": file_format},
    )
    response = StreamingHttpResponse(
        services_import.export_users(file_format),
        content_type="application/json" if file_format == "json" else "text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="users.{file_format}"'
    return response


@admin_view("users.read")
@require_http_methods(["GET", "POST"])
def access(request: AdminRequest) -> HttpResponse:
    """SCIM bearer tokens and management API permissions of daemon apps."""
    token_form = ScimTokenForm(request.POST if request.POST.get("action") == "token" else None)
    grant_form = ApiGrantForm(
        request.POST if request.POST.get("action") == "grant" else None,
        permissions=services_access.API_PERMISSIONS,
    )
    new_token = None
    if request.method == "POST":
        if "users.write" not in request.admin_permissions:
            return render(request, "admincenter/forbidden.html", status=403)
        if request.POST.get("action") == "token" and token_form.is_valid():
            try:
                _, new_token = services_access.create_scim_token(
                    name=token_form.cleaned_data["name"], actor=request.user, request=request
                )
                token_form = ScimTokenForm()
            except ValidationError as exc:
                form_errors(token_form, exc)
        elif request.POST.get("action") == "grant" and grant_form.is_valid():
            try:
                management_api.grant_api_permission(
                    **grant_form.cleaned_data, actor=request.user, request=request
                )
            except ValidationError as exc:
                form_errors(grant_form, exc)
            except PermissionDenied as exc:
                grant_form.add_error("permission", str(exc))
            else:
                messages.success(request, "Permission granted.")
                return redirect("directory:access")
    return render(
        request,
        "directory/access.html",
        {
            "token_form": token_form,
            "grant_form": grant_form,
            "new_token": new_token,
            "tokens": ScimToken.objects.all(),
            "grants": management_api.management_api_grants().order_by("client__name", "value"),
            "scim_url": f"{request.tenant_base_url}/scim/v2/",
        },
    )


@admin_view("users.write")
@require_POST
def revoke_token(request: HttpRequest, token_id: str) -> HttpResponse:
    token = get_or_404(ScimToken, token_id)
    services_access.revoke_scim_token(token=token, actor=request.user, request=request)
    messages.success(request, f"Token {token.name} revoked.")
    return redirect("directory:access")


@admin_view("users.write")
@require_POST
def revoke_grant(request: HttpRequest, grant_id: str) -> HttpResponse:
    grant = get_or_404(ApiPermission, grant_id, resource__isnull=True)
    try:
        management_api.revoke_api_permission(grant=grant, actor=request.user, request=request)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Permission revoked.")
    return redirect("directory:access")
