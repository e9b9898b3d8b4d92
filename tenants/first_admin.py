"""The first Global Administrator of a new tenant.

The account is the directory's (an app above `tenants` in DESIGN.md's order), yet it is
created inside the tenant's provisioning transaction. So `tenants` names what it needs
here and `directory` registers the implementation in its AppConfig.ready."""

from __future__ import annotations

from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured


class FirstAdminAccounts(Protocol):
    def normalize_email(self, email: str | None) -> str:
        """The canonical form of an email address, or '' when it is not valid."""
        ...

    def create_first_admin(
        self,
        *,
        email: str,
        password: str | None,
        actor: str,
        generate_password: bool,
        password_hash: str | None,
    ) -> tuple[Any, str | None]:
        """Create the tenant's first Global Administrator in the current schema; returns
        the account and the generated password (None when one was given)."""
        ...


_accounts: FirstAdminAccounts | None = None


def register(accounts: FirstAdminAccounts) -> None:
    global _accounts
    _accounts = accounts


def accounts() -> FirstAdminAccounts:
    if _accounts is None:
        raise ImproperlyConfigured(
            "No app registered the first admin account of new tenants "
            "(directory does so in DirectoryConfig.ready)."
        )
    return _accounts
