"""The usage reports API, shaped like Microsoft Graph's user-insights reports, under the
management API's base (api/v1/)."""

from django.urls import path

from . import insights

urlpatterns = [
    path(
        "api/v1/reports/userInsights/<str:period>/<str:report>",
        insights.UserInsightsReportView.as_view(),
        name="insights_report",
    ),
]
