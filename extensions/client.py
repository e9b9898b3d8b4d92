"""The one place where the platform calls a tenant's REST API (the shape of saleor's
synchronous webhook transport): a signed bearer token, a pooled HTTP client with connect
and read timeouts, no redirects, a size cap on the answer, one retry on a connection
failure when configured, the circuit breaker, contract validation and the call log.

Caller authentication (docs/extensions.md): `Authorization: Bearer <JWT>` signed RS256
with the tenant's active signing key (published in the tenant's JWKS), with `iss` the
tenant issuer of the journey, `aud` the extension's app ID URI, `azp` and `appid` our
fixed caller id CALLER_ID (Entra puts its "authentication events" service id there),
`tid` the tenant id, and a 5-minute `exp`."""

from __future__ import annotations

import atexit
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import requests
import urllib3
from django.conf import settings
from django.utils import timezone
from requests.adapters import HTTPAdapter

from applications import tokens
from ciam import outbound
from ciam.schemas import current_schema

from . import breaker, contracts
from .config import ExtensionSpec
from .models import CallLog

logger = logging.getLogger(__name__)

# Our "custom authentication extensions" caller id, in `azp` (v2) and `appid` (v1) of
# every call's bearer token, in place of Entra's 99045fe1-7639-4a75-9d4a-577b6ca3810f.
CALLER_ID = "5b0b2a4e-7d6c-4f3a-9c1e-ce0a17e5a0b1"
TOKEN_LIFETIME_SECONDS = 300
USER_AGENT = "ciam-custom-extensions/1.0"


def max_response_bytes() -> int:
    return int(getattr(settings, "CIAM_EXTENSION_MAX_RESPONSE_BYTES", 64 * 1024))


_local = threading.local()


def _session() -> requests.Session:
    """A keep-alive session per thread (urllib3 pools its connections per host)."""
    session = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        session.trust_env = False  # no proxies or .netrc from the environment
        adapter = HTTPAdapter(pool_connections=32, pool_maxsize=8, max_retries=0)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        _local.session = session
    return session


# (schema, issuer, audience) -> (valid until, token): signing costs an RSA operation.
_bearer_cache: dict[tuple[str, str, str], tuple[float, str]] = {}


def bearer_token(issuer: str, audience: str) -> str:
    key = (current_schema(), issuer, audience)
    now = time.time()
    cached = _bearer_cache.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    issued = int(now)
    claims = {
        "iss": issuer,
        "aud": audience,
        "azp": CALLER_ID,
        "appid": CALLER_ID,
        "sub": CALLER_ID,
        "oid": CALLER_ID,
        "idtyp": "app",
        "tid": tokens.tenant_id(),
        "iat": issued,
        "nbf": issued,
        "exp": issued + TOKEN_LIFETIME_SECONDS,
        "jti": uuid.uuid4().hex,
        "ver": "2.0",
    }
    token = tokens.sign(claims, "RS256")
    if len(_bearer_cache) > 10000:
        _bearer_cache.clear()
    # Reused until a minute before expiry, so an API never receives an expired token.
    _bearer_cache[key] = (now + TOKEN_LIFETIME_SECONDS - 60, token)
    return token


@dataclass
class CallResult:
    ok: bool
    answer: contracts.Answer | None = None
    error: str = ""
    http_status: int | None = None
    latency_ms: float = 0.0
    skipped: bool = False
    request_body: dict[str, Any] = field(default_factory=dict)
    request_headers: dict[str, str] = field(default_factory=dict)
    response_text: str = ""
    correlation_id: str = ""


class _Failure(Exception):
    def __init__(self, message: str, status: int | None = None, text: str = "") -> None:
        super().__init__(message)
        self.message, self.status, self.text = message, status, text


def call(
    spec: ExtensionSpec,
    event: str,
    body: dict[str, Any],
    *,
    issuer: str,
    correlation_id: str,
    is_test: bool = False,
) -> CallResult:
    """POST `body` to the extension and validate the answer for `event`. Never raises for
    the API's faults: the result says what happened, and the call is logged."""
    schema = current_schema()
    result = CallResult(ok=False, request_body=body, correlation_id=correlation_id)
    if not is_test and not breaker.allow(schema, spec.id, spec.timeout_ms):
        result.skipped = True
        result.error = "Skipped: the circuit breaker is open after repeated failures."
        _log(spec, event, result, is_test)
        return result
    started = time.perf_counter()
    try:
        outbound.check_url(spec.target_url)
        headers = {
            "Authorization": f"Bearer {bearer_token(issuer, spec.app_id_uri)}",
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
            "client-request-id": correlation_id,
        }
        result.request_headers = {**headers, "Authorization": "Bearer <signed JWT>"}
        status, text = _post(spec, json.dumps(body).encode(), headers)
        result.http_status, result.response_text = status, text
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise _Failure("The answer is not valid JSON.", status, text) from exc
        result.answer = contracts.parse_answer(event, document)
        result.ok = True
    except outbound.OutboundError as exc:
        result.error = f"Target refused: {exc}"
    except _Failure as exc:
        result.error = exc.message
        result.http_status = exc.status if exc.status is not None else result.http_status
        result.response_text = exc.text or result.response_text
    except contracts.ContractError as exc:
        result.error = exc.message + (f" (error {exc.code})" if exc.code else "")
    result.latency_ms = (time.perf_counter() - started) * 1000
    if not is_test:
        if result.ok:
            breaker.record_success(schema, spec.id)
        elif breaker.record_failure(schema, spec.id):
            result.error += " The circuit breaker opened."
    _log(spec, event, result, is_test)
    return result


def _post(spec: ExtensionSpec, data: bytes, headers: dict[str, str]) -> tuple[int, str]:
    seconds = spec.timeout_ms / 1000
    cap = max_response_bytes()
    attempts = 1 + spec.max_retries
    for attempt in range(attempts):
        try:
            with _session().post(
                spec.target_url,
                data=data,
                headers=headers,
                timeout=(seconds, seconds),
                allow_redirects=False,
                stream=True,
            ) as response:
                raw = response.raw.read(cap + 1, decode_content=True)
                status = response.status_code
                content_type = response.headers.get("Content-Type", "")
        except requests.exceptions.ConnectionError as exc:
            # Only a failed connection is retried (the API never saw the request); a
            # timeout while waiting for the answer is not, since the API may have acted.
            if attempt + 1 < attempts:
                continue
            if isinstance(exc, requests.exceptions.ConnectTimeout):
                raise _Failure("The API did not accept the connection in time.") from exc
            raise _Failure("The API could not be reached.") from exc
        except (requests.exceptions.Timeout, urllib3.exceptions.ReadTimeoutError) as exc:
            raise _Failure(f"The API did not answer within {spec.timeout_ms} ms.") from exc
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise _Failure("The call failed.") from exc
        text = raw[:cap].decode("utf-8", errors="replace")
        if len(raw) > cap:
            raise _Failure(f"The answer is larger than {cap} bytes.", status, text[:2000])
        if status != 200:
            raise _Failure(f"The API answered with HTTP status {status}.", status, text)
        if "json" not in content_type.lower():
            raise _Failure(
                f"The answer's content type is {content_type!r}, not application/json "
                "(error 1003006).",
                status,
                text,
            )
        return status, text
    raise _Failure("The API could not be reached.")


def _log(spec: ExtensionSpec, event: str, result: CallResult, is_test: bool) -> None:
    if result.skipped:
        outcome = CallLog.Outcome.SKIPPED
    else:
        outcome = CallLog.Outcome.SUCCESS if result.ok else CallLog.Outcome.FAILURE
    row = {
        "extension_id": spec.id,
        "event": event,
        "correlation_id": result.correlation_id[:64],
        "outcome": outcome,
        "http_status": result.http_status,
        "latency_ms": round(result.latency_ms),
        "error": result.error[:500],
        "is_test": is_test,
        "created_at": timezone.now(),
    }
    pending = getattr(_deferred, "rows", None)
    if pending is None or is_test:  # the Test page shows its own row at once
        CallLog.objects.create(**row)
    else:
        pending.append((current_schema(), row))


# -- the call log is written once the response is on its way ----------------------------------
# Inside a web request rows wait for Django's request_finished signal, which the WSGI server
# sends after the response was sent: the customer (or the token endpoint's client) never
# waits for the insert. They are then written in batches, at most every
# CIAM_EXTENSION_CALL_LOG_BATCH_SECONDS (default 1; 0 writes at every request end), so a
# busy worker pays one insert for many calls; a process that exits writes what it holds.
# Elsewhere (Celery, commands) rows are written at once. A row is a log line, never
# business data: nothing depends on it.
_deferred = threading.local()
_batch: list[tuple[str, dict[str, Any]]] = []
_batch_lock = threading.Lock()
_batch_since = [0.0]


def request_started(**kwargs: Any) -> None:
    _deferred.rows = []


def request_finished(**kwargs: Any) -> None:
    rows = getattr(_deferred, "rows", None)
    _deferred.rows = None
    wait = float(getattr(settings, "CIAM_EXTENSION_CALL_LOG_BATCH_SECONDS", 1.0))
    now = time.monotonic()
    with _batch_lock:
        if rows:
            if not _batch:
                _batch_since[0] = now
            _batch.extend(rows)
        if not _batch or now - _batch_since[0] < wait:
            return
        taken = list(_batch)
        _batch.clear()
    write_call_logs(taken)


def flush_call_logs() -> None:
    """Write the rows held by this process (at exit, and for tests)."""
    with _batch_lock:
        taken = list(_batch)
        _batch.clear()
    if taken:
        write_call_logs(taken)


atexit.register(flush_call_logs)


def write_call_logs(rows: list[tuple[str, dict[str, Any]]]) -> None:
    from django_tenants.utils import schema_context

    by_schema: dict[str, list[CallLog]] = {}
    for schema, row in rows:
        by_schema.setdefault(schema, []).append(CallLog(**row))
    for schema, logs in by_schema.items():
        try:
            with schema_context(schema):
                CallLog.objects.bulk_create(logs)
        except Exception:  # a log line must never break the response
            logger.exception("Could not write %d extension call log rows", len(logs))
