"""The admin center's User flows section, included at the tenant's root by
ciam/urls_tenant.py."""

from django.urls import path

from . import views_native_auth
from . import views_userflows as admin_views

urlpatterns = [
    path("admin/userflows/", admin_views.flow_list, name="userflows_admin"),
    path("admin/userflows/new/", admin_views.flow_create, name="userflows_admin_create"),
    path(
        "admin/userflows/password-policy/",
        admin_views.password_policy,
        name="userflows_admin_password_policy",
    ),
    path(
        "admin/userflows/native-auth/",
        views_native_auth.native_auth_settings,
        name="userflows_admin_native_auth",
    ),
    path(
        "admin/userflows/providers/new/",
        admin_views.provider_edit,
        name="userflows_admin_provider_create",
    ),
    path(
        "admin/userflows/providers/<uuid:pk>/",
        admin_views.provider_edit,
        name="userflows_admin_provider",
    ),
    path("admin/userflows/<uuid:pk>/", admin_views.flow_edit, name="userflows_admin_flow"),
    path(
        "admin/userflows/<uuid:pk>/delete/",
        admin_views.flow_delete,
        name="userflows_admin_flow_delete",
    ),
    path(
        "admin/userflows/<uuid:pk>/attributes/new/",
        admin_views.attribute_edit,
        name="userflows_admin_attribute_create",
    ),
    path(
        "admin/userflows/<uuid:pk>/attributes/<uuid:attr_pk>/",
        admin_views.attribute_edit,
        name="userflows_admin_attribute",
    ),
]
