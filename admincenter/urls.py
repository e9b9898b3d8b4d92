from django.urls import path

from . import views

app_name = "admincenter"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("signin/", views.signin, name="signin"),
    path("signin/mfa/", views.signin_mfa, name="signin_mfa"),
    path("signout/", views.signout, name="signout"),
    path("account/mfa/", views.mfa_enroll, name="mfa_enroll"),
    path("audit/", views.audit_logs, name="audit"),
    path("settings/", views.tenant_settings, name="settings"),
    path("admins/", views.admins, name="admins"),
    path("admins/<str:user_id>/", views.admin_edit, name="admin_edit"),
    # Sections filled in by later work; an app's own admin URLs, included before this
    # module in ciam/urls_tenant.py, take precedence over the placeholder.
    path("<slug:slug>/", views.section, name="section"),
]
