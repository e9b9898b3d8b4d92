"""Template helpers of the customer pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def widget_with_hint(field: Any, hint: str) -> Any:
    """Render a form field's widget with `hint` as its placeholder and its help text
    linked for assistive technology (aria-describedby)."""
    attrs: dict[str, str] = {}
    if hint:
        attrs["placeholder"] = hint
    if getattr(field, "help_text", ""):
        attrs["aria-describedby"] = f"{field.auto_id}_help"
    if getattr(field, "errors", None):
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs) if attrs else field


@register.filter
def widget_without_help(field: Any) -> Any:
    """The widget alone, for a field whose help text the page does not show."""
    return field.as_widget()
