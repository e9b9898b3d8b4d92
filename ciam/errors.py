"""The platform's handler for uncaught exceptions (`handler500` of every URL conf)."""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse
from django.views import defaults

from .generations import RedisUnavailable, _redis_errors
from .middleware import shared_state_unavailable


def server_error(request: HttpRequest) -> HttpResponse:
    """A Redis outage is not a server error: answer 503 at once (friendly page or JSON)
    so clients retry; anything else is the usual 500."""
    exc = sys.exc_info()[1]
    if isinstance(exc, (RedisUnavailable, *_redis_errors())):
        return shared_state_unavailable(request)
    return defaults.server_error(request)
