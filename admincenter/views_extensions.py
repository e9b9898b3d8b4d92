"""Admin center: Custom authentication extensions (register, edit, enable/disable, delete,
test with a sample event, call log). Pages use the admin shell (admincenter/base.html)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from admincenter.confirm import confirm_page
from admincenter.forms_extensions import ExtensionForm, TestForm
from admincenter.permissions import admin_view
from ciam.schemas import current_schema
from extensions import breaker, services
from extensions.models import CallLog, CustomAuthenticationExtension

LOG_PAGE = 100


def _choices() -> dict[str, list[tuple[str, str]]]:
    from applications.models import Application
    from userflows.models import UserFlow

    return {
        "flows": [(str(f.pk), f.name) for f in UserFlow.objects.order_by("name")],
        "apps": [(a.client_id, a.name) for a in Application.objects.order_by("name")],
    }


def _get(pk: Any) -> CustomAuthenticationExtension:
    try:
        return CustomAuthenticationExtension.objects.get(pk=pk)
    except (CustomAuthenticationExtension.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None


def _add_errors(form: ExtensionForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


@admin_view("extensions.read")
def extension_list(request: HttpRequest) -> HttpResponse:
    schema = current_schema()
    rows = [
        (ext, breaker.state(schema, str(ext.pk)))
        for ext in CustomAuthenticationExtension.objects.order_by("name")
    ]
    return render(request, "extensions/list.html", {"rows": rows})


@admin_view("extensions.write")
@require_http_methods(["GET", "POST"])
def extension_register(request: HttpRequest) -> HttpResponse:
    form = ExtensionForm(request.POST or None, **_choices())
    if request.method == "POST" and form.is_valid():
        try:
            ext = services.create_extension(actor=request.user, request=request, **form.values())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Extension registered.")
            return redirect("extensions_detail", pk=ext.pk)
    return render(request, "extensions/form.html", {"form": form, "ext": None})


@admin_view("extensions.write")
@require_http_methods(["GET", "POST"])
def extension_edit(request: HttpRequest, pk: str) -> HttpResponse:
    ext = _get(pk)
    initial = {f: getattr(ext, f) for f in services.FIELDS}
    initial["allowed_claims"] = " ".join(ext.allowed_claims or [])
    form = ExtensionForm(request.POST or None, initial=initial, **_choices())
    if request.method == "POST" and form.is_valid():
        try:
            services.update_extension(ext, actor=request.user, request=request, **form.values())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect("extensions_detail", pk=ext.pk)
    return render(request, "extensions/form.html", {"form": form, "ext": ext})


def _detail(request: HttpRequest, ext: CustomAuthenticationExtension, **extra: Any) -> HttpResponse:
    event = request.GET.get("event", "")
    calls = CallLog.objects.filter(extension=ext)
    if event:
        calls = calls.filter(event=event)
    context = {
        "ext": ext,
        "state": breaker.state(current_schema(), str(ext.pk)),
        "calls": list(calls[:LOG_PAGE]),
        "event_filter": event,
        "test_form": extra.pop("test_form", None)
        or TestForm(initial={"event": (ext.events or [""])[0]}),
        **extra,
    }
    return render(request, "extensions/detail.html", context)


@admin_view("extensions.read")
def extension_detail(request: HttpRequest, pk: str) -> HttpResponse:
    return _detail(request, _get(pk))


@admin_view("extensions.write")
@require_POST
def extension_test(request: HttpRequest, pk: str) -> HttpResponse:
    """Send a sample event and show the exact request, answer, latency and validation."""
    ext = _get(pk)
    form = TestForm(request.POST)
    result = None
    if form.is_valid():
        result = services.test_extension(
            ext,
            form.cleaned_data["event"],
            issuer=request.tenant_base_url,  # type: ignore[attr-defined]
        )
    test = None
    if result is not None:
        test = {
            "ok": result.ok,
            "error": result.error,
            "status": result.http_status,
            "latency_ms": round(result.latency_ms, 1),
            "request_headers": "\n".join(f"{k}: {v}" for k, v in result.request_headers.items()),
            "request_body": json.dumps(result.request_body, indent=2),
            "response": _pretty(result.response_text),
            "action": result.answer.action if result.answer else "",
            "payload": json.dumps(result.answer.payload, indent=2) if result.answer else "",
        }
    return _detail(request, ext, test=test, test_form=form)


def _pretty(text: str) -> str:
    try:
        return json.dumps(json.loads(text), indent=2)
    except ValueError:
        return text


@admin_view("extensions.write")
@require_POST
def extension_enabled(request: HttpRequest, pk: str) -> HttpResponse:
    ext = _get(pk)
    enable = request.POST.get("enabled") == "1"
    services.set_enabled(ext, enable, actor=request.user, request=request)
    messages.success(request, "Enabled." if enable else "Disabled.")
    return redirect("extensions_detail", pk=ext.pk)


@admin_view("extensions.write")
@require_http_methods(["GET", "POST"])
def extension_delete(request: HttpRequest, pk: str) -> HttpResponse:
    ext = _get(pk)
    if request.method == "GET":
        return confirm_page(
            request,
            question=f"Delete the custom authentication extension '{ext.name}'?",
            consequences=(
                "User flows stop calling it at once: the claims, attribute checks or one-time "
                "code delivery it provides are no longer applied, and its stored credentials "
                "are removed."
            ),
            action_label="Delete extension",
            cancel_url=reverse("extensions_detail", args=[ext.pk]),
        )
    services.delete_extension(ext, actor=request.user, request=request)
    messages.success(request, f"Deleted {ext.name}.")
    return redirect("extensions_list")
