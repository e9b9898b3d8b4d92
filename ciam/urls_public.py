"""URLs of the shared host outside /t/<name>/: the platform portal."""

from django.urls import include, path

from tenants import views

urlpatterns = [
    path("", views.root, name="root"),
    path("portal/", include("tenants.urls")),
]
