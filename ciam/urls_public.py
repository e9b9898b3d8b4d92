"""URLs of the shared host outside /t/<name>/: the platform portal (admincenter).

Apps are named by string only: this module imports none of them (DESIGN.md's layers)."""

from django.shortcuts import redirect
from django.urls import include, path

urlpatterns = [
    path("", lambda request: redirect("portal:home"), name="root"),
    path("portal/", include("admincenter.urls_portal")),
]

handler500 = "ciam.errors.server_error"
