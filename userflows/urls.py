"""Customer-facing pages of the tenant: sign-up, sign-in, password reset and account
management (django-allauth, customised per tenant and user flow), and the admin center's
User flows section. Our routes come before allauth's so that they shape its pages."""

from django.urls import include, path

from . import account_views, admin_views, views

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
    path("admin/userflows/", admin_views.flow_list, name="userflows_admin"),
    path("admin/userflows/new/", admin_views.flow_create, name="userflows_admin_create"),
    path(
        "admin/userflows/password-policy/",
        admin_views.password_policy,
        name="userflows_admin_password_policy",
    ),
    path(
        "admin/userflows/providers/new/",
        admin_views.provider_edit,
        name="userflows_admin_provider_create",
    ),
    path(
        "admin/userflows/providers/<uuid:pk>/",
        admin_views.provider_edit,
        name="userflows_admin_provider",
    ),
    path("admin/userflows/<uuid:pk>/", admin_views.flow_edit, name="userflows_admin_flow"),
    path(
        "admin/userflows/<uuid:pk>/delete/",
        admin_views.flow_delete,
        name="userflows_admin_flow_delete",
    ),
    path(
        "admin/userflows/<uuid:pk>/attributes/new/",
        admin_views.attribute_edit,
        name="userflows_admin_attribute_create",
    ),
    path(
        "admin/userflows/<uuid:pk>/attributes/<uuid:attr_pk>/",
        admin_views.attribute_edit,
        name="userflows_admin_attribute",
    ),
]
