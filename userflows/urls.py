"""Customer-facing pages of the tenant: sign-up, sign-in, password reset and account
management (django-allauth, customised per tenant and user flow); the admin center's
User flows section is admincenter's. Our routes come before allauth's so that they shape
its pages."""

from django.urls import include, path

from . import account_views, views

urlpatterns: list = [
    path("account/login/", views.login, name="account_login"),
    path("account/login/code/", views.request_login_code, name="account_request_login_code"),
    path("account/signup/", views.signup_view, name="account_signup"),
    path(
        "account/signup/attributes/",
        views.collect_attributes,
        name="userflows_collect_attributes",
    ),
    path("account/reauthenticate/", views.reauthenticate, name="account_reauthenticate"),
    path("account/2fa/reauthenticate/", views.mfa_reauthenticate, name="mfa_reauthenticate"),
    path("account/profile/", account_views.profile, name="userflows_profile"),
    path("account/consents/", account_views.consents, name="userflows_consents"),
    path("account/delete/", account_views.delete, name="userflows_delete"),
    path(
        "account/oidc/<str:provider_id>/login/",
        views.federated_login,
        name="userflows_oidc_login",
    ),
    path("account/", include("allauth.urls")),
]
