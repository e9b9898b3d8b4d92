"""One confirmation step for every destructive admin action.

A GET on a delete/revoke/remove URL renders `admincenter/confirm.html`: what is about to go,
what stops working with it, a Cancel link and a plain POST form back to the same URL (no
script needed). The POST performs the action as before.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def confirm_page(
    request: HttpRequest,
    *,
    question: str,
    consequences: str,
    action_label: str,
    cancel_url: str,
    hidden: dict[str, str] | None = None,
) -> HttpResponse:
    """Render the confirmation for a destructive action; its form POSTs back to this URL
    with the `hidden` fields."""
    return render(
        request,
        "admincenter/confirm.html",
        {
            "question": question,
            "consequences": consequences,
            "action_label": action_label,
            "cancel_url": cancel_url,
            "hidden": sorted((hidden or {}).items()),
        },
    )
