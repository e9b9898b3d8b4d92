"""Fault tests on the multi-node test bed: each runs a bounded load of real requests
through the balancer, injects one fault, and checks the outcome against the ledger.
Figures go to stderr and test-results/cluster-faults.txt. The order matters: the
PostgreSQL failover comes last (it leaves the cluster without a standby)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import requests

from ciam import cluster

from .conftest import HOST, Bed, Ledger, admin_session, client, run_load, sign_in, signed_in, token


def _token_worker(base: str, app: dict):
    def work(ledger: Ledger, stop_at: float) -> None:
        while time.monotonic() < stop_at:
            started = time.monotonic()
            try:
                answer = token(base, app)
                ok = answer.status_code == 200
                if not ok:
                    ledger.errors.append(f"token {answer.status_code} {answer.text[:120]}")
            except requests.RequestException as exc:
                ok = False
                ledger.errors.append(repr(exc)[:200])
            ledger.record("token", started, ok)

    return work


def _signin_worker(base: str, emails: list[str], done: list[str], offset: int = 0):
    def work(ledger: Ledger, stop_at: float) -> None:
        i = offset
        while time.monotonic() < stop_at:
            email = emails[i % len(emails)]
            i += 1
            started = time.monotonic()
            try:
                sign_in(base, email)
                ok = True
                done.append(email)
            except (requests.RequestException, AssertionError) as exc:
                ok = False
                ledger.errors.append(repr(exc)[:200])
            ledger.record("signin", started, ok)

    return work


def _signin_events(bed: Bed, since_sql: str) -> int:
    return int(
        bed.sql(
            f"SELECT count(*) FROM {bed.schema()}.insights_event "
            f"WHERE kind = 'signin.succeeded' AND occurred_at >= {since_sql}"
        )
    )


def _db_now(bed: Bed) -> str:
    return "'" + bed.sql("SELECT now()::text") + "'::timestamptz"


def _wait_node(bed: Bed, index: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if client().get(f"{bed.node_url(index)}/readyz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise AssertionError(f"node {index} did not come back")


def test_an_admin_change_on_one_node_reaches_the_other_within_half_a_second(bed: Bed):
    # given a daemon app whose secret works on node 2
    app = bed.daemon_app("propagation")
    assert token(bed.node_url(2), app).status_code == 200
    pk, secret_id = bed.shell(
        "from django_tenants.utils import schema_context\n"
        "from applications.models import Application\n"
        f"with schema_context({bed.schema()!r}):\n"
        f"    a = Application.objects.get(client_id={app['client_id']!r})\n"
        "    print(a.pk, a.secrets.get().pk)\n"
    ).split()[-2:]
    admin = admin_session(bed.node_url(1))
    page = admin.get(f"{bed.node_url(1)}/t/contoso/admin/apps/{pk}/")
    csrf = page.text.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    # when an admin revokes the secret through node 1
    revoked = admin.post(
        f"{bed.node_url(1)}/t/contoso/admin/apps/{pk}/secrets/{secret_id}/revoke/",
        data={"csrfmiddlewaretoken": csrf},
        headers={"Referer": f"http://{HOST}/t/contoso/"},
        allow_redirects=False,
    )
    changed_at = time.monotonic()
    assert revoked.status_code == 302
    # then node 2 refuses it once the documented half second has passed, and never after
    first_refused = None
    answers = []
    while time.monotonic() < changed_at + 2.0:
        started = time.monotonic()
        status = token(bed.node_url(2), app).status_code
        answers.append((started - changed_at, status))
        if status != 200 and first_refused is None:
            first_refused = started - changed_at
    late_successes = [a for a in answers if a[0] > 0.6 and a[1] == 200]
    assert late_successes == []
    assert first_refused is not None
    refused = sum(1 for _, status in answers if status != 200)
    Ledger().note(
        f"[admin change on node 1] node 2 sent {len(answers)} token requests in 2 s, "
        f"{refused} refused; first refused {first_refused:.2f} s after the change"
    )


def test_a_web_node_killed_mid_load_loses_no_session_and_no_sign_in_event(bed: Bed):
    # given a signed-in customer, a daemon app and customers to sign in
    app = bed.daemon_app("node-kill")
    emails = bed.customers("nodekill", 12)
    customer = sign_in(bed.url, emails[0])
    since = _db_now(bed)
    ledger, done = Ledger(), []
    workers = [_token_worker(bed.url, app)] * 3 + [
        _signin_worker(bed.url, emails, done, offset) for offset in (0, 6)
    ]
    # when web node 1 is killed two seconds into an eight-second load
    threads = run_load(8, workers, ledger)
    time.sleep(2)
    kill_started = time.monotonic()
    cluster.kill_node(bed.state, 1)
    killed_at = time.monotonic()  # every process of the node is gone from here on
    try:
        for t in threads:
            t.join(30)
    finally:
        cluster.ensure_nodes(bed.state)
        bed.warm(1)
    ledger.report("web node killed", killed_at)
    print(ledger.errors[:5])
    failed = ledger.failed()
    print(
        "failed (kind, start and end relative to the kill):",
        [(r[0], round(r[1] - kill_started, 3), round(r[2] - killed_at, 3)) for r in failed],
        f"kill took {killed_at - kill_started:.3f} s",
    )
    # then only requests in flight at the kill failed; every later one succeeded
    in_flight = [r for r in failed if r[1] <= killed_at and r[2] >= kill_started]
    assert failed == in_flight
    assert ledger.succeeded("token") > 0 and ledger.succeeded("signin") > 0
    # the customer is still signed in (sessions live in Redis), on the surviving node too
    assert signed_in(customer, bed.url)
    assert signed_in(customer, bed.node_url(2))
    # and every successful sign-in has its event (one more at most per failed one)
    events = _signin_events(bed, since)
    assert ledger.succeeded("signin") <= events <= ledger.sent("signin")


def _pool_children(bed: Bed, name: str) -> list[int]:
    out = subprocess.run(
        ["pgrep", "-P", str(bed.state.pids[name])], capture_output=True, text=True
    ).stdout
    return [int(pid) for pid in out.split()]


def test_a_celery_worker_killed_mid_task_the_import_resumes_exactly_once(bed: Bed):
    # given a bulk import of 20,000 customers running on a Celery worker
    run = uuid.uuid4().hex[:6]
    count = 20000
    lines = "".join(f"w{i}.{run}@example.com,Worker {i}\n" for i in range(count))
    source = Path(bed.state.dir, f"import-{run}.csv")
    source.write_text("email,display_name\n" + lines)
    os.chmod(source, 0o644)
    schema = bed.schema()
    job = (
        bed.shell(
            "from django_tenants.utils import schema_context\n"
            "from directory.services_import import start_import_job\n"
            f"with schema_context({schema!r}):\n"
            f"    job = start_import_job(text=open({str(source)!r}).read(), file_format='csv',\n"
            "        filename='workers.csv', actor='cluster-test')\n"
            "    print(job.pk)\n"
        )
        .strip()
        .splitlines()[-1]
    )
    state_sql = (
        f"SELECT status || ' ' || processed FROM {schema}.directory_importjob WHERE id = '{job}'"
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status, processed = bed.psql(state_sql).split()
        if status == "running" and int(processed) >= 1000:
            break
        time.sleep(0.05)
    else:
        raise AssertionError(f"the import did not start: {bed.psql(state_sql)}")
    # when the pool processes of both workers are killed mid-task (as the OOM killer does)
    victims = _pool_children(bed, "worker1") + _pool_children(bed, "worker2")
    assert victims
    for pid in victims:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    killed_at = time.monotonic()
    at_kill = int(bed.psql(state_sql).split()[1])
    # then the task is rejected back to the queue, redelivered, and resumes after its
    # last committed batch
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if bed.psql(state_sql).split()[0] == "done":
            break
        time.sleep(0.2)
    else:
        raise AssertionError(f"the import did not finish: {bed.psql(state_sql)}")
    finished = time.monotonic()
    created = bed.psql(
        f"SELECT created_count || ' ' || existing_count || ' ' || processed "
        f"FROM {schema}.directory_importjob WHERE id = '{job}'"
    )
    users = int(
        bed.psql(
            f"SELECT count(*) FROM {schema}.directory_user WHERE email LIKE '%.{run}@example.com'"
        )
    )
    Ledger().note(
        f"[celery worker killed mid-task] import of {count} rows killed at {at_kill}, "
        f"finished {finished - killed_at:.2f} s after the kill; created/existing/processed "
        f"{created}; users {users}"
    )
    assert at_kill < count
    assert users == count
    assert created == f"{count} 0 {count}"


def _redis_pids(bed: Bed) -> list[int]:
    names = [f"redis-{p}" for p in cluster.REDIS_PORTS] + ["sentinel"]
    return [bed.state.pids[n] for n in names]


def test_redis_paused_machine_paths_serve_from_caches_pages_fail_fast_and_recover(bed: Bed):
    # given warm caches on both nodes
    app = bed.daemon_app("redis-pause")
    emails = bed.customers("redispause", 2)
    for node in (1, 2):
        bed.warm(node)
        assert token(bed.node_url(node), app, timeout=120).status_code == 200
        client().get(f"{bed.node_url(node)}/t/contoso/.well-known/openid-configuration")
    paused_at = time.monotonic()
    # when Redis (primary, replica and Sentinel) stops answering, without failover
    for pid in _redis_pids(bed):
        cluster.os.kill(pid, signal.SIGSTOP)
    try:
        # then discovery, keys and client credentials go on from the process caches
        base = bed.node_url(2)
        discovery = client().get(f"{base}/t/contoso/.well-known/openid-configuration")
        assert discovery.status_code == 200
        assert (
            client().get(discovery.json()["jwks_uri"].replace(f"http://{HOST}", base)).status_code
            == 200
        )
        assert token(base, app).status_code == 200
        # pages answer a friendly 503 within a second instead of hanging
        started = time.monotonic()
        page = client().get(
            f"{base}/t/contoso/account/login/", headers={"Accept": "text/html"}, timeout=10
        )
        page_seconds = time.monotonic() - started
        assert page.status_code == 503 and "try again" in page.text
        assert client().get(f"{base}/readyz", timeout=10).status_code == 503
        # and past the outage grace (6 s on the test bed) client credentials are refused
        time.sleep(max(0.0, paused_at + 6.5 - time.monotonic()))
        late = token(base, app)
        assert late.status_code == 503 and late.json()["error"] == "temporarily_unavailable"
    finally:
        for pid in _redis_pids(bed):
            cluster.os.kill(pid, signal.SIGCONT)
    resumed_at = time.monotonic()
    # everything recovers by itself once Redis answers again
    deadline = resumed_at + 30
    while time.monotonic() < deadline:
        try:
            sign_in(bed.url, emails[0])
            break
        except (requests.RequestException, AssertionError):
            time.sleep(0.2)
    else:
        raise AssertionError("sign-in did not recover")
    recovered = time.monotonic()
    assert token(bed.url, app).status_code == 200
    Ledger().report(f"redis paused (page 503 in {page_seconds:.2f} s)", resumed_at, recovered)


def test_redis_primary_killed_sentinel_promotes_and_the_platform_reconnects(bed: Bed):
    # given a Sentinel able to fail over: after the pause test it is in TILT mode for
    # 30 s, during which Redis Sentinel promotes nobody (docs/operations.md)
    settled = cluster.wait_sentinel_ready(bed.state)
    print(f"sentinel ready after {settled:.1f} s")
    app = bed.daemon_app("sentinel")
    emails = bed.customers("sentinel", 6)
    customer = sign_in(bed.url, emails[0])
    ledger, done = Ledger(), []
    workers = [_token_worker(bed.url, app)] * 2 + [_signin_worker(bed.url, emails, done)]
    threads = run_load(14, workers, ledger)
    time.sleep(2)
    killed_at = time.monotonic()
    cluster.kill(bed.state, f"redis-{cluster.REDIS_PORTS[0]}")
    for t in threads:
        t.join(40)
    # then requests succeed again after the promotion, and until the end of the load
    later = [r for r in ledger.rows if r[1] > killed_at]
    failures = [r for r in later if not r[3]]
    last_failure_end = max((r[2] for r in failures), default=killed_at)
    tail = [r for r in later if r[1] > last_failure_end]
    assert tail and all(r[3] for r in tail)
    assert any(r[0] == "signin" for r in tail)
    ledger.report("redis primary killed (sentinel failover)", killed_at, last_failure_end)
    master = cluster._redis_cli(
        cluster.SENTINEL_PORT,
        "sentinel",
        "get-master-addr-by-name",
        "ciam",
        host=bed.state.service_host,
    )
    assert str(cluster.REDIS_PORTS[1]) in master
    # a customer signed in before the failover: signed in still when the replica had the
    # session (asynchronous replication; docs/operations.md)
    print(f"session kept across failover: {signed_in(customer, bed.url)}")


def test_postgres_primary_stopped_standby_promoted_no_committed_write_lost(bed: Bed):
    app = bed.daemon_app("pg-failover")
    emails = bed.customers("pgfail", 6)
    since = _db_now(bed)
    ledger, done = Ledger(), []
    workers = [_token_worker(bed.url, app), _signin_worker(bed.url, emails, done)]
    threads = run_load(16, workers, ledger)
    time.sleep(3)
    stopped_at = time.monotonic()
    before = ledger.succeeded("signin")
    cluster.failover_postgres(bed.state)
    for t in threads:
        t.join(40)
    later = [r for r in ledger.rows if r[1] > stopped_at]
    failures = [r for r in later if not r[3]]
    last_failure_end = max((r[2] for r in failures), default=stopped_at)
    tail = [r for r in later if r[1] > last_failure_end]
    assert tail and all(r[3] for r in tail)
    assert any(r[0] == "signin" for r in tail)
    ledger.report("postgres failover", stopped_at, last_failure_end)
    # every sign-in committed before the stop is on the promoted standby (synchronous
    # replication), and so is every one after
    events = _signin_events(bed, since)
    assert before > 0
    assert ledger.succeeded("signin") <= events <= ledger.sent("signin")
