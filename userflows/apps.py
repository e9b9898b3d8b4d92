from django.apps import AppConfig


class UserflowsConfig(AppConfig):
    name = "userflows"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allauth.account.signals import password_changed, password_reset, password_set

        from branding import language

        from . import middleware, receivers

        language.register_ui_locales_source(middleware.ui_locales_of)

        for signal in (password_changed, password_set, password_reset):
            signal.connect(receivers.password_chosen, dispatch_uid=f"userflows.{signal!r}")
