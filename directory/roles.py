"""Admin roles and the permissions each one grants. Every admin page and API names the
permission it needs; a role is just a set of them."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    GLOBAL_ADMINISTRATOR = "global_administrator", "Global Administrator"
    USER_ADMINISTRATOR = "user_administrator", "User Administrator"
    APPLICATION_ADMINISTRATOR = "application_administrator", "Application Administrator"
    USER_FLOW_ADMINISTRATOR = "user_flow_administrator", "User Flow Administrator"
    BRANDING_ADMINISTRATOR = "branding_administrator", "Branding Administrator"
    INSIGHTS_READER = "insights_reader", "Insights Reader"
    REPORTS_READER = "reports_reader", "Reports Reader"


ALL_PERMISSIONS = frozenset(
    {
        "overview.read",
        "users.read",
        "users.write",
        "groups.read",
        "groups.write",
        "admins.read",
        "admins.write",
        "apps.read",
        "apps.write",
        "keys.read",
        "keys.write",
        "userflows.read",
        "userflows.write",
        "extensions.read",
        "extensions.write",
        "branding.read",
        "branding.write",
        "insights.read",
        "audit.read",
        "settings.read",
        "settings.write",
    }
)

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.GLOBAL_ADMINISTRATOR: ALL_PERMISSIONS,
    Role.USER_ADMINISTRATOR: frozenset(
        {
            "overview.read",
            "users.read",
            "users.write",
            "groups.read",
            "groups.write",
            "admins.read",
            "audit.read",
        }
    ),
    Role.APPLICATION_ADMINISTRATOR: frozenset(
        {
            "overview.read",
            "apps.read",
            "apps.write",
            "keys.read",
            "keys.write",
            "userflows.read",
            "audit.read",
        }
    ),
    Role.USER_FLOW_ADMINISTRATOR: frozenset(
        {
            "overview.read",
            "userflows.read",
            "userflows.write",
            "extensions.read",
            "extensions.write",
            "apps.read",
            "audit.read",
        }
    ),
    Role.BRANDING_ADMINISTRATOR: frozenset(
        {"overview.read", "branding.read", "branding.write", "audit.read"}
    ),
    # Read-only: dashboards and the audit trail, nothing it can change.
    Role.INSIGHTS_READER: frozenset({"overview.read", "insights.read", "audit.read"}),
    # Usage reports only.
    Role.REPORTS_READER: frozenset({"overview.read", "insights.read"}),
}


def permissions_for(roles: list[str] | set[str]) -> frozenset[str]:
    granted: set[str] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(granted)
