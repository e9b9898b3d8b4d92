"""Outbound HTTP to addresses that tenant admins configure (JWKS URLs, OpenID Connect
issuers and every endpoint of their discovery documents; later, custom authentication
extensions).

An admin-supplied URL must not turn the platform into a proxy into its own network
(SSRF): only https, no redirects, and the host must resolve to public addresses only,
unless CIAM_OUTBOUND_ALLOW_PRIVATE is set (development and the test suite, whose peers
run on loopback). Responses are size-capped, and errors say nothing about what was
reached.

Every connection goes through `session()`: its transport adapter resolves the host once,
checks every address, and connects to the checked address (TLS still verifies the
certificate for the name and sends it as SNI; the Host header keeps the name), so a DNS
answer that changes between the check and the connect (rebinding) is never used.
IPv6 forms that carry an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64, 6to4,
Teredo) are judged by the IPv4 address they carry."""

from __future__ import annotations

import ipaddress
import json
import socket
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter

MAX_BYTES = 256 * 1024
TIMEOUT = 5.0

_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


class OutboundError(Exception):
    """The URL may not be fetched, or did not answer with usable JSON."""


class OutboundRefused(requests.exceptions.ConnectionError):
    """A connection the rules above refuse. A RequestException, so that callers that
    handle a failed HTTP call (allauth's provider views) treat it as one."""


def _allow_private() -> bool:
    return bool(getattr(settings, "CIAM_OUTBOUND_ALLOW_PRIVATE", False))


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for a globally routable address, judging embedded IPv4 addresses too."""
    if isinstance(address, ipaddress.IPv6Address):
        if address in _NAT64_LOCAL:
            return False
        embedded: ipaddress.IPv4Address | None = None
        if address.ipv4_mapped is not None:
            embedded = address.ipv4_mapped
        elif address in _IPV4_COMPATIBLE or address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        elif address.sixtofour is not None:
            embedded = address.sixtofour
        elif address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is not None and not embedded.is_global:
            return False
    return address.is_global


def resolve(host: str, port: int) -> str:
    """Resolve `host` once and return the address to connect to, after checking that
    every address it resolves to is public (unless private addresses are allowed)."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundError("The host name does not resolve.") from exc
    if not infos:
        raise OutboundError("The host name does not resolve.")
    if not _allow_private():
        for info in infos:
            if not is_public_address(ipaddress.ip_address(info[4][0].split("%", 1)[0])):
                raise OutboundError("The address is not a public internet address.")
    return str(infos[0][4][0])


def _host_and_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme != "https" and not (_allow_private() and parts.scheme == "http"):
        raise OutboundError("Only https URLs are allowed.")
    if not parts.hostname:
        raise OutboundError("The URL has no host.")
    try:
        return parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise OutboundError("The URL has an invalid port.") from exc


def check_url(url: str) -> None:
    """Raise OutboundError unless the platform may call `url` (as it resolves now)."""
    host, port = _host_and_port(url)
    if not _allow_private():
        resolve(host, port)


class PinnedAdapter(HTTPAdapter):
    """Checks each request's URL, resolves the host once and connects to that address;
    refuses redirects and answers larger than `max_bytes`."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        super().__init__(max_retries=0)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        name = getattr(request, "ciam_tls_name", None)
        if name and host_params.get("scheme") == "https":
            pool_kwargs["server_hostname"] = name
            pool_kwargs["assert_hostname"] = name
        return host_params, pool_kwargs

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        url = request.url or ""
        parts = urlsplit(url)
        try:
            host, port = _host_and_port(url)
            address = resolve(host, port)
        except OutboundError as exc:
            raise OutboundRefused(str(exc), request=request) from exc
        literal = f"[{address}]" if ":" in address else address
        request.url = urlunsplit(parts._replace(netloc=f"{literal}:{port}"))
        request.headers["Host"] = f"{host}:{parts.port}" if parts.port else host
        request.ciam_tls_name = host
        response = super().send(
            request, stream=True, timeout=timeout or TIMEOUT, verify=True, cert=None, proxies={}
        )
        response.url = url
        request.url = url
        if 300 <= response.status_code < 400:
            response.close()
            raise OutboundRefused("The server answered with a redirect.", request=request)
        try:
            body = response.raw.read(self.max_bytes + 1, decode_content=True)
        except Exception as exc:  # urllib3 errors while reading the body
            response.close()
            raise OutboundRefused("The server could not be read.", request=request) from exc
        response.close()
        if len(body) > self.max_bytes:
            raise OutboundRefused("The answer is too large.", request=request)
        response._content = body
        response._content_consumed = True
        return response


class OutboundSession(requests.Session):
    """A requests session for admin-configured URLs: no proxies from the environment, no
    redirects, a default timeout, every connection through PinnedAdapter."""

    def __init__(self, *, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES) -> None:
        super().__init__()
        self.trust_env = False
        self.max_redirects = 0
        self.default_timeout = timeout
        adapter = PinnedAdapter(max_bytes=max_bytes)
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def request(self, method, url, *args, **kwargs):  # type: ignore[override]
        kwargs.setdefault("timeout", self.default_timeout)
        kwargs["allow_redirects"] = False
        return super().request(method, url, *args, **kwargs)


def session(*, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES) -> OutboundSession:
    return OutboundSession(timeout=timeout, max_bytes=max_bytes)


def get_json(url: str, *, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES) -> Any:
    """GET `url` and parse its JSON body, within the rules above."""
    try:
        with session(timeout=timeout, max_bytes=max_bytes) as http:
            response = http.get(url)
    except OutboundRefused as exc:
        raise OutboundError(str(exc)) from exc
    except requests.RequestException as exc:
        raise OutboundError("The server could not be reached.") from exc
    if response.status_code != 200:
        raise OutboundError(f"The server answered with status {response.status_code}.")
    try:
        return json.loads(response.content)
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
