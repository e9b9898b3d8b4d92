from django.apps import AppConfig


class ExtensionsConfig(AppConfig):
    name = "extensions"
    verbose_name = "Custom authentication extensions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started

        from . import client, providers, signals

        signals.connect()
        providers.register()
        request_started.connect(client.request_started, dispatch_uid="extensions-log-start")
        request_finished.connect(client.request_finished, dispatch_uid="extensions-log-end")
