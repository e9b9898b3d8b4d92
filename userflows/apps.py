from django.apps import AppConfig


class UserflowsConfig(AppConfig):
    name = "userflows"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allauth.account.signals import password_changed, password_reset, password_set

        from applications import interaction
        from branding import language

        from . import middleware, native, receivers
        from .journey import browser

        language.register_ui_locales_source(middleware.ui_locales_of)
        interaction.register(browser.start_from_authorize)
        interaction.register_native(native.token, native.introspect)

        for signal in (password_changed, password_set, password_reset):
            signal.connect(receivers.password_chosen, dispatch_uid=f"userflows.{signal!r}")
        password_reset.connect(receivers.password_reset_done, dispatch_uid="userflows.reset_event")
