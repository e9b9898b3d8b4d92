"""Admin center: the Usage & insights dashboards (users, authentications, MFA), each chart
with a table for screen readers and a CSV export."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from admincenter.permissions import admin_view
from insights import dashboards

PAGES = {
    "users": "Users",
    "authentications": "Authentications",
    "mfa": "MFA",
}


def _apps() -> list[tuple[str, str]]:
    from django.apps import apps as registry

    application = registry.get_model("applications", "Application")
    return list(application.objects.order_by("name").values_list("client_id", "name"))


def _charts(page: str, filters: dashboards.Filters, apps: list[tuple[str, str]]):
    if page == "users":
        return dashboards.users_charts(filters, [client_id for client_id, _ in apps])
    if page == "authentications":
        return dashboards.authentication_charts(filters)
    if page == "mfa":
        return dashboards.mfa_charts(filters)
    raise Http404


@admin_view("insights.read")
def dashboard(request: HttpRequest, page: str = "users") -> HttpResponse:
    if page not in PAGES:
        raise Http404
    filters = dashboards.Filters.from_query(request.GET)
    apps = _apps()
    charts = _charts(page, filters, apps)
    return render(
        request,
        "insights/dashboard.html",
        {
            "page": page,
            "pages": PAGES,
            "filters": filters,
            "apps": apps,
            "charts": charts,
            "charts_json": [c.as_json() for c in charts],
            "query": request.GET.urlencode(),
        },
    )


@admin_view("insights.read")
def chart_csv(request: HttpRequest, page: str, chart_id: str) -> HttpResponse:
    if page not in PAGES:
        raise Http404
    filters = dashboards.Filters.from_query(request.GET)
    chart = next((c for c in _charts(page, filters, _apps()) if c.id == chart_id), None)
    if chart is None:
        raise Http404
    response = HttpResponse(dashboards.to_csv(chart), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{chart.id}.csv"'
    return response


def overview_panel(request: HttpRequest) -> dict | None:
    """This week's numbers with sparklines on the admin center's overview."""
    if "insights.read" not in getattr(request, "admin_permissions", ()):
        return None
    return {
        "template": "insights/_overview.html",
        "insight_stats": [
            (label, total, dashboards.sparkline_points(series), series)
            for label, (total, series) in dashboards.overview_summary().items()
        ],
    }
