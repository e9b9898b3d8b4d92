from django.urls import path

from . import views_portal as views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("signin/", views.signin, name="signin"),
    path("signout/", views.signout, name="signout"),
    path("tenants/new/", views.create, name="create"),
    path("tenants/<slug:name>/", views.tenant_detail, name="tenant"),
    path("tenants/<slug:name>/delete/", views.delete, name="delete"),
]
