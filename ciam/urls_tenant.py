"""URLs on a tenant's base (shared-host path /t/<name>/, subdomain or custom domain).

Apps are named by string only: this module imports none of them (DESIGN.md's layers)."""

from django.shortcuts import redirect
from django.urls import include, path

# One namespace, "directory", for the names that pages, tests and clients reverse: the
# directory's admin pages (admincenter), the management API (api) and SCIM (directory).
directory_namespace = (
    [
        path("", include("admincenter.urls_directory")),
        path("api/v1/", include("api.urls")),
        path("scim/v2/", include("directory.scim.urls")),
    ],
    "directory",
)

urlpatterns = [
    path("", lambda request: redirect("admincenter:overview"), name="tenant_home"),
    path("", include("applications.urls")),
    path("", include("admincenter.urls_applications")),
    path("", include(directory_namespace)),
    path("", include("userflows.urls")),
    path("", include("admincenter.urls_userflows")),
    path("", include("admincenter.urls_extensions")),
    path("", include("branding.urls")),
    path("", include("admincenter.urls_branding")),
    path("", include("api.urls_reports")),
    path("", include("admincenter.urls_insights")),
    path("admin/", include("admincenter.urls")),
]

handler500 = "ciam.errors.server_error"
