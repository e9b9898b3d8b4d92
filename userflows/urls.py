"""Customer-facing pages of the tenant: sign-up, sign-in, password reset and account
management (django-allauth, customised per tenant and user flow); the admin center's
User flows section is admincenter's. Our routes come before allauth's so that they shape
its pages."""

from django.urls import include, path

from . import account_views, native, views

urlpatterns: list = [
    # The native authentication API (userflows.native); /oauth2/v2.0/token and
    # /oauth2/v2.0/introspect hand native requests over through applications.interaction.
    path("signup/v1.0/start", native.signup_start, name="native_signup_start"),
    path("signup/v1.0/challenge", native.signup_challenge, name="native_signup_challenge"),
    path("signup/v1.0/continue", native.signup_continue, name="native_signup_continue"),
    path("oauth2/v2.0/initiate", native.initiate, name="native_initiate"),
    path("oauth2/v2.0/challenge", native.challenge, name="native_challenge"),
    path("resetpassword/v1.0/start", native.reset_start, name="native_reset_start"),
    path("resetpassword/v1.0/challenge", native.reset_challenge, name="native_reset_challenge"),
    path("resetpassword/v1.0/continue", native.reset_continue, name="native_reset_continue"),
    path("resetpassword/v1.0/submit", native.reset_submit, name="native_reset_submit"),
    path("resetpassword/v1.0/poll_completion", native.reset_poll, name="native_reset_poll"),
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
