from django.apps import AppConfig


class ExtensionsConfig(AppConfig):
    name = "extensions"
    verbose_name = "Custom authentication extensions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import providers, signals

        signals.connect()
        providers.register()
