from django.apps import AppConfig


class BrandingConfig(AppConfig):
    name = "branding"
    default_auto_field = "django.db.models.BigAutoField"
