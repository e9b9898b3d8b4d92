"""The one permission catalogue of a tenant: admin roles, the admin center permissions
each role holds, and the management API's application permissions (what each allows and
which roles may grant it). Admin pages, the management API, the token endpoint
(`applications.scopes`), the grant service and the docs all read this module; nothing
else lists a permission.

* An admin center permission (`users.write`, `policies.write`, ...) is what a page or a
  service checks; a role is a set of them, named as Entra names it.
* A management API permission (`User.ReadWrite.All`, ...) is granted to a daemon app. It
  `allows` a set of admin center permissions: an app holding it can do through the API
  what an admin holding those can do in the admin center.
* Granting (or revoking) one needs a role listed in its `grantable_by`, and every such
  role must itself hold everything the permission allows (checked at import). As in
  Entra, where only a Privileged Role / Global Administrator can consent to Microsoft
  Graph application permissions, that is the Global Administrator for all of them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Role(models.TextChoices):
    GLOBAL_ADMINISTRATOR = "global_administrator", "Global Administrator"
    USER_ADMINISTRATOR = "user_administrator", "User Administrator"
    APPLICATION_ADMINISTRATOR = "application_administrator", "Application Administrator"
    USER_FLOW_ADMINISTRATOR = "user_flow_administrator", "User Flow Administrator"
    AUTHENTICATION_EXTENSIBILITY_ADMINISTRATOR = (
        "auth_extensibility_administrator",
        "Authentication Extensibility Administrator",
    )
    BRANDING_ADMINISTRATOR = "branding_administrator", "Organizational Branding Administrator"
    CONDITIONAL_ACCESS_ADMINISTRATOR = (
        "conditional_access_administrator",
        "Conditional Access Administrator",
    )
    SECURITY_ADMINISTRATOR = "security_administrator", "Security Administrator"
    REPORTS_READER = "reports_reader", "Reports Reader"
    INSIGHTS_READER = "insights_reader", "Insights Reader"


# Admin center permissions: what each one lets an admin see or do.
ADMIN_PERMISSIONS: dict[str, str] = {
    "overview.read": "See the tenant overview",
    "users.read": "Read customer accounts, their identities and groups",
    "users.write": "Create, change, block, reset passwords of and delete customers",
    "groups.read": "Read groups and their members",
    "groups.write": "Create, change and delete groups, manage members",
    "admins.read": "Read admin accounts and their roles",
    "admins.write": "Add and remove admins, change their roles",
    "apps.read": "Read app registrations",
    "apps.write": "Register, change and delete apps, manage their secrets",
    "keys.read": "Read the tenant's signing keys",
    "keys.write": "Rotate signing keys",
    "userflows.read": "Read user flows, sign-in methods and identity providers",
    "userflows.write": "Change user flows, sign-in methods and identity providers",
    "extensions.read": "Read custom authentication extensions",
    "extensions.write": "Create, change and delete custom authentication extensions",
    "branding.read": "Read company branding",
    "branding.write": "Change company branding, languages and email templates",
    "policies.read": "Read Conditional Access policies",
    "policies.write": "Create, change and delete Conditional Access policies",
    "insights.read": "Read usage and insights dashboards",
    "audit.read": "Read the audit logs",
    "settings.read": "Read tenant settings",
    "settings.write": "Change tenant settings",
}
ALL_PERMISSIONS = frozenset(ADMIN_PERMISSIONS)

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
    Role.AUTHENTICATION_EXTENSIBILITY_ADMINISTRATOR: frozenset(
        {
            "overview.read",
            "extensions.read",
            "extensions.write",
            "userflows.read",
            "apps.read",
            "audit.read",
        }
    ),
    Role.BRANDING_ADMINISTRATOR: frozenset(
        {"overview.read", "branding.read", "branding.write", "audit.read"}
    ),
    Role.CONDITIONAL_ACCESS_ADMINISTRATOR: frozenset(
        {
            "overview.read",
            "policies.read",
            "policies.write",
            "apps.read",
            "groups.read",
            "audit.read",
        }
    ),
    Role.SECURITY_ADMINISTRATOR: frozenset(
        {
            "overview.read",
            "policies.read",
            "policies.write",
            "apps.read",
            "groups.read",
            "insights.read",
            "audit.read",
        }
    ),
    # Read-only: usage dashboards and the audit and sign-in reports.
    Role.REPORTS_READER: frozenset({"overview.read", "insights.read", "audit.read"}),
    # Read-only: the usage insights dashboards.
    Role.INSIGHTS_READER: frozenset({"overview.read", "insights.read"}),
}


@dataclass(frozen=True)
class ManagementApiPermission:
    """An application permission of the management API."""

    name: str
    description: str
    # Admin center permissions an app holding it can exercise through the API.
    allows: frozenset[str]
    # Other API permissions it includes (ReadWrite includes Read).
    implies: tuple[str, ...] = ()
    grantable_by: tuple[str, ...] = (Role.GLOBAL_ADMINISTRATOR,)


API_PERMISSIONS: tuple[ManagementApiPermission, ...] = (
    ManagementApiPermission(
        "User.Read.All",
        "Read all customers' profiles, identities and group memberships, and custom "
        "attribute definitions",
        frozenset({"users.read"}),
    ),
    ManagementApiPermission(
        "User.ReadWrite.All",
        "Also create, change, block, reset passwords of and delete customers; manage "
        "custom attribute definitions",
        frozenset({"users.read", "users.write"}),
        implies=("User.Read.All",),
    ),
    ManagementApiPermission(
        "Group.Read.All",
        "Read all groups and their members",
        frozenset({"groups.read", "users.read"}),
    ),
    ManagementApiPermission(
        "Group.ReadWrite.All",
        "Also create, change and delete groups and manage their members",
        frozenset({"groups.read", "groups.write", "users.read"}),
        implies=("Group.Read.All",),
    ),
    ManagementApiPermission(
        "Application.Read.All",
        "Read all app registrations",
        frozenset({"apps.read"}),
    ),
    ManagementApiPermission(
        "Application.ReadWrite.All",
        "Also register, change and delete apps (never their API permissions)",
        frozenset({"apps.read", "apps.write"}),
        implies=("Application.Read.All",),
    ),
    ManagementApiPermission(
        "CustomAuthenticationExtension.Read.All",
        "Read all custom authentication extensions",
        frozenset({"extensions.read"}),
    ),
    ManagementApiPermission(
        "CustomAuthenticationExtension.ReadWrite.All",
        "Also create, change and delete custom authentication extensions",
        frozenset({"extensions.read", "extensions.write"}),
        implies=("CustomAuthenticationExtension.Read.All",),
    ),
    ManagementApiPermission(
        "OrganizationalBranding.Read.All",
        "Read company branding",
        frozenset({"branding.read"}),
    ),
    ManagementApiPermission(
        "OrganizationalBranding.ReadWrite.All",
        "Also change company branding",
        frozenset({"branding.read", "branding.write"}),
        implies=("OrganizationalBranding.Read.All",),
    ),
    ManagementApiPermission(
        "Reports.Read.All",
        "Read usage and insights reports",
        frozenset({"insights.read"}),
    ),
    ManagementApiPermission(
        "Policy.Read.All",
        "Read the tenant's policies, Conditional Access included",
        frozenset({"policies.read"}),
    ),
    ManagementApiPermission(
        "Policy.ReadWrite.ConditionalAccess",
        "Read, create, change and delete Conditional Access policies",
        frozenset({"policies.read", "policies.write"}),
    ),
)
API_PERMISSION_BY_NAME: dict[str, ManagementApiPermission] = {p.name: p for p in API_PERMISSIONS}
API_PERMISSION_NAMES: tuple[str, ...] = tuple(API_PERMISSION_BY_NAME)


def permissions_for(roles: list[str] | set[str]) -> frozenset[str]:
    granted: set[str] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(granted)


def expand_api_permissions(names: set[str] | frozenset[str]) -> set[str]:
    """The API permissions that `names` amount to (each with those it implies)."""
    held = {n for n in names if n in API_PERMISSION_BY_NAME}
    for name in list(held):
        held |= set(API_PERMISSION_BY_NAME[name].implies)
    return held


def may_grant_api_permission(roles: list[str] | set[str], name: str) -> bool:
    """May an admin with `roles` grant (or revoke) the API permission `name`? Needs a role
    the catalogue lists for it and, with it, everything the permission allows."""
    permission = API_PERMISSION_BY_NAME.get(name)
    if permission is None:
        return False
    if not set(roles) & set(permission.grantable_by):
        return False
    return permission.allows <= permissions_for(roles)


def grantable_api_permissions(roles: list[str] | set[str]) -> list[str]:
    return [p.name for p in API_PERMISSIONS if may_grant_api_permission(roles, p.name)]


def _check_catalogue() -> None:
    """A broken catalogue must not load: unknown names, or a granting role that lacks
    something the permission allows (it would hand out more than it holds)."""
    assert ROLE_PERMISSIONS.keys() == set(Role.values), "every role needs its permissions"
    for role, perms in ROLE_PERMISSIONS.items():
        assert perms <= ALL_PERMISSIONS, (role, perms - ALL_PERMISSIONS)
    for permission in API_PERMISSIONS:
        assert permission.allows <= ALL_PERMISSIONS, permission.name
        assert set(permission.implies) <= API_PERMISSION_BY_NAME.keys(), permission.name
        for role in permission.grantable_by:
            assert permission.allows <= ROLE_PERMISSIONS[role], (permission.name, role)


_check_catalogue()
