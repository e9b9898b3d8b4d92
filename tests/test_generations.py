"""Process-local caches tagged with configuration generations (ciam.generations)."""

from __future__ import annotations

import time

from ciam import generations


def _counter_loader():
    calls = []

    def load():
        calls.append(1)
        return len(calls)

    return calls, load


def test_a_cached_value_is_reused_until_its_scope_is_bumped(db):
    # given
    cache = generations.Cache()
    calls, load = _counter_loader()
    assert cache.get("scope-a", "k", load) == 1
    assert cache.get("scope-a", "k", load) == 1

    # when: a write in this process
    generations.bump("scope-a")

    # then: reloaded at once; other scopes keep their entries
    assert cache.get("scope-a", "k", load) == 2
    assert len(calls) == 2


def test_a_bump_by_another_process_is_seen_after_the_recheck_interval(db, settings):
    from django_redis import get_redis_connection

    # given
    settings.CIAM_GENERATION_RECHECK_SECONDS = 0.2
    cache = generations.Cache()
    calls, load = _counter_loader()
    cache.get("scope-b", "k", load)

    # when: another process bumps the counter in Redis
    get_redis_connection("default").incr(generations._key("scope-b"))

    # then: within the interval the entry may still serve, after it never
    time.sleep(0.25)
    assert cache.get("scope-b", "k", load) == 2


def test_a_bump_inside_a_transaction_is_repeated_after_commit(
    db, django_capture_on_commit_callbacks
):
    from django_redis import get_redis_connection

    redis = get_redis_connection("default")
    key = generations._key("scope-c")
    before = int(redis.get(key) or 0)
    with django_capture_on_commit_callbacks(execute=True):
        generations.bump("scope-c")
        assert int(redis.get(key)) == before + 1
    assert int(redis.get(key)) == before + 2


def test_a_none_result_is_cached_too(db):
    cache = generations.Cache()
    calls = []
    assert cache.get("scope-d", "missing", lambda: calls.append(1)) is None
    assert cache.get("scope-d", "missing", lambda: calls.append(1)) is None
    assert len(calls) == 1
