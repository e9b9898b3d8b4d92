"""Outbound HTTP to addresses that tenant admins configure (JWKS URLs, OpenID Connect
issuers; later, custom authentication extensions).

An admin-supplied URL must not turn the platform into a proxy into its own network
(SSRF): only https, no redirects, and the host must resolve to public addresses only,
unless CIAM_OUTBOUND_ALLOW_PRIVATE is set (development and the test suite, whose peers
run on loopback). Responses are size-capped, and errors say nothing about what was
reached."""

from __future__ import annotations

import ipaddress
import json
import socket
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings

MAX_BYTES = 256 * 1024


class OutboundError(Exception):
    """The URL may not be fetched, or did not answer with usable JSON."""


def _public_only(host: str, port: int) -> None:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundError("The host name does not resolve.") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise OutboundError("The address is not a public internet address.")


def check_url(url: str) -> None:
    """Raise OutboundError unless the platform may call `url`."""
    parts = urlsplit(url)
    allow_private = getattr(settings, "CIAM_OUTBOUND_ALLOW_PRIVATE", False)
    if parts.scheme != "https" and not (allow_private and parts.scheme == "http"):
        raise OutboundError("Only https URLs are allowed.")
    if not parts.hostname:
        raise OutboundError("The URL has no host.")
    if not allow_private:
        _public_only(parts.hostname, parts.port or 443)


def get_json(url: str, *, timeout: float = 5, max_bytes: int = MAX_BYTES) -> Any:
    """GET `url` and parse its JSON body, within the rules above."""
    check_url(url)
    try:
        with requests.get(url, timeout=timeout, stream=True, allow_redirects=False) as response:
            if response.status_code != 200:
                raise OutboundError(f"The server answered with status {response.status_code}.")
            body = response.raw.read(max_bytes + 1, decode_content=True)
    except requests.RequestException as exc:
        raise OutboundError("The server could not be reached.") from exc
    if len(body) > max_bytes:
        raise OutboundError("The answer is too large.")
    try:
        return json.loads(body)
    except ValueError as exc:
        raise OutboundError("The answer is not JSON.") from exc


def get_text(
    url: str,
    *,
    timeout: float = 3,
    max_bytes: int = 2 * MAX_BYTES,
    headers: dict[str, str] | None = None,
) -> str:
    """GET `url` and return its body as text (UTF-8), within the rules above."""
    check_url(url)
    try:
        with requests.get(
            url, timeout=timeout, stream=True, allow_redirects=False, headers=headers
        ) as response:
            if response.status_code != 200:
                raise OutboundError(f"The server answered with status {response.status_code}.")
            body = response.raw.read(max_bytes + 1, decode_content=True)
    except requests.RequestException as exc:
        raise OutboundError("The server could not be reached.") from exc
    if len(body) > max_bytes:
        raise OutboundError("The answer is too large.")
    return body.decode("utf-8", "replace")
