"""Signal receivers: they only dispatch to services."""

from __future__ import annotations

from typing import Any


def password_chosen(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    from directory.services_users import password_chosen_by_customer

    if user is not None:
        password_chosen_by_customer(user)
