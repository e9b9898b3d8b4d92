"""What an event learns from its request: the client's address, operating system and
browser (ua-parser's built-in rules) and country (an offline IP database).

Country comes from a MaxMind-format database when the operator sets
`CIAM_GEOIP_DATABASE` (a .mmdb path; needs the `maxminddb` package), else from the
database that ships inside the `geoip2fast` package; addresses neither knows (private
ranges, loopback) are "unknown"."""

from __future__ import annotations

import ipaddress
import logging
import threading
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .models import UNKNOWN

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_geo: Any = None


def client_address(request: HttpRequest | None) -> str | None:
    """The customer's IP address. The one place to point at the platform's trusted-proxy
    logic (CIAM_TRUSTED_PROXIES) once it exists; today the socket peer."""
    if request is None:
        return None
    value = request.META.get("REMOTE_ADDR") or ""
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def parse_user_agent(user_agent: str) -> tuple[str, str]:
    """(operating system family, browser family), "unknown" when the rules do not say."""
    if not user_agent:
        return UNKNOWN, UNKNOWN
    from ua_parser import parse

    result = parse(user_agent[:512])
    os_name = result.os.family if result.os else ""
    browser = result.user_agent.family if result.user_agent else ""
    return (os_name or UNKNOWN)[:40], (browser or UNKNOWN)[:40]


class _MaxMind:
    def __init__(self, path: str) -> None:
        import maxminddb  # type: ignore[import-not-found]

        self.reader = maxminddb.open_database(path)

    def country(self, ip: str) -> str:
        record = self.reader.get(ip) or {}
        return ((record.get("country") or {}).get("iso_code") or "").upper()


class _GeoIP2Fast:
    def __init__(self) -> None:
        from geoip2fast import GeoIP2Fast

        self.reader = GeoIP2Fast(verbose=False)

    def country(self, ip: str) -> str:
        code = self.reader.lookup(ip).country_code or ""
        return code if len(code) == 2 and code.isalpha() else ""


def _reader() -> Any:
    global _geo
    if _geo is None:
        with _lock:
            if _geo is None:
                path = getattr(settings, "CIAM_GEOIP_DATABASE", "")
                try:
                    _geo = _MaxMind(path) if path else _GeoIP2Fast()
                except Exception:  # a missing file or package must never break sign-in
                    logger.exception("No IP country database; countries are 'unknown'")
                    _geo = False
    return _geo


@lru_cache(maxsize=65536)
def country_of(ip: str | None) -> str:
    """ISO 3166 alpha-2 country code of `ip`, or "unknown"."""
    if not ip:
        return UNKNOWN
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return UNKNOWN
    if not address.is_global:
        return UNKNOWN
    reader = _reader()
    if not reader:
        return UNKNOWN
    try:
        return reader.country(str(address)) or UNKNOWN
    except Exception:
        return UNKNOWN
