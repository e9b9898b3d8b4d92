"""Attributes collected at sign-in (first federated sign-in, or a flow that gained a
required attribute). Self-service sign-up itself runs in the journey engine
(userflows.journey.steps.signup)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from directory.models import User
from insights.services import record_event

from . import context
from .attributes import apply_values
from .journey.steps.signup import json_values
from .models import UserFlow


@transaction.atomic
def save_collected_attributes(
    request: HttpRequest, flow: UserFlow, user: User, values: dict[str, Any]
) -> None:
    """Store attributes collected at sign-in with their event."""
    apply_values(user, json_values(values))
    user.save()
    ctx = context.get_context(request)
    record_event(
        "signup.attributes_collected",
        request=request,
        user_id=user.pk,
        client_id=ctx.client_id,
        flow_id=flow.pk,
        data={"count": len(values)},
    )
