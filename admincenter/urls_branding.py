"""The admin center's Company branding pages."""

from django.urls import path

from . import views_branding as admin_views

urlpatterns = [
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
