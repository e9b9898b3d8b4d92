"""Tenant-scoped URLs of this app, included at the tenant's root by ciam/urls_tenant.py:
the OAuth 2.0 / OpenID Connect endpoints and the admin center's App registrations and
Keys sections."""

from django.urls import path

from . import admin_views, device_views, views

urlpatterns = [
    path(".well-known/openid-configuration", views.discovery, name="oidc_discovery"),
    path("v2.0/.well-known/openid-configuration", views.discovery, name="oidc_discovery_v2"),
    path("discovery/v2.0/keys", views.jwks, name="oidc_jwks"),
    path("oauth2/v2.0/authorize", views.TenantAuthorizationView.as_view(), name="oauth_authorize"),
    path("oauth2/v2.0/token", views.TenantTokenView.as_view(), name="oauth_token"),
    path("oauth2/v2.0/logout", views.TenantLogoutView.as_view(), name="oauth_logout"),
    path("oauth2/v2.0/introspect", views.IntrospectView.as_view(), name="oauth_introspect"),
    path("oauth2/v2.0/revoke", views.TenantRevokeView.as_view(), name="oauth_revoke"),
    path(
        "oauth2/v2.0/devicecode",
        device_views.DeviceAuthorizationView.as_view(),
        name="oauth_devicecode",
    ),
    path("device", device_views.verification_page, name="oauth_device"),
    path("oauth2/v2.0/par", views.PushedAuthorizationView.as_view(), name="oauth_par"),
    path("oidc/userinfo", views.TenantUserInfoView.as_view(), name="oidc_userinfo"),
    path("admin/apps/", admin_views.app_list, name="apps_list"),
    path("admin/apps/register/", admin_views.app_register, name="apps_register"),
    path("admin/apps/<int:pk>/", admin_views.app_detail, name="apps_detail"),
    path("admin/apps/<int:pk>/edit/", admin_views.app_edit, name="apps_edit"),
    path("admin/apps/<int:pk>/secrets/", admin_views.secret_add, name="apps_secret_add"),
    path(
        "admin/apps/<int:pk>/secrets/<uuid:secret_id>/revoke/",
        admin_views.secret_revoke,
        name="apps_secret_revoke",
    ),
    path(
        "admin/apps/<int:pk>/permissions/", admin_views.permission_add, name="apps_permission_add"
    ),
    path(
        "admin/apps/<int:pk>/permissions/<uuid:perm_id>/remove/",
        admin_views.permission_remove,
        name="apps_permission_remove",
    ),
    path("admin/apps/<int:pk>/roles/", admin_views.role_assign, name="apps_role_assign"),
    path(
        "admin/apps/<int:pk>/roles/<uuid:assignment_id>/remove/",
        admin_views.role_unassign,
        name="apps_role_unassign",
    ),
    path("admin/apps/<int:pk>/delete/", admin_views.app_delete, name="apps_delete"),
    path("admin/keys/", admin_views.key_list, name="keys_list"),
    path("admin/keys/rotate/", admin_views.key_rotate, name="keys_rotate"),
]
