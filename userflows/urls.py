"""Customer-facing pages of the tenant: sign-up, sign-in, password reset and account
management (django-allauth, customised per tenant and user flow)."""

from django.urls import include, path

urlpatterns: list = [
    path("account/", include("allauth.urls")),
]
