"""Scopes and permissions of a tenant.

* OpenID Connect scopes: openid, profile, email, offline_access.
* The built-in management API's application permissions (`User.Read.All`, ...), which an
  admin grants to daemon apps; a client-credentials token carries the granted ones in its
  `scope` (space separated, stored on the AccessToken row) and `roles` claim.
* Each web API (app type `api`) of the tenant exposes delegated scopes and app roles,
  named `<identifier URI>/<value>` (identifier URI defaults to `api://<client id>`)."""

from __future__ import annotations

from typing import Any

from oauth2_provider.scopes import BaseScopes

from .models import ApiPermission, Application, AppType

OIDC_SCOPES = {
    "openid": "Sign you in",
    "profile": "View your basic profile (name)",
    "email": "View your email address",
    "offline_access": "Maintain access to data you have given it access to",
}
MANAGEMENT_API_PERMISSIONS = {
    "User.Read.All": "Read all users' profiles",
    "User.ReadWrite.All": "Read and write all users' profiles",
    "Group.ReadWrite.All": "Read and write all groups",
    "Application.ReadWrite.All": "Read and write all app registrations",
    "Reports.Read.All": "Read usage and insights reports",
}
MANAGEMENT_API_AUDIENCE = "urn:ciam:management-api"
DEFAULT_SUFFIX = "/.default"


def identifier_uri(api: Application) -> str:
    return api.identifier_uri or f"api://{api.client_id}"


def tenant_apis() -> list[Application]:
    return list(Application.objects.filter(app_type=AppType.API, is_enabled=True))


def api_scope_catalog() -> dict[str, tuple[Application, str, str]]:
    """Full scope name -> (api, kind, description) for every scope and app role."""
    catalog: dict[str, tuple[Application, str, str]] = {}
    for api in tenant_apis():
        base = identifier_uri(api)
        for item in api.exposed_scopes or []:
            catalog[f"{base}/{item['value']}"] = (
                api,
                ApiPermission.Kind.DELEGATED,
                item.get("description", ""),
            )
        for item in api.app_roles or []:
            catalog[f"{base}/{item['value']}"] = (
                api,
                ApiPermission.Kind.APPLICATION,
                item.get("description", ""),
            )
    return catalog


def granted_application_permissions(client: Application) -> list[str]:
    """Full names of the application permissions an admin granted to `client`."""
    names = []
    for perm in client.permissions.filter(
        kind=ApiPermission.Kind.APPLICATION, admin_consented=True
    ).select_related("resource"):
        names.append(
            perm.value if perm.resource is None else f"{identifier_uri(perm.resource)}/{perm.value}"
        )
    return sorted(names)


def admin_consented_delegated(client: Application) -> set[str]:
    return {
        f"{identifier_uri(p.resource)}/{p.value}"
        for p in client.permissions.filter(
            kind=ApiPermission.Kind.DELEGATED, admin_consented=True, resource__isnull=False
        ).select_related("resource")
    }


def resolve_client_credentials_scopes(
    client: Application, requested: list[str], granted: list[str] | None = None
) -> list[str] | None:
    """The scopes of a client-credentials token: the granted application permissions
    (all of them for no scope or `<resource>/.default`), or None when a requested one is
    not granted."""
    if granted is None:
        granted = granted_application_permissions(client)
    if not requested:
        return granted
    result: list[str] = []
    for scope in requested:
        if scope.endswith(DEFAULT_SUFFIX):
            resource = scope[: -len(DEFAULT_SUFFIX)]
            result += [
                g
                for g in granted
                if g.startswith(resource + "/")
                or (resource == MANAGEMENT_API_AUDIENCE and "/" not in g)
            ]
        elif scope in granted:
            result.append(scope)
        else:
            return None
    return sorted(set(result))


def validate_user_scopes(client: Application, requested: list[str]) -> bool:
    """Scopes a user-facing app may request: OIDC scopes and delegated API scopes."""
    catalog = None
    for scope in requested:
        if scope in OIDC_SCOPES:
            continue
        catalog = catalog if catalog is not None else api_scope_catalog()
        entry = catalog.get(scope)
        if entry is None or entry[1] != ApiPermission.Kind.DELEGATED:
            return False
    return True


def split_scopes(
    scopes: list[str], client: Application, request: Any
) -> tuple[list[str], list[str], str]:
    """(delegated scopes, app roles, audience) of a token with `scopes`."""
    if request.grant_type == "client_credentials":
        roles = [s.rsplit("/", 1)[-1] for s in scopes]
        resources = {s.rsplit("/", 1)[0] for s in scopes if "/" in s}
        audience = resources.pop() if len(resources) == 1 else MANAGEMENT_API_AUDIENCE
        return [], roles, audience
    api_scopes = [s for s in scopes if s not in OIDC_SCOPES]
    if api_scopes:
        resource = api_scopes[0].rsplit("/", 1)[0]
        return [s.rsplit("/", 1)[-1] for s in api_scopes], [], resource
    return [s for s in scopes if s in OIDC_SCOPES], [], client.client_id


class TenantScopes(BaseScopes):
    """DOT scopes backend reading the current tenant's APIs."""

    def get_all_scopes(self) -> dict[str, str]:
        scopes = dict(OIDC_SCOPES)
        scopes.update(MANAGEMENT_API_PERMISSIONS)
        scopes.update({name: desc or name for name, (_a, _k, desc) in api_scope_catalog().items()})
        return scopes

    def get_available_scopes(self, application=None, request=None, *args, **kwargs) -> list[str]:
        return list(self.get_all_scopes())

    def get_default_scopes(self, application=None, request=None, *args, **kwargs) -> list[str]:
        return ["openid"]


def admin_consent_covers(client: Application, requested: list[str]) -> bool:
    """True when an admin consented, for the whole tenant, to every web API scope in
    `requested` (OpenID scopes ride along, as with tenant-wide admin consent)."""
    api_scopes = {s for s in requested if s not in OIDC_SCOPES}
    return bool(api_scopes) and api_scopes <= admin_consented_delegated(client)


def resource_app(audience: str, client: Application) -> Application | None:
    """The app registration a token's audience names (the client itself for sign-in)."""
    if audience == client.client_id:
        return client
    for api in tenant_apis():
        if identifier_uri(api) == audience:
            return api
    return None
