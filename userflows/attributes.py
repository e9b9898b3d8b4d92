"""Forms built from a flow's attribute list, and storing their values on the user."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from branding.resolve import attribute_text
from directory.models import CustomAttribute

from .models import FlowAttribute, UserFlow
from .services import BUILTIN_ATTRIBUTES


def _field(spec: FlowAttribute, custom: CustomAttribute | None) -> forms.Field:
    # the tenant's language customisation may relabel the attribute (branding)
    text = attribute_text(spec.attribute, "label", spec.label)
    label: Any = text
    if spec.link_url:
        label = format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', spec.link_url, text
        )
    common: dict[str, Any] = {"label": label, "required": spec.required}
    help_text = attribute_text(spec.attribute, "help_text", "")
    if help_text:
        common["help_text"] = help_text
    choices = [(c, c) for c in spec.choices]
    if spec.input_type == FlowAttribute.InputType.CHECKBOX:
        msg = _("You must agree to continue.") if spec.required else None
        return forms.BooleanField(**common, error_messages={"required": msg} if msg else None)
    if spec.input_type == FlowAttribute.InputType.RADIO:
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if spec.input_type == FlowAttribute.InputType.CHECKBOXES:
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if custom is not None and custom.data_type == CustomAttribute.DataType.INTEGER:
        return forms.IntegerField(**common)
    if custom is not None and custom.data_type == CustomAttribute.DataType.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if custom is not None and custom.data_type == CustomAttribute.DataType.BOOLEAN:
        return forms.BooleanField(**common)
    return forms.CharField(max_length=256, **common)


class AttributesForm(forms.Form):
    """The flow's attributes, in order; `initial` may carry values already known."""

    def __init__(self, *args: Any, flow: UserFlow, only_missing_for: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        specs = list(flow.attributes.all())
        customs = {
            c.name: c for c in CustomAttribute.objects.filter(name__in=[s.attribute for s in specs])
        }
        for spec in specs:
            if only_missing_for is not None and not missing(only_missing_for, spec):
                continue
            self.fields[spec.attribute] = _field(spec, customs.get(spec.attribute))


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def apply_values(user: Any, values: dict[str, Any]) -> list[str]:
    """Write collected values on the user (built-in fields or custom_attributes); returns
    the names of the built-in fields changed. Does not save."""
    changed = []
    custom = dict(user.custom_attributes or {})
    for name, value in values.items():
        if name in BUILTIN_ATTRIBUTES:
            setattr(user, name, (value or "")[:256])
            changed.append(name)
        else:
            custom[name] = _json_safe(value)
    user.custom_attributes = custom
    return changed


def current_values(user: Any, flow: UserFlow) -> dict[str, Any]:
    values = {}
    for spec in flow.attributes.all():
        if spec.attribute in BUILTIN_ATTRIBUTES:
            values[spec.attribute] = getattr(user, spec.attribute, "")
        elif spec.attribute in (user.custom_attributes or {}):
            values[spec.attribute] = user.custom_attributes[spec.attribute]
    return values


def missing(user: Any, spec: FlowAttribute) -> bool:
    if not spec.required:
        return False
    if spec.attribute in BUILTIN_ATTRIBUTES:
        return not getattr(user, spec.attribute, "")
    return spec.attribute not in (user.custom_attributes or {}) or (
        user.custom_attributes[spec.attribute] in (None, "", [], False)
    )
