"""The admin center's Custom authentication extensions pages (included before the admin
shell's placeholder sections in ciam/urls_tenant.py)."""

from django.urls import path

from . import views_extensions as admin_views

urlpatterns = [
    path("admin/extensions/", admin_views.extension_list, name="extensions_list"),
    path("admin/extensions/new/", admin_views.extension_register, name="extensions_register"),
    path("admin/extensions/<uuid:pk>/", admin_views.extension_detail, name="extensions_detail"),
    path("admin/extensions/<uuid:pk>/edit/", admin_views.extension_edit, name="extensions_edit"),
    path("admin/extensions/<uuid:pk>/test/", admin_views.extension_test, name="extensions_test"),
    path(
        "admin/extensions/<uuid:pk>/enabled/",
        admin_views.extension_enabled,
        name="extensions_enabled",
    ),
    path(
        "admin/extensions/<uuid:pk>/delete/", admin_views.extension_delete, name="extensions_delete"
    ),
]
