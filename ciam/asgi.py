import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ciam.settings")
application = get_asgi_application()

from ciam.preload import load_url_configurations  # noqa: E402 - needs the apps loaded

load_url_configurations()
