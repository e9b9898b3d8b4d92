"""Tenant-scoped URLs of this app, included at the tenant's root by ciam/urls_tenant.py:
the theme stylesheet, stored images and the language switcher (the admin center's
Company branding pages are admincenter/urls_branding.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("branding/theme/<str:digest>.css", views.theme, name="branding_theme"),
    path("branding/assets/<str:name>", views.asset, name="branding_asset"),
    path("branding/language/", views.set_language, name="branding_language"),
]
