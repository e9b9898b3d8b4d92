"""OpenID Connect Back-Channel Logout 1.0 and Front-Channel Logout 1.0.

When a user signs out through the end-session endpoint, every app that the same browser
session signed in to (authorization codes carry the session id, `sid`, which is also in
their ID tokens) is told:

* back channel: a signed logout token (typ `logout+jwt`, with `iss`, `aud`, `iat`, `exp`,
  `jti`, `sub`, `sid` and the back-channel logout event, never a `nonce`) POSTed as
  `logout_token` to the app's registered back-channel logout URI by a Celery task, which
  retries with backoff while the app is down (§2.8: the RP answers 200);
* front channel: the signed-out page loads the app's front-channel logout URI with `iss`
  and `sid` in an invisible iframe."""

from __future__ import annotations

import time
import uuid
from typing import Any
from urllib.parse import urlencode

from . import tokens
from .models import Application, Grant

BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"
LOGOUT_TOKEN_LIFETIME = 120


def apps_of_session(sid: str) -> list[Application]:
    """The apps this browser session (its `sid`) signed in to."""
    if not sid:
        return []
    app_ids = Grant.objects.filter(session_id=sid).values_list("application_id", flat=True)
    return list(Application.objects.filter(pk__in=set(app_ids)))


def logout_token(app: Application, issuer: str, sub: str, sid: str) -> str:
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": app.client_id,
        "iat": now,
        "exp": now + LOGOUT_TOKEN_LIFETIME,
        "jti": uuid.uuid4().hex,
        "sub": sub,
        "sid": sid,
        "tid": tokens.tenant_id(),
        "events": {BACKCHANNEL_EVENT: {}},
    }
    return tokens.sign(claims, app.algorithm, typ="logout+jwt")


def front_channel_urls(apps: list[Application], issuer: str, sid: str) -> list[str]:
    urls = []
    for app in apps:
        if app.frontchannel_logout_uri:
            sep = "&" if "?" in app.frontchannel_logout_uri else "?"
            urls.append(
                f"{app.frontchannel_logout_uri}{sep}{urlencode({'iss': issuer, 'sid': sid})}"
            )
    return urls


def notify_session_ended(apps: list[Application], issuer: str, sub: str, sid: str) -> None:
    """Queue one back-channel logout delivery per app that registered a URI."""
    from .tasks import deliver_logout_token_task

    for app in apps:
        if app.backchannel_logout_uri:
            token = logout_token(app, issuer, sub, sid)
            deliver_logout_token_task.delay(app.pk, token)


def deliver(app_pk: Any, token: str) -> bool:
    """POST the logout token; True when the app acknowledged it (HTTP 200/204)."""
    import requests

    from ciam.outbound import OutboundError, check_url

    app = Application.objects.filter(pk=app_pk).first()
    if app is None or not app.backchannel_logout_uri:
        return True  # nothing left to tell
    try:
        check_url(app.backchannel_logout_uri)
        response = requests.post(
            app.backchannel_logout_uri,
            data={"logout_token": token},
            timeout=5,
            allow_redirects=False,
        )
    except (OutboundError, requests.RequestException):
        return False
    return response.status_code in {200, 204}
