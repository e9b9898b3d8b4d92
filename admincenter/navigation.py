"""The admin center's navigation, defined once: (section slug, label) in menu order. A
slug is the path under admin/ (admincenter:section until its app fills it in)."""

from __future__ import annotations

from django.http import HttpRequest

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


def navigation(request: HttpRequest) -> dict[str, object]:
    """Context processor: the menu for templates/admincenter/base.html."""
    return {"admin_nav": ADMIN_NAV}
