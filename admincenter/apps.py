from django.apps import AppConfig


class AdminCenterConfig(AppConfig):
    """The admin shell and its pages, the platform portal and the demo seed: above every
    domain app, which it imports; none imports it."""

    name = "admincenter"
    verbose_name = "Admin center"
