"""Tenant-scoped URLs of this app, included at the tenant's root by ciam/urls_tenant.py:
the reports API under api/v1/ (beside directory's management API) and the admin center's
Usage & insights pages."""

from django.urls import path

from . import api

urlpatterns = [
    path(
        "api/v1/reports/userInsights/<str:period>/<str:report>",
        api.UserInsightsReportView.as_view(),
        name="insights_report",
    ),
]
