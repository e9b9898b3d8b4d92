from __future__ import annotations

from typing import Any

from django import template

from userflows import context as flow_ctx

register = template.Library()


@register.simple_tag(takes_context=True)
def current_flow(context: dict[str, Any]) -> Any:
    """The user flow of the request being rendered."""
    return flow_ctx.get_flow(context["request"])


@register.simple_tag(takes_context=True)
def flow_context(context: dict[str, Any]) -> Any:
    """What the authorize request asked for (client_id, login_hint, next)."""
    return flow_ctx.get_context(context["request"])
