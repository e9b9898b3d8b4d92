from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from directory.overview import register_panel

        from .admin_views import overview_panel

        register_panel(overview_panel)
