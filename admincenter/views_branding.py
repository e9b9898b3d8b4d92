"""Admin center: the Company branding section (default branding, language
customisations, live preview of the sign-in and sign-up pages)."""

from __future__ import annotations

import dataclasses

from allauth.account.forms import LoginForm
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_http_methods, require_POST

from admincenter.forms_branding import BrandingForm, LanguageForm, PreviewForm
from admincenter.permissions import admin_view
from branding import language, resolve, services
from branding.models import Branding, LanguageCustomization
from ciam.csp import framed_by_same_origin


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            key = field.replace("texts.", "text_")
            form.add_error(key if key in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


@admin_view("branding.read")
@require_http_methods(["GET", "POST"])
def branding_edit(request: HttpRequest) -> HttpResponse:
    branding = services.get_branding()
    if request.method == "POST":
        if "branding.write" not in request.admin_permissions:  # type: ignore[attr-defined]
            return render(
                request, "admincenter/forbidden.html", {"permission": "branding.write"}, status=403
            )
        form = BrandingForm(request.POST, request.FILES, branding=branding)
        if form.is_valid():
            try:
                services.update_branding(
                    data=form.values(), files=request.FILES, actor=request.user, request=request
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "Company branding saved.")
                return redirect("branding_admin")
    else:
        form = BrandingForm(branding=branding)
    return render(
        request,
        "branding/admin/branding.html",
        {
            "form": form,
            "branding": branding,
            "resolved": resolve.build(branding, None, branding.default_language, []),
            "languages": LanguageCustomization.objects.all(),
            "preview_languages": sorted(resolve.tenant_languages().available.items()),
            "status": 400 if form.errors else 200,
        },
        status=400 if form.errors else 200,
    )


@admin_view("branding.read")
@require_http_methods(["GET", "POST"])
def language_edit(request: HttpRequest, tag: str | None = None) -> HttpResponse:
    custom = LanguageCustomization.objects.filter(language__iexact=tag).first() if tag else None
    if request.method == "POST":
        if "branding.write" not in request.admin_permissions:  # type: ignore[attr-defined]
            return render(
                request, "admincenter/forbidden.html", {"permission": "branding.write"}, status=403
            )
        form = LanguageForm(request.POST)
        if form.is_valid():
            try:
                saved = services.save_language_customization(
                    language=form.cleaned_data["language"] if custom is None else custom.language,
                    data=form.data_for_service(),
                    actor=request.user,
                    request=request,
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, f"Language customisation {saved.language} saved.")
                return redirect("branding_admin")
    else:
        initial = {"language": tag or ""}
        if custom is not None:
            initial.update(
                strings=custom.strings, attributes=custom.attributes, emails=custom.emails
            )
            initial.update({f"text_{k}": v for k, v in custom.texts.items()})
        form = LanguageForm(initial=initial)
    if custom is not None:
        form.fields["language"].disabled = True
    return render(
        request,
        "branding/admin/language.html",
        {"form": form, "custom": custom},
        status=400 if form.errors else 200,
    )


@admin_view("branding.write")
@require_POST
def language_delete(request: HttpRequest, tag: str) -> HttpResponse:
    if services.delete_language_customization(language=tag, actor=request.user, request=request):
        messages.success(request, f"Language customisation {tag} deleted.")
    return redirect("branding_admin")


@admin_view("branding.read")
@require_POST
@framed_by_same_origin
def preview(request: HttpRequest) -> HttpResponse:
    """The sign-in or sign-up page as it would look with the form's unsaved values (saved
    images are shown; new uploads appear once saved). Nothing is written."""
    saved = services.get_branding()
    form = BrandingForm(request.POST, branding=saved)
    choice = PreviewForm(request.POST)
    if not form.is_valid() or not choice.is_valid():
        return render(request, "branding/admin/preview_error.html", {"form": form}, status=400)
    try:
        values, _images = services.clean_branding_data(form.values(), {})
    except ValidationError as exc:
        _add_errors(form, exc)
        return render(request, "branding/admin/preview_error.html", {"form": form}, status=400)
    draft = Branding(**{f.name: getattr(saved, f.name) for f in Branding._meta.concrete_fields})
    for field, value in values.items():
        setattr(draft, field, value)
    languages = resolve.tenant_languages()
    tag = languages.match(choice.cleaned_data["preview_language"] or "") or draft.default_language
    custom = LanguageCustomization.objects.filter(language__iexact=tag).first()
    resolved = resolve.build(draft, custom, tag, sorted(languages.available.items()))
    request.branding = dataclasses.replace(resolved, theme_url="")  # type: ignore[attr-defined]
    page = choice.cleaned_data["preview_page"]
    previous = translation.get_language()
    language.activate(tag, resolved.strings)
    try:
        context = {
            "preview_css": resolved.theme_css,
            "preview": True,
            "hide_language_switcher": False,
        }
        if page == "signin":
            context.update(form=LoginForm(request=request), redirect_field="")
            response = render(request, "branding/preview_signin.html", context)
        else:
            response = render(request, "branding/preview_signup.html", context)
    finally:
        translation.activate(previous)
    response["Content-Language"] = tag
    return response
