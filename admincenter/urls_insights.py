"""The admin center's Usage & insights dashboards."""

from django.urls import path

from . import views_insights as admin_views

urlpatterns = [
    path("admin/insights/", admin_views.dashboard, name="insights_dashboard"),
    path("admin/insights/<slug:page>/", admin_views.dashboard, name="insights_page"),
    path(
        "admin/insights/<slug:page>/<slug:chart_id>.csv",
        admin_views.chart_csv,
        name="insights_csv",
    ),
]
