"""Tenant-scoped URLs of this app, included at the tenant's root by ciam/urls_tenant.py:
the OAuth 2.0 / OpenID Connect endpoints (the admin pages are admincenter's)."""

from django.urls import path

from . import device_views, views

urlpatterns = [
    path(".well-known/openid-configuration", views.discovery, name="oidc_discovery"),
    # No document at /v2.0/.well-known/openid-configuration: OIDC Discovery §4.3 wants the
    # issuer to equal the URL it is fetched under, and the tenant's issuer has no /v2.0.
    path("v2.0/.well-known/openid-configuration", views.no_v2_discovery),
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
]
