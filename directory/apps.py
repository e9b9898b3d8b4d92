from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Directory"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tenants import first_admin

        from .first_admin import DirectoryFirstAdmin

        first_admin.register(DirectoryFirstAdmin())
