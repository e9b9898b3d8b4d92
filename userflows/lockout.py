"""Smart lockout in Redis.

Failures are counted per (account, source address) and per account. One address that
keeps failing locks only itself out of that account, with a delay that doubles with each
further failure. A burst of failures from many addresses locks the account against
unfamiliar addresses only: addresses that signed in successfully to the account before
(familiar) keep working, so an attacker cannot lock a customer out."""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache

PAIR_THRESHOLD = 5
ACCOUNT_THRESHOLD = 20
BASE_DELAY = 30
MAX_DELAY = 3600
FAILURE_WINDOW = 3600
FAMILIAR_TTL = 60 * 60 * 24 * 60
RISKY_FAILURES = 3


def _h(value: str) -> str:
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


def _delay(failures: int, threshold: int) -> int:
    return min(MAX_DELAY, BASE_DELAY * 2 ** max(0, failures - threshold))


def _incr(key: str, ttl: int) -> int:
    cache.add(key, 0, timeout=ttl)
    try:
        return cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=ttl)
        return 1


def locked_for(account: str, ip: str) -> int:
    """Seconds this address must still wait before trying this account (0 = allowed)."""
    now = time.time()
    until = cache.get(f"lock:pair:{_h(account)}:{_h(ip)}") or 0
    if not is_familiar(account, ip):
        until = max(until, cache.get(f"lock:acct:{_h(account)}") or 0)
    return max(0, int(until - now + 0.999))


def register_failure(account: str, ip: str) -> None:
    a, i = _h(account), _h(ip)
    pair = _incr(f"fail:pair:{a}:{i}", FAILURE_WINDOW)
    total = _incr(f"fail:acct:{a}", FAILURE_WINDOW)
    _incr(f"fail:recent:{a}", 900)
    if pair >= PAIR_THRESHOLD:
        cache.set(f"lock:pair:{a}:{i}", time.time() + _delay(pair, PAIR_THRESHOLD), MAX_DELAY)
    if total >= ACCOUNT_THRESHOLD:
        cache.set(f"lock:acct:{a}", time.time() + _delay(total, ACCOUNT_THRESHOLD), MAX_DELAY)


def register_success(account: str, ip: str) -> None:
    a, i = _h(account), _h(ip)
    cache.delete_many([f"fail:pair:{a}:{i}", f"lock:pair:{a}:{i}", f"fail:recent:{a}"])
    cache.set(f"familiar:{a}:{i}", 1, FAMILIAR_TTL)


def is_familiar(account: str, ip: str) -> bool:
    return bool(cache.get(f"familiar:{_h(account)}:{_h(ip)}"))


def recent_failures(account: str) -> int:
    return int(cache.get(f"fail:recent:{_h(account)}") or 0)
