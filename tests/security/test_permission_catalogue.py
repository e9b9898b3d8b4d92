"""Finding 2 of issue 12: one permission catalogue (directory.roles), read by the admin
pages, the management API, the token endpoint and the docs. The two copies it replaces
disagreed: Group.Read.All was documented but refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from directory import roles
from directory.roles import ROLE_PERMISSIONS, Role

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_token_endpoint_and_the_api_read_the_catalogue(tenant):
    from api.serializers import ApplicationUpdateSerializer
    from applications.scopes import MANAGEMENT_API_PERMISSIONS, TenantScopes
    from directory.services_access import API_PERMISSIONS as ACCESS_PAGE_CHOICES

    assert list(MANAGEMENT_API_PERMISSIONS) == list(roles.API_PERMISSION_NAMES)
    assert list(ACCESS_PAGE_CHOICES) == list(roles.API_PERMISSION_NAMES)
    field = ApplicationUpdateSerializer().fields["api_permissions"].child
    assert list(field.choices) == list(roles.API_PERMISSION_NAMES)
    with tenant.context():
        assert set(roles.API_PERMISSION_NAMES) <= set(TenantScopes().get_all_scopes())


def test_entra_named_permissions_and_roles_exist():
    assert {
        "CustomAuthenticationExtension.ReadWrite.All",
        "OrganizationalBranding.ReadWrite.All",
        "Reports.Read.All",
        "Policy.ReadWrite.ConditionalAccess",
        "Policy.Read.All",
        "Group.Read.All",
    } <= set(roles.API_PERMISSION_NAMES)
    labels = {r.label: r.value for r in Role}
    assert ROLE_PERMISSIONS[labels["Authentication Extensibility Administrator"]] >= {
        "extensions.read",
        "extensions.write",
    }
    assert "branding.write" in ROLE_PERMISSIONS[labels["Organizational Branding Administrator"]]
    assert "insights.read" in ROLE_PERMISSIONS[labels["Reports Reader"]]
    assert ROLE_PERMISSIONS[labels["Insights Reader"]] == {"overview.read", "insights.read"}
    for role in ("Conditional Access Administrator", "Security Administrator"):
        assert "policies.write" in ROLE_PERMISSIONS[labels[role]]
    assert ROLE_PERMISSIONS[Role.GLOBAL_ADMINISTRATOR] == set(roles.ADMIN_PERMISSIONS)


def test_group_read_all_and_new_permissions_are_grantable_and_reach_the_token(tenant, client):
    """Group.Read.All was documented but refused; the new Entra-named permissions must be
    grantable and carried by client-credentials tokens too."""
    import base64

    from applications import services

    with tenant.context():
        app, secret = services.register_application(
            name="Reader", app_type="daemon", redirect_uris=[], actor="tests"
        )
        for name in ("Group.Read.All", "Policy.ReadWrite.ConditionalAccess", "Reports.Read.All"):
            services.grant_api_permission(app, value=name, actor="tests")
    basic = base64.b64encode(f"{app.client_id}:{secret}".encode()).decode()
    token = client.post(
        tenant.url("/oauth2/v2.0/token"),
        {"grant_type": "client_credentials", "scope": "urn:ciam:management-api/.default"},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    ).json()
    assert sorted(token["scope"].split()) == [
        "Group.Read.All",
        "Policy.ReadWrite.ConditionalAccess",
        "Reports.Read.All",
    ]
    bearer = f"Bearer {token['access_token']}"
    groups = client.get(tenant.url("/api/v1/groups/"), HTTP_AUTHORIZATION=bearer)
    users = client.get(tenant.url("/api/v1/users/"), HTTP_AUTHORIZATION=bearer)
    assert (groups.status_code, users.status_code) == (200, 403)


def _table_rows(text: str, heading: str) -> dict[str, str]:
    """First column -> the rest, of the first markdown table under `heading`."""
    lines = text.split(heading, 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = {}
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not set(cells[0]) <= {"-", " "}:
            rows[cells[0].strip("`")] = " | ".join(cells[1:])
    return rows


def test_api_management_doc_lists_every_permission_and_who_may_grant_it():
    rows = _table_rows((DOCS / "api-management.md").read_text(), "## Permissions")
    for permission in roles.API_PERMISSIONS:
        assert permission.name in rows, permission.name
        for role in permission.grantable_by:
            assert Role(role).label in rows[permission.name], permission.name
    assert set(rows) == set(roles.API_PERMISSION_NAMES) | {"permission"}


@pytest.mark.parametrize("doc", ["architecture.md", "api-management.md"])
def test_docs_list_every_role(doc):
    text = (DOCS / doc).read_text()
    for role in Role:
        assert re.search(rf"\| {re.escape(role.label)} \|", text), (doc, role.label)
