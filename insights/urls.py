"""Tenant-scoped URLs of this app, included at the tenant's root by ciam/urls_tenant.py:
the reports API under api/v1/ (beside directory's management API) and the admin center's
Usage & insights pages (before the admin shell's placeholder section)."""

from django.urls import path

from . import admin_views, api

urlpatterns = [
    path(
        "api/v1/reports/userInsights/<str:period>/<str:report>",
        api.UserInsightsReportView.as_view(),
        name="insights_report",
    ),
    path("admin/insights/", admin_views.dashboard, name="insights_dashboard"),
    path("admin/insights/<slug:page>/", admin_views.dashboard, name="insights_page"),
    path(
        "admin/insights/<slug:page>/<slug:chart_id>.csv",
        admin_views.chart_csv,
        name="insights_csv",
    ),
]
