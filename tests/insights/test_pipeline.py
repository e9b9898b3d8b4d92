"""Recording, concurrent roll-up workers, retention, token counters, the beat fan-out and
the rebuild command."""

from __future__ import annotations

import datetime
import threading
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test import RequestFactory
from django.utils import timezone

from insights import reports, rollup
from insights.models import ActiveUserDay, Event, HourlyCount
from insights.reports import Window
from insights.services import count_app_token, record_event

from .conftest import clear_insights
from .oracle import UA


def test_an_event_knows_os_browser_and_country_from_its_request(tenant):
    request = RequestFactory().get("/", HTTP_USER_AGENT=UA["iphone"], REMOTE_ADDR="81.2.69.160")
    with tenant.context():
        event = record_event(
            "signin.succeeded",
            request=request,
            client_id="app-1",
            data={"method": "password", "client_type": "browser"},
        )
    assert (event.os, event.browser, event.country) == ("iOS", "Mobile Safari", "GB")
    assert (event.method, event.detail) == ("password", "browser")


def test_private_addresses_and_missing_user_agents_are_unknown(tenant):
    request = RequestFactory().get("/", REMOTE_ADDR="192.168.1.9")
    with tenant.context():
        event = record_event("signin.failed", request=request, data={"reason": "locked"})
    assert (event.os, event.browser, event.country, event.detail) == (
        "unknown",
        "unknown",
        "unknown",
        "locked",
    )


@pytest.fixture
def committed(tenants_setup, django_db_blocker):
    """Committed rows (threads see them); insights tables emptied before and after."""
    with django_db_blocker.unblock():
        for info in tenants_setup:
            with info.context():
                clear_insights()
        yield tenants_setup
        for info in tenants_setup:
            with info.context():
                clear_insights()
        connection.set_schema_to_public()


def test_two_workers_claiming_at_once_count_each_event_once(committed):
    tenant = committed[0]
    start = timezone.now() - datetime.timedelta(days=3)
    with tenant.context():
        Event.objects.bulk_create(
            Event(
                kind="signin.succeeded",
                client_id=f"app-{i % 3}",
                occurred_at=start + datetime.timedelta(minutes=i),
            )
            for i in range(3000)
        )
    totals: list[int] = []
    barrier = threading.Barrier(2)
    test_database = connection.settings_dict["NAME"]

    def worker() -> None:
        connections["default"].settings_dict["NAME"] = test_database
        try:
            with tenant.context():
                barrier.wait()
                totals.append(rollup.roll_up_pending(batch=50))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with tenant.context():
        assert sum(totals) == 3000
        assert all(totals)  # both workers took part
        want = Counter(
            ((start + datetime.timedelta(minutes=i)).date(), f"app-{i % 3}") for i in range(3000)
        )
        rows = reports.counts(
            ("signin.succeeded",), Window(start.date(), timezone.now().date()), ("client_id",)
        )
        assert {(r["date"], r["client_id"]): r["count"] for r in rows} == dict(want)


def test_old_events_are_purged_in_batches_and_their_roll_ups_kept(tenant, settings):
    settings.CIAM_INSIGHTS_RETENTION_DAYS = 30
    old = timezone.now() - datetime.timedelta(days=40)
    with tenant.context():
        clear_insights()
        for i in range(5):
            record_event("signup.completed", user_id=None, occurred_at=old, data={"i": i})
        record_event("signup.completed", occurred_at=timezone.now())
        rollup.roll_up_pending()
        assert rollup.purge_old_events(batch=2) == 5
        assert Event.objects.count() == 1
        # a rebuild from before the horizon keeps the purged days' numbers
        since, _ = rollup.rebuild(old.date())
        assert since > old.date()
        rows = reports.counts(("signup.completed",), Window(old.date(), old.date()))
        assert [r["count"] for r in rows] == [5]


def test_pending_events_are_never_purged(tenant, settings):
    settings.CIAM_INSIGHTS_RETENTION_DAYS = 30
    with tenant.context():
        clear_insights()
        record_event("signup.completed", occurred_at=timezone.now() - datetime.timedelta(days=99))
        assert rollup.purge_old_events() == 0


def test_app_token_counters_drain_idempotently(tenant, other_tenant):
    at = datetime.datetime(2026, 1, 2, 3, 4, tzinfo=datetime.UTC)
    with tenant.context():
        clear_insights()
        for _ in range(3):
            count_app_token("daemon-1", "client_credentials", at=at)
    with other_tenant.context():
        clear_insights()
        count_app_token("daemon-9", "client_credentials", at=at)
    with tenant.context():
        rollup.drain_token_counters()
        count_app_token("daemon-1", "client_credentials", at=at)
        rollup.drain_token_counters()
        rollup.drain_token_counters()  # a repeated drain changes nothing
        rollup.rebuild(at.date())  # a rebuild keeps drained counters
        rows = list(HourlyCount.objects.values_list("client_id", "detail", "count"))
    assert rows == [("daemon-1", "client_credentials", 4)]
    with other_tenant.context():
        rollup.drain_token_counters()
        assert list(HourlyCount.objects.values_list("client_id", "count")) == [("daemon-9", 1)]


def test_beat_fan_out_runs_the_roll_up_in_every_tenant(tenant, other_tenant):
    from tenants.tasks import for_each_tenant_task

    for info in (tenant, other_tenant):
        with info.context():
            clear_insights()
            record_event("signin.succeeded", user_id="6f1c3b4e-8a51-4c0e-9d55-3f1e2a7b9c10")
    for_each_tenant_task.delay("insights.roll_up")
    for info in (tenant, other_tenant):
        with info.context():
            assert ActiveUserDay.objects.count() == 1
            assert not Event.objects.filter(rolled_up=False).exists()


def test_rebuild_command_recomputes_a_period(tenant, capsys):
    with tenant.context():
        clear_insights()
        record_event("signin.failed", data={"reason": "locked"})
        rollup.roll_up_pending()
        HourlyCount.objects.update(count=99)  # a damaged roll-up
    call_command("rebuild_insights", "--tenant", tenant.name, "--since", "2026-01-01")
    with tenant.context():
        assert list(HourlyCount.objects.values_list("count", flat=True)) == [1]
    assert "1 events rolled up" in capsys.readouterr().out


def test_rebuild_command_rejects_bad_input(tenant):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="No tenant"):
        call_command("rebuild_insights", "--tenant", "nope", "--since", "2026-01-01")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("rebuild_insights", "--tenant", tenant.name, "--since", "yesterday")
