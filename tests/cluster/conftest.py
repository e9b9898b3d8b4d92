"""The multi-node fault tests (`python3 dev.py test --cluster`): one cluster for the
session, built by ciam/cluster.py from real parts, and a ledger-keeping load driver.

These tests talk to the cluster only from outside, as clients and operators would: HTTP
through the balancer (or straight to one node), `manage.py` against the cluster's
database, signals to its processes. They do not use pytest-django's test database."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from ciam import cluster

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Cluster-Test-2026!"
# Requests sent straight to one node carry the balancer's Host, as the balancer's do.
HOST = f"127.0.0.1:{cluster.BALANCER_PORT}"


def client() -> requests.Session:
    session = requests.Session()
    session.headers["Host"] = HOST
    return session


@pytest.fixture(scope="session")
def django_db_setup():
    """No test database: the cluster has its own PostgreSQL."""


@pytest.fixture(autouse=True)
def _clean_redis():
    """The cluster has its own Redis; nothing of the suite's to clean."""
    yield


@pytest.fixture(scope="session")
def bed():
    state = cluster.State.load()
    reuse = os.environ.get("CIAM_CLUSTER_REUSE") and state is not None
    if not reuse:
        state = cluster.up(nodes=2)
    bed = Bed(state)
    cluster.ensure_nodes(state)
    for index in (1, 2):  # first requests load a node's code: not part of any measurement
        for path in (
            "/t/contoso/.well-known/openid-configuration",
            "/t/contoso/account/login/",
        ):
            client().get(bed.node_url(index) + path, timeout=120)
    yield bed
    if not os.environ.get("CIAM_CLUSTER_KEEP"):
        cluster.down(quiet=True)


@dataclass
class Bed:
    state: cluster.State

    @property
    def url(self) -> str:
        return self.state.balancer_url

    def node_url(self, index: int) -> str:
        return f"http://{self.state.nodes[index - 1]}:{cluster.NODE_PORT}"

    def warm(self, index: int) -> None:
        """A node's first requests load its code: not part of any measurement."""
        for path in (
            "/t/contoso/.well-known/openid-configuration",
            "/t/contoso/discovery/v2.0/keys",
            "/t/contoso/",
        ):
            client().get(self.node_url(index) + path, timeout=120)

    def manage(self, *args: str) -> str:
        return cluster.manage(self.state, *args).stdout

    def shell(self, code: str) -> str:
        return self.manage("shell", "-c", code)

    def sql(self, query: str) -> str:
        """One value from the cluster's current primary."""
        code = (
            "from django.db import connection\n"
            "with connection.cursor() as c:\n"
            f"    c.execute({query!r})\n"
            "    print(c.fetchone()[0])\n"
        )
        return self.shell(code).strip().splitlines()[-1]

    def psql(self, query: str) -> str:
        """One value from the cluster's current primary, straight through libpq (fast
        enough to poll, unlike `sql`, which starts a manage.py process)."""
        h = self.state.service_host
        ports = cluster.PG_PORTS
        dsn = f"postgresql://postgres@{h}:{ports[0]},{h}:{ports[1]}/ciam?target_session_attrs=read-write"
        out = subprocess.run(
            ["psql", dsn, "-Atc", query], check=True, capture_output=True, text=True
        )
        return out.stdout.strip()

    def schema(self, tenant: str = "contoso") -> str:
        return self.sql(f"SELECT schema_name FROM tenants_tenant WHERE name = '{tenant}'")

    def daemon_app(self, name: str) -> dict:
        out = self.manage(
            "register_app",
            "--tenant",
            "contoso",
            "--name",
            name,
            "--type",
            "daemon",
            "--json",
            "--base-url",
            self.url,
        )
        return json.loads(out.strip().splitlines()[-1])

    def customers(self, prefix: str, count: int) -> list[str]:
        run = uuid.uuid4().hex[:6]
        emails = [f"{prefix}{i}.{run}@example.com" for i in range(count)]
        code = (
            "from django_tenants.utils import schema_context\n"
            "from allauth.account.models import EmailAddress\n"
            "from directory.services_users import create_customer\n"
            f"with schema_context({self.schema()!r}):\n"
            f"    for e in {emails!r}:\n"
            "        u, _ = create_customer(\n"
            f"            email=e, actor='cluster-test', password={PASSWORD!r})\n"
            "        EmailAddress.objects.create(user=u, email=e, verified=True, primary=True)\n"
        )
        self.shell(code)
        return emails


def token(base: str, app: dict, timeout: float = 15) -> requests.Response:
    return client().post(
        f"{base}/t/contoso/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
        },
        timeout=timeout,
    )


def _csrf(html: str) -> str:
    m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert m, "no CSRF token on the page"
    return m[1]


def sign_in(base: str, email: str, password: str = PASSWORD) -> requests.Session:
    """A customer's password sign-in on the pages, as a browser would (no JavaScript)."""
    session = client()
    page = session.get(f"{base}/t/contoso/account/login/", timeout=10)
    page.raise_for_status()
    done = session.post(
        f"{base}/t/contoso/account/login/",
        data={"csrfmiddlewaretoken": _csrf(page.text), "login": email, "password": password},
        headers={"Referer": f"http://{HOST}/t/contoso/"},
        timeout=10,
        allow_redirects=False,
    )
    where = done.headers.get("Location", "")
    if done.status_code != 302 or "/login" in where or "confirm" in where:
        raise AssertionError(f"sign-in answered {done.status_code} to {where!r}")
    return session


def signed_in(session: requests.Session, base: str) -> bool:
    page = session.get(f"{base}/t/contoso/account/profile/", timeout=10, allow_redirects=False)
    return page.status_code == 200


def admin_session(base: str) -> requests.Session:
    session = client()
    page = session.get(f"{base}/t/contoso/admin/signin/", timeout=10)
    done = session.post(
        f"{base}/t/contoso/admin/signin/",
        data={
            "csrfmiddlewaretoken": _csrf(page.text),
            "email": "admin@contoso.com",
            "password": cluster.DEMO_PASSWORD,
        },
        headers={"Referer": f"http://{HOST}/t/contoso/"},
        timeout=10,
        allow_redirects=False,
    )
    assert done.status_code == 302, done.status_code
    return session


@dataclass
class Ledger:
    """Every request of a load run: when it started and ended, and whether it succeeded."""

    rows: list[tuple[str, float, float, bool]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, started: float, ok: bool) -> None:
        with self.lock:
            self.rows.append((kind, started, time.monotonic(), ok))

    def sent(self, kind: str | None = None) -> int:
        return sum(1 for r in self.rows if kind in (None, r[0]))

    def failed(self, kind: str | None = None) -> list[tuple[str, float, float, bool]]:
        return [r for r in self.rows if not r[3] and kind in (None, r[0])]

    def succeeded(self, kind: str) -> int:
        return sum(1 for r in self.rows if r[3] and r[0] == kind)

    def report(self, label: str, fault_at: float, recovered_at: float | None = None) -> str:
        failed = self.failed()
        line = (
            f"[{label}] sent {self.sent()}, failed {len(failed)}, "
            f"succeeded {self.sent() - len(failed)}"
        )
        if recovered_at is not None:
            line += f", recovered {recovered_at - fault_at:.2f} s after the fault"
        return self.note(line)

    def note(self, line: str) -> str:
        print(line, file=sys.stderr)
        Path(ROOT, "test-results").mkdir(exist_ok=True)
        with open(Path(ROOT, "test-results", "cluster-faults.txt"), "a") as out:
            out.write(line + "\n")
        return line


def run_load(duration: float, workers: list, ledger: Ledger) -> list[threading.Thread]:
    """Start each `worker(ledger, stop_at)` in its own thread; return the threads."""
    stop_at = time.monotonic() + duration
    threads = [threading.Thread(target=w, args=(ledger, stop_at), daemon=True) for w in workers]
    for t in threads:
        t.start()
    return threads


def run_cmd(*cmd: str) -> None:
    subprocess.run(cmd, check=True, capture_output=True)
