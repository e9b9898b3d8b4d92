from django.conf import settings

ADMIN_NAV = [
    ("users", "Users"),
    ("groups", "Groups"),
    ("apps", "App registrations"),
    ("userflows", "User flows"),
    ("extensions", "Custom authentication extensions"),
    ("branding", "Company branding"),
    ("insights", "Usage & insights"),
    ("keys", "Keys"),
]


def platform(request):
    from tenants.middleware import is_tenant_request

    return {
        "platform_name": "CIAM",
        "current_tenant": request.tenant if is_tenant_request(request) else None,
        "tenant_base_url": getattr(request, "tenant_base_url", ""),
        "base_domain": settings.CIAM_BASE_DOMAIN,
        "admin_nav": ADMIN_NAV,
    }
