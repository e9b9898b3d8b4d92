"""The platform's handler for uncaught exceptions (`handler500` of every URL conf)."""

from __future__ import annotations

import logging
import sys

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render

from .generations import RedisUnavailable, _redis_errors
from .middleware import shared_state_unavailable

logger = logging.getLogger(__name__)


def server_error(request: HttpRequest) -> HttpResponse:
    """A Redis outage is not a server error: answer 503 at once (friendly page or JSON)
    so clients retry. Anything else is a 500 with the friendly (branded, when the tenant
    is known) page, rendered with the request's context; if even that fails, plain text."""
    exc = sys.exc_info()[1]
    if isinstance(exc, (RedisUnavailable, *_redis_errors())):
        return shared_state_unavailable(request)
    try:
        return render(request, "500.html", status=500)
    except Exception:
        logger.exception("the 500 page could not be rendered")
        return HttpResponseServerError(
            "Something went wrong on our side. Please try again.", content_type="text/plain"
        )
