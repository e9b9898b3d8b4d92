"""Panels that higher apps add to the admin center's overview page. The directory owns the
page but may not import them, so they register a function in their AppConfig.ready; the
function returns {"template": …, …context} or None (e.g. without the permission)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

Panel = Callable[[HttpRequest], dict[str, Any] | None]
_PANELS: list[Panel] = []


def register_panel(panel: Panel) -> None:
    if panel not in _PANELS:
        _PANELS.append(panel)


def panels(request: HttpRequest) -> list[dict[str, Any]]:
    return [p for p in (panel(request) for panel in _PANELS) if p is not None]
