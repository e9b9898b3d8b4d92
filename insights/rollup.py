"""Rolling events up into `HourlyCount` and `ActiveUserDay`, in the current tenant schema.

* Incremental: a worker claims a batch of pending events with
  `SELECT … FOR UPDATE SKIP LOCKED`, adds them to their hour's counters (the hour they
  occurred in, so a late event lands in its own window), records the users active on their
  UTC day, and marks them rolled up — all in one transaction, so each event counts exactly
  once however many workers run.
* Idempotent rebuild: `rebuild(since)` clears the roll-ups from `since` on and rolls the
  retained events up again (under an exclusive advisory lock that batches wait for), so
  re-running any window gives the same numbers.
* Token counters: app-only token issuances live in Redis per (tenant, hour) until
  `drain_token_counters` copies them (absolute values, so re-draining is harmless)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .services import _redis, token_counter_prefix

# Kinds whose user counts as active on the event's day.
ACTIVE_KINDS = ("signin.succeeded", "signup.completed")
COUNTER_METRIC = "token.issued.counter"  # drained from Redis, never rebuilt from events

_LOCK = "hashtext(current_schema() || ':insights')"

_ROLL_UP_SQL = """
WITH claimed AS (
    SELECT id FROM insights_event
    WHERE NOT rolled_up
    ORDER BY occurred_at
    LIMIT %(batch)s
    FOR UPDATE SKIP LOCKED
), marked AS (
    UPDATE insights_event e SET rolled_up = true
    FROM claimed c WHERE e.id = c.id
    RETURNING e.kind, e.user_id, e.client_id, e.occurred_at, e.method, e.detail, e.os,
              e.country
), counted AS (
    INSERT INTO insights_hourlycount
        (hour, metric, client_id, os, country, method, detail, count)
    SELECT date_trunc('hour', occurred_at), kind, client_id, os, country, method, detail,
           count(*)
    FROM marked
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT (hour, metric, client_id, os, country, method, detail)
    DO UPDATE SET count = insights_hourlycount.count + EXCLUDED.count
    RETURNING 1
), active AS (
    INSERT INTO insights_activeuserday (day, user_id, client_id, os, country)
    SELECT DISTINCT (occurred_at AT TIME ZONE 'UTC')::date, user_id, client_id, os, country
    FROM marked
    WHERE user_id IS NOT NULL AND kind IN ('signin.succeeded', 'signup.completed')
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT (SELECT count(*) FROM marked), (SELECT count(*) FROM counted),
       (SELECT count(*) FROM active)
"""


def _utc_session(cursor) -> None:
    # date_trunc on timestamptz follows the session time zone: hours are UTC hours.
    cursor.execute("SET LOCAL TIME ZONE 'UTC'")


def roll_up_batch(batch: int | None = None) -> int:
    """Claim and roll up at most `batch` pending events; the number rolled up."""
    batch = batch or settings.CIAM_INSIGHTS_BATCH_SIZE
    with transaction.atomic(), connection.cursor() as cursor:
        _utc_session(cursor)
        cursor.execute(f"SELECT pg_advisory_xact_lock_shared({_LOCK})")
        cursor.execute(_ROLL_UP_SQL, {"batch": batch})
        return int(cursor.fetchone()[0])


def roll_up_pending(batch: int | None = None, *, max_batches: int | None = None) -> int:
    """Roll up pending events until none is left (or `max_batches`); the count."""
    total = 0
    done = 0
    while max_batches is None or done < max_batches:
        rolled = roll_up_batch(batch)
        total += rolled
        done += 1
        if not rolled:
            break
    return total


def retention_horizon() -> datetime.date:
    """The first UTC day whose raw events are all still retained."""
    days = settings.CIAM_INSIGHTS_RETENTION_DAYS
    return (timezone.now() - datetime.timedelta(days=days)).astimezone(datetime.UTC).date() + (
        datetime.timedelta(days=1)
    )


def rebuild(
    since: datetime.date,
    *,
    batch: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[datetime.date, int]:
    """Recompute the roll-ups from UTC day `since` (clamped to the retention horizon, since
    older raw events are gone and their aggregates must stay) in one transaction.
    Returns (the day actually rebuilt from, events rolled up). `progress(done, total)` is
    called after each batch."""
    since = max(since, retention_horizon())
    start = datetime.datetime.combine(since, datetime.time.min, tzinfo=datetime.UTC)
    batch = batch or settings.CIAM_INSIGHTS_BATCH_SIZE
    with transaction.atomic(), connection.cursor() as cursor:
        _utc_session(cursor)
        cursor.execute(f"SELECT pg_advisory_xact_lock({_LOCK})")
        cursor.execute(
            "DELETE FROM insights_hourlycount WHERE hour >= %s AND metric <> %s",
            [start, COUNTER_METRIC],
        )
        cursor.execute("DELETE FROM insights_activeuserday WHERE day >= %s", [since])
        cursor.execute(
            "UPDATE insights_event SET rolled_up = false WHERE occurred_at >= %s AND rolled_up",
            [start],
        )
        cursor.execute("SELECT count(*) FROM insights_event WHERE NOT rolled_up")
        total = int(cursor.fetchone()[0])
        done = 0
        while True:
            cursor.execute(_ROLL_UP_SQL, {"batch": batch})
            rolled = int(cursor.fetchone()[0])
            if not rolled:
                break
            done += rolled
            if progress is not None:
                progress(done, total)
    return since, done


def purge_old_events(batch: int = 10000) -> int:
    """Delete rolled-up events older than the retention period, `batch` rows per
    transaction (short locks, no long-running delete)."""
    cutoff = timezone.now() - datetime.timedelta(days=settings.CIAM_INSIGHTS_RETENTION_DAYS)
    total = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                """DELETE FROM insights_event WHERE id IN (
                       SELECT id FROM insights_event
                       WHERE rolled_up AND occurred_at < %s
                       LIMIT %s FOR UPDATE SKIP LOCKED)""",
                [cutoff, batch],
            )
            deleted = cursor.rowcount
        total += deleted
        if deleted < batch:
            return total


def drain_token_counters() -> int:
    """Copy this tenant's Redis token counters into `HourlyCount` (metric
    `token.issued.counter`). Counters are cumulative per hour and kept for three days, and
    the copy keeps the larger of the stored and the counted value, so draining twice,
    concurrently or after a crash gives the same numbers. Returns the rows written."""
    client = _redis()
    pattern = f"{token_counter_prefix(connection.schema_name)}:*"
    rows: list[tuple] = []
    for key in client.scan_iter(match=pattern, count=500):
        name = key.decode() if isinstance(key, bytes) else key
        hour = datetime.datetime.strptime(name.rsplit(":", 1)[1], "%Y%m%d%H").replace(
            tzinfo=datetime.UTC
        )
        for field, value in client.hgetall(key).items():
            field = field.decode() if isinstance(field, bytes) else field
            client_id, _, grant = field.partition("\x1f")
            rows.append((hour, COUNTER_METRIC, client_id[:100], grant[:40], int(value)))
    if not rows:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            """INSERT INTO insights_hourlycount
                   (hour, metric, client_id, os, country, method, detail, count)
               VALUES (%s, %s, %s, 'unknown', 'unknown', '', %s, %s)
               ON CONFLICT (hour, metric, client_id, os, country, method, detail)
               DO UPDATE SET count = GREATEST(insights_hourlycount.count, EXCLUDED.count)""",
            rows,
        )
    return len(rows)
