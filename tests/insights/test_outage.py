"""Customer events survive a Redis outage and a stopped roll-up worker: sign-ins over real
HTTP while this test's own Redis server is killed and restarted, and while nothing rolls
up; once both are back, every answered sign-in is counted exactly once."""

from __future__ import annotations

import re
import socket
import subprocess
import time

import pytest
import redis
import requests

from tests.plugins.fixtures import PASSWORD

from .conftest import clear_insights

EMAIL = "outage-customer@example.com"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    """A redis-server of this test only (never the shared one)."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait()


@pytest.fixture
def private_redis(settings):
    server = PrivateRedis()
    server.start()
    caches = {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": server.url}}
    settings.CACHES = caches  # the live server's cache, sessions, lockout and rate limits
    yield server
    if server.process and server.process.poll() is None:
        server.stop()


@pytest.fixture
def customer(tenants_setup, django_db_blocker):
    from allauth.account.models import EmailAddress

    from directory.models import User

    tenant = tenants_setup[0]
    with django_db_blocker.unblock(), tenant.context():
        clear_insights()
        user = User.objects.create_user(EMAIL, PASSWORD, kind="customer")
        EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    yield tenant
    with django_db_blocker.unblock(), tenant.context():
        clear_insights()
        User.objects.filter(email=EMAIL).delete()


def test_no_customer_event_is_lost_while_redis_and_the_worker_are_down(
    live_url, private_redis, customer, django_db_blocker
):
    from insights import reports, rollup
    from insights.models import Event
    from insights.reports import Window

    tenant = customer
    login = f"{live_url}{tenant.url('/account/login/')}"
    answered = {"signin.succeeded": 0, "signin.failed": 0}
    refused = 0
    # when: sign-ins, good and bad, before, during and after the outage; no worker runs
    for i in range(12):
        if i == 4:
            private_redis.stop()
        if i == 8:
            private_redis.start()
        good = i % 2 == 0
        browser = requests.Session()  # the CSRF token lives in the session (in Redis)
        page = browser.get(login, timeout=10)
        if page.status_code != 200:
            refused += 1  # Redis down: no sign-in page, no sign-in
            continue
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
        response = browser.post(
            login,
            data={
                "login": EMAIL,
                "password": PASSWORD if good else "Wrong-Password-9",
                "csrfmiddlewaretoken": token,
            },
            headers={"Referer": login},
            allow_redirects=False,
            timeout=10,
        )
        if response.status_code == 302:
            answered["signin.succeeded"] += 1
        elif response.status_code == 200:
            answered["signin.failed"] += 1
    assert refused == 4
    assert answered == {"signin.succeeded": 4, "signin.failed": 4}
    # then: every answered sign-in left its event, and the restarted worker counts each once
    with django_db_blocker.unblock(), tenant.context():
        pending = Event.objects.filter(rolled_up=False)
        assert pending.filter(kind="signin.succeeded").count() == 4
        assert pending.filter(kind="signin.failed").count() == 4
        rollup.roll_up_pending(batch=3)
        rollup.roll_up_pending(batch=3)  # a second worker run finds nothing left
        today = Event.objects.first().occurred_at.date()
        rows = reports.counts(tuple(answered), Window(today, today))
        assert {r["metric"]: r["count"] for r in rows} == answered
