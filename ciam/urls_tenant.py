"""URLs on a tenant's base (shared-host path /t/<name>/, subdomain or custom domain)."""

from django.shortcuts import redirect
from django.urls import include, path

urlpatterns = [
    path("", lambda request: redirect("admincenter:overview"), name="tenant_home"),
    path("", include("applications.urls")),
    path("", include("directory.urls")),
    path("", include("userflows.urls")),
    path("", include("extensions.urls")),
    path("", include("branding.urls")),
    path("", include("insights.urls")),
    path("admin/", include("directory.urls_admin")),
]
