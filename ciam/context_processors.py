from django.conf import settings
from django.http import HttpRequest

from .tenancy import is_tenant_request


def platform(request: HttpRequest) -> dict[str, object]:
    return {
        "platform_name": "CIAM",
        "current_tenant": getattr(request, "tenant", None) if is_tenant_request(request) else None,
        "tenant_base_url": getattr(request, "tenant_base_url", ""),
        "base_domain": settings.CIAM_BASE_DOMAIN,
    }
