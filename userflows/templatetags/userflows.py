from __future__ import annotations

from typing import Any

from django import template

from userflows import context

register = template.Library()


@register.simple_tag(takes_context=True)
def current_flow(ctx: dict[str, Any]) -> Any:
    """The user flow of the request being rendered."""
    return context.get_flow(ctx["request"])


@register.simple_tag(takes_context=True)
def flow_context(ctx: dict[str, Any]) -> Any:
    """What the authorize request asked for (client_id, login_hint, next)."""
    return context.get_context(ctx["request"])
