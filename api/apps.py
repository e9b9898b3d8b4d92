from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The management REST API (+ OpenAPI): above every domain app, which it imports; none
    imports it."""

    name = "api"
    verbose_name = "Management API"
