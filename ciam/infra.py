"""Connection settings for the shared state (PostgreSQL, Redis) in the shapes a cluster
needs, read from the environment by ciam/settings.py. Knows no app.

PostgreSQL: `DATABASE_URL` may name several hosts, as libpq's multi-host connection
strings do, to follow a primary that moves (failover to a promoted standby):

    postgres://ciam@db1:5432,db2:5432/ciam?target_session_attrs=read-write

libpq tries the hosts in order and keeps the first that accepts writes.

Redis: `REDIS_URL` as usual, or Sentinel for automatic failover: `REDIS_SENTINELS`
(`host:port,host:port`) and `REDIS_SENTINEL_MASTER` (the monitored name); the cache,
sessions, rate limits, configuration generations and the Celery broker then ask the
Sentinels for the current primary and reconnect after a failover. Every Redis connection
has short connect and read timeouts (`REDIS_SOCKET_TIMEOUT`, default 0.5 s), so a Redis
that does not answer costs a request half a second, not a hang."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import dj_database_url


def database_config(url: str, *, conn_max_age: int) -> dict[str, Any]:
    """Django's DATABASES entry for `url`; several comma-separated hosts are passed to
    libpq as its multi-host lists (dj-database-url reads only one host)."""
    parts = urlsplit(url)
    hosts = parts.netloc.rsplit("@", 1)[-1]
    if "," not in hosts:
        return dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
    userinfo = parts.netloc.rsplit("@", 1)[0] if "@" in parts.netloc else ""
    user, _, password = userinfo.partition(":")
    names, ports = [], []
    for item in hosts.split(","):
        name, _, port = item.rpartition(":") if ":" in item else (item, "", "5432")
        names.append(name)
        ports.append(port or "5432")
    options = dict(parse_qsl(parts.query))
    return {
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(user),
        "PASSWORD": unquote(password),
        "HOST": ",".join(names),
        "PORT": ",".join(ports),
        "OPTIONS": options,
        "CONN_MAX_AGE": conn_max_age,
        "CONN_HEALTH_CHECKS": True,
    }


def redis_sentinels() -> list[tuple[str, int]]:
    raw = os.environ.get("REDIS_SENTINELS", "")
    out = []
    for item in filter(None, (p.strip() for p in raw.split(","))):
        host, _, port = item.rpartition(":")
        out.append((host, int(port)))
    return out


def redis_socket_timeout() -> float:
    return float(os.environ.get("REDIS_SOCKET_TIMEOUT") or 0.5)


def cache_location_and_options(redis_url: str) -> tuple[str, dict[str, Any]]:
    """django-redis LOCATION and OPTIONS: a plain Redis, or the Sentinel-monitored primary."""
    timeout = redis_socket_timeout()
    options: dict[str, Any] = {
        "SOCKET_CONNECT_TIMEOUT": timeout,
        "SOCKET_TIMEOUT": timeout,
    }
    sentinels = redis_sentinels()
    from ciam import redisfast  # connections that fail fast once Redis stops answering

    if not sentinels:
        options["CLIENT_CLASS"] = "django_redis.client.DefaultClient"
        options["CONNECTION_POOL_KWARGS"] = {"connection_class": redisfast.FastFailConnection}
        return redis_url, options
    master = os.environ.get("REDIS_SENTINEL_MASTER", "ciam")
    db = urlsplit(redis_url).path.lstrip("/") or "0"
    options.update(
        {
            "CLIENT_CLASS": "django_redis.client.SentinelClient",
            "SENTINELS": sentinels,
            "SENTINEL_KWARGS": {"socket_timeout": timeout},
            "CONNECTION_POOL_CLASS": "redis.sentinel.SentinelConnectionPool",
            "CONNECTION_POOL_KWARGS": {"connection_class": redisfast.FastFailSentinelConnection},
        }
    )
    return f"redis://{master}/{db}", options


def celery_broker(redis_url: str) -> tuple[str, dict[str, Any]]:
    """Celery's broker URL and transport options for the same Redis."""
    sentinels = redis_sentinels()
    timeout = redis_socket_timeout()
    if not sentinels:
        return redis_url, {}
    master = os.environ.get("REDIS_SENTINEL_MASTER", "ciam")
    db = int(urlsplit(redis_url).path.lstrip("/") or 0)
    url = ";".join(f"sentinel://{h}:{p}/{db}" for h, p in sentinels)
    return url, {"master_name": master, "sentinel_kwargs": {"socket_timeout": timeout}}
