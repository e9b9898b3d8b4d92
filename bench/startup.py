"""Start-up benchmark: what a management command and a new web worker pay before work.

    python3 dev.py bench startup [--runs 3] [--port 8101]

Uses DATABASE_URL / REDIS_URL like the app (the database is migrated first; tenants named
`startup-bench-<n>` are created and purged again). Measures, each --runs times:
  * `manage.py check`: a whole process, wall clock and CPU time (every command pays
    Django's system checks, which import the URL configurations);
  * `manage.py create_tenant`: a whole process, wall clock and CPU time, next to the
    seconds the provisioning service itself reports;
  * a granian worker (WSGI, 1 worker): seconds from spawn until it answers /healthz (the
    worker has loaded the application: it is ready), then the latency of the first
    request to a tenant (its OpenID discovery document, through the tenant URL
    configuration) sent right then, with the server's CPU time for it, and of a second one.
CPU times hold better than wall clock on a shared, loaded machine. Prints the machine and
its load average, then min / median / max of each."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import _proc, machine  # noqa: E402

PY = sys.executable


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def manage(*args: str, env: dict[str, str]) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, stdout) of a whole manage.py process."""
    started, cpu = time.perf_counter(), children_cpu()
    done = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return seconds, children_cpu() - cpu, done.stdout


def get(port: int, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        conn.close()


def worker_start(port: int, tenant: str, env: dict[str, str]) -> tuple[float, ...]:
    """Seconds: spawn -> ready, first request after ready (wall, and the server's CPU),
    second request."""
    spawned = time.perf_counter()
    server = subprocess.Popen(
        [
            PY,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--workers",
            "1",
            "--blocking-threads",
            "2",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "ciam.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        while True:
            if server.poll() is not None:
                sys.exit("granian exited before answering")
            try:
                if get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.perf_counter() - spawned > 120:
                sys.exit("granian did not answer /healthz within 120 s")
            time.sleep(0.01)
        ready = time.perf_counter() - spawned
        path = f"/t/{tenant}/.well-known/openid-configuration"
        pids = _proc.process_tree(server.pid)
        cpu = _proc.cpu_seconds(pids)
        status, first = get(port, path)
        first_cpu = _proc.cpu_seconds(pids) - cpu
        if status != 200:
            sys.exit(f"GET {path} answered {status}")
        _, second = get(port, path)
        return ready, first, first_cpu, second
    finally:
        server.terminate()
        server.wait(timeout=30)


def summary(samples: list[float]) -> str:
    return (
        f"min {min(samples):.2f} s, median {statistics.median(samples):.2f} s, "
        f"max {max(samples):.2f} s (n={len(samples)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8101))
    opts = parser.parse_args()
    env = {**os.environ, "DEBUG": "0", "LOG_LEVEL": "WARNING"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "ciam.settings")

    print(machine.describe())
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    manage("migrate_all_tenants", "-v", "0", env=env)

    checks = [manage("check", env=env) for _ in range(opts.runs)]
    print(f"manage.py check:         {summary([c[0] for c in checks])}")
    print(f"  CPU:                   {summary([c[1] for c in checks])}")

    commands, services = [], []
    names = [f"startup-bench-{n}" for n in range(opts.runs)]
    for name in names:
        seconds, cpu, out = manage(
            "create_tenant", name, "--admin-email", f"admin@{name}.example", "--json", env=env
        )
        commands.append((seconds, cpu))
        services.append(float(json.loads(out.strip().splitlines()[-1])["seconds"]))
    print(f"manage.py create_tenant: {summary([c[0] for c in commands])}")
    print(f"  CPU:                   {summary([c[1] for c in commands])}")
    print(f"  the service (wall):    {summary(services)}")

    try:
        starts = [worker_start(opts.port, names[0], env) for _ in range(opts.runs)]
    finally:
        for name in names:
            manage("delete_tenant", name, "--purge", env=env)
    print(f"granian worker ready:    {summary([s[0] for s in starts])} after spawn")
    print(f"first request on ready:  {summary([s[1] for s in starts])}")
    print(f"  server CPU:            {summary([s[2] for s in starts])}")
    print(f"second request:          {summary([s[3] for s in starts])}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
