"""Signal receivers: they only dispatch to services."""

from __future__ import annotations

from typing import Any


def password_chosen(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    from directory.services_users import password_chosen_by_customer

    if user is not None:
        password_chosen_by_customer(user)


def password_reset_done(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    """The reset pages (allauth's reset by code) finished: the outbox event the native
    API's reset step writes too."""
    from django.db import transaction

    from insights.services import record_event

    from . import context

    if user is None:
        return
    ctx = context.get_context(request) if request is not None else None
    with transaction.atomic():
        record_event(
            "password.reset",
            request=request,
            user_id=user.pk,
            client_id=ctx.client_id if ctx else "",
            flow_id=ctx.flow_id if ctx else None,
            data={"client_type": "browser"},
        )
