from django.apps import AppConfig


class UserflowsConfig(AppConfig):
    name = "userflows"
    default_auto_field = "django.db.models.BigAutoField"
