"""Tenant-scoped URLs of this app, included at the tenant's root by ciam/urls_tenant.py:
the theme stylesheet, stored images, the language switcher and the admin center's
Company branding section."""

from django.urls import path

from . import views

urlpatterns = [
    path("branding/theme/<str:digest>.css", views.theme, name="branding_theme"),
    path("branding/assets/<str:name>", views.asset, name="branding_asset"),
    path("branding/language/", views.set_language, name="branding_language"),
]

from . import admin_views  # noqa: E402

urlpatterns += [
    path("admin/branding/", admin_views.branding_edit, name="branding_admin"),
    path("admin/branding/preview/", admin_views.preview, name="branding_preview"),
    path("admin/branding/languages/new/", admin_views.language_edit, name="branding_language_new"),
    path(
        "admin/branding/languages/<str:tag>/",
        admin_views.language_edit,
        name="branding_language_edit",
    ),
    path(
        "admin/branding/languages/<str:tag>/delete/",
        admin_views.language_delete,
        name="branding_language_delete",
    ),
]
