"""A multi-node test bed on one machine, out of real parts (`python3 dev.py cluster up`).

    HAProxy (127.0.0.1:58000)
      ├─ web node 1: granian in network namespace ciam-n1 (10.231.1.2:8000)
      └─ web node 2: granian in network namespace ciam-n2 (10.231.2.2:8000)
    Celery workers w1, w2 and one beat (on the host)
    PostgreSQL 15 primary :55432 + streaming-replication standby :55433 (pg_basebackup)
    Redis primary :56379 + replica :56380 + Sentinel :56390 (master name "ciam")

Every shared service listens on a service address (10.231.0.1 on the host's loopback device) that
the web nodes reach from their namespaces through veth pairs. Where network namespaces
cannot be made (not root, no `ip netns`), the nodes get loopback addresses 127.0.2.N and
the services 127.0.0.1 instead, and `up` says so.

The processes' environment is the production one: `DATABASE_URL` with both PostgreSQL
hosts and `target_session_attrs=read-write`, Redis through Sentinel. The state (pids,
addresses) is in `<dir>/state.json`, so `down` and the fault tests find every process.
This module runs inside the virtual environment and imports nothing of Django."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PG_BIN = Path("/usr/lib/postgresql/15/bin")
BALANCER_PORT = 58000
PG_PORTS = (55432, 55433)
REDIS_PORTS = (56379, 56380)
SENTINEL_PORT = 56390
NODE_PORT = 8000
NET_PREFIX = "10.231"
DEMO_PASSWORD = "Contoso-Demo-2026!"


def log(message: str) -> None:
    print(f"[cluster] {message}", file=sys.stderr, flush=True)


def cluster_dir() -> Path:
    tag = hashlib.sha256(str(ROOT).encode()).hexdigest()[:8]
    return Path(tempfile.gettempdir()) / f"ciam-cluster-{tag}"


@dataclass
class State:
    dir: str
    netns: bool
    service_host: str
    nodes: list[str]  # node addresses
    pids: dict[str, int] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    @property
    def balancer_url(self) -> str:
        return f"http://127.0.0.1:{BALANCER_PORT}"

    def save(self) -> None:
        Path(self.dir, "state.json").write_text(json.dumps(asdict(self), indent=2))

    @classmethod
    def load(cls) -> State | None:
        path = cluster_dir() / "state.json"
        return cls(**json.loads(path.read_text())) if path.exists() else None


def _run(*cmd: str, check: bool = True, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=check, capture_output=True, text=True, **kw)


def _as_postgres(*cmd: str, check: bool = True) -> subprocess.CompletedProcess:
    return _run("runuser", "-u", "postgres", "--", *cmd, check=check)


def netns_allowed() -> bool:
    if os.geteuid() != 0 or not shutil.which("ip"):
        return False
    probe = f"ciam-probe{os.getpid()}"
    ok = _run("ip", "netns", "add", probe, check=False).returncode == 0
    _run("ip", "netns", "del", probe, check=False)
    return ok


def ensure_packages() -> None:
    """HAProxy and Redis Sentinel from Debian's packages when missing (as root)."""
    missing = [
        p
        for p, b in (("haproxy", "haproxy"), ("redis-sentinel", "redis-sentinel"))
        if not shutil.which(b)
    ]
    if missing and shutil.which("apt-get") and os.geteuid() == 0:
        log(f"installing {' '.join(missing)} ...")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        _run("apt-get", "install", "-y", "-qq", *missing, check=False, env=env)
    for binary in ("haproxy", "redis-sentinel", "redis-server"):
        if not shutil.which(binary):
            raise SystemExit(f"cluster: {binary} is required (apt-get install {binary})")
    if not (PG_BIN / "postgres").exists():
        raise SystemExit(f"cluster: PostgreSQL 15 server binaries are required in {PG_BIN}")


# -- network ---------------------------------------------------------------------------


def _setup_network(nodes: int) -> tuple[bool, str, list[str]]:
    if not netns_allowed():
        log("network namespaces are not allowed here: nodes use loopback addresses instead")
        return False, "127.0.0.1", [f"127.0.2.{i}" for i in range(1, nodes + 1)]
    service = f"{NET_PREFIX}.0.1"
    # The service address lives on the host's loopback device: local to the host, and
    # reachable from every namespace through its veth pair's route.
    _run("ip", "addr", "add", f"{service}/32", "dev", "lo", check=False)
    addresses = []
    for i in range(1, nodes + 1):
        ns, host_if, ns_if = f"ciam-n{i}", f"ciam-h{i}", f"ciam-v{i}"
        host_ip, node_ip = f"{NET_PREFIX}.{i}.1", f"{NET_PREFIX}.{i}.2"
        _run("ip", "netns", "add", ns, check=False)
        _run("ip", "link", "add", host_if, "type", "veth", "peer", "name", ns_if, check=False)
        _run("ip", "link", "set", ns_if, "netns", ns, check=False)
        _run("ip", "addr", "add", f"{host_ip}/30", "dev", host_if, check=False)
        _run("ip", "link", "set", host_if, "up")
        _run(
            "ip",
            "netns",
            "exec",
            ns,
            "ip",
            "addr",
            "add",
            f"{node_ip}/30",
            "dev",
            ns_if,
            check=False,
        )
        _run("ip", "netns", "exec", ns, "ip", "link", "set", ns_if, "up")
        _run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")
        _run("ip", "netns", "exec", ns, "ip", "route", "replace", "default", "via", host_ip)
        addresses.append(node_ip)
    return True, service, addresses


def _teardown_network() -> None:
    listing = _run("ip", "netns", "list", check=False).stdout
    for line in listing.splitlines():
        name = line.split()[0] if line.strip() else ""
        if name.startswith("ciam-n"):
            _run("ip", "netns", "del", name, check=False)
    for i in range(1, 9):
        _run("ip", "link", "del", f"ciam-h{i}", check=False)
    _run("ip", "addr", "del", f"{NET_PREFIX}.0.1/32", "dev", "lo", check=False)


# -- processes -------------------------------------------------------------------------


def _spawn(
    state: State,
    name: str,
    cmd: list[str],
    *,
    netns: str | None = None,
    env: dict[str, str] | None = None,
) -> int:
    logfile = open(Path(state.dir, f"{name}.log"), "ab")  # noqa: SIM115 - child owns it
    if netns:
        cmd = ["ip", "netns", "exec", netns, *cmd]
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        stdout=logfile,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )
    state.pids[name] = proc.pid
    state.save()
    return proc.pid


def _wait(check, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"cluster: {what} did not come up within {timeout:.0f} s")


def _http_ok(url: str) -> bool:
    try:
        return urllib.request.urlopen(url, timeout=2).status == 200  # noqa: S310 - local
    except OSError:
        return False


def _redis_cli(port: int, *args: str, host: str = "127.0.0.1") -> str:
    return _run("redis-cli", "-h", host, "-p", str(port), *args, check=False).stdout.strip()


def _start_postgres(state: State) -> None:
    os.chmod(state.dir, 0o755)  # noqa: S103 - the postgres user must reach its data dir
    base = Path(state.dir, "pg")  # owned by the postgres user: data and logs
    base.mkdir(exist_ok=True)
    shutil.chown(base, "postgres", "postgres")
    primary, standby = base / "primary", base / "standby"
    if not primary.exists():
        primary.mkdir()
        shutil.chown(primary, "postgres", "postgres")
        _as_postgres(
            str(PG_BIN / "initdb"),
            "-D",
            str(primary),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
        )
        with open(primary / "postgresql.conf", "a") as conf:
            conf.write(
                f"\nlisten_addresses = '{state.service_host}'\nport = {PG_PORTS[0]}\n"
                "wal_level = replica\nmax_wal_senders = 8\nhot_standby = on\n"
                "max_connections = 200\nunix_socket_directories = '/tmp'\n"
                "fsync = off\nsynchronous_commit = on\n"
                # A commit returns only once the standby has it: a failover loses no
                # committed sign-up (the price: writes wait while the standby is away).
                "synchronous_standby_names = '*'\n"
            )
        with open(primary / "pg_hba.conf", "a") as hba:
            hba.write("host all all 0.0.0.0/0 trust\nhost replication all 0.0.0.0/0 trust\n")
    _as_postgres(
        str(PG_BIN / "pg_ctl"),
        "-D",
        str(primary),
        "-l",
        str(base / "pg-primary.log"),
        "-w",
        "start",
    )
    if not standby.exists():
        standby.mkdir()
        shutil.chown(standby, "postgres", "postgres")
        os.chmod(standby, 0o700)
        _as_postgres(
            str(PG_BIN / "pg_basebackup"),
            "-h",
            state.service_host,
            "-p",
            str(PG_PORTS[0]),
            "-U",
            "postgres",
            "-D",
            str(standby),
            "-R",
            "-X",
            "stream",
        )
        with open(standby / "postgresql.conf", "a") as conf:
            conf.write(f"\nport = {PG_PORTS[1]}\nsynchronous_standby_names = ''\n")
    _as_postgres(
        str(PG_BIN / "pg_ctl"),
        "-D",
        str(standby),
        "-l",
        str(base / "pg-standby.log"),
        "-w",
        "start",
    )
    _as_postgres(
        str(PG_BIN / "psql"),
        "-h",
        state.service_host,
        "-p",
        str(PG_PORTS[0]),
        "-c",
        "CREATE DATABASE ciam",
        check=False,
    )


def _start_redis(state: State) -> None:
    host = state.service_host
    base = Path(state.dir)
    for i, port in enumerate(REDIS_PORTS):
        args = [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            host,
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            state.dir,
            "--protected-mode",
            "no",
        ]
        if i:
            args += ["--replicaof", host, str(REDIS_PORTS[0])]
        _spawn(state, f"redis-{port}", args)
    conf = base / "sentinel.conf"
    conf.write_text(
        f"port {SENTINEL_PORT}\nbind {host}\nprotected-mode no\ndir {state.dir}\n"
        f"sentinel monitor ciam {host} {REDIS_PORTS[0]} 1\n"
        "sentinel down-after-milliseconds ciam 1000\n"
        "sentinel failover-timeout ciam 5000\n"
        "sentinel parallel-syncs ciam 1\n"
    )
    _spawn(state, "sentinel", ["redis-sentinel", str(conf)])
    _wait(lambda: _redis_cli(SENTINEL_PORT, "ping", host=host) == "PONG", "Redis Sentinel")


def wait_sentinel_ready(state: State, timeout: float = 60.0) -> float:
    """Wait until Sentinel can fail over: out of TILT mode (which it enters for 30 s
    after it was itself paused or its clock jumped, and during which it promotes no
    replica) and with the replica's link to the primary up. Returns the seconds waited."""
    host, started = state.service_host, time.monotonic()

    def ready() -> bool:
        info = _redis_cli(SENTINEL_PORT, "info", "sentinel", host=host)
        replica = _redis_cli(REDIS_PORTS[1], "info", "replication", host=host)
        return "sentinel_tilt:0" in info and "master_link_status:up" in replica

    _wait(ready, "Sentinel out of TILT mode with the replica in sync", timeout=timeout)
    return time.monotonic() - started


def app_env(state: State) -> dict[str, str]:
    h = state.service_host
    return {
        "DATABASE_URL": (
            f"postgres://postgres@{h}:{PG_PORTS[0]},{h}:{PG_PORTS[1]}/ciam"
            "?target_session_attrs=read-write&connect_timeout=2"
        ),
        "REDIS_URL": "redis://ciam/0",
        "REDIS_SENTINELS": f"{h}:{SENTINEL_PORT}",
        "REDIS_SENTINEL_MASTER": "ciam",
        "CIAM_OUTBOUND_ALLOW_PRIVATE": "1",
        "CIAM_SCHEMA_POOL_SIZE": "2",
        "DB_CONN_MAX_AGE": "60",
        "ALLOWED_HOSTS": "*",
        # Issuers of the path form come from the configured public URL only (the balancer).
        "CIAM_PUBLIC_URL": f"http://127.0.0.1:{BALANCER_PORT}",
        # The load generator is one address: per-address sign-in limits would throttle it
        # (smart lockout per account stays on).
        "CIAM_RATE_LIMITS": "off",
        # Short on the test bed so that the fault test sees the refusal (default 30 s).
        "CIAM_REDIS_OUTAGE_GRACE_SECONDS": "6",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def start_node(state: State, index: int) -> None:
    """Web node `index` (1-based): granian in its namespace (or on its loopback address)."""
    address = state.nodes[index - 1]
    cmd = [
        PY,
        "-m",
        "ciam.serve",
        "--host",
        address,
        "--port",
        str(NODE_PORT),
        "--workers",
        "1",
        "--blocking-threads",
        "2",
    ]
    _spawn(
        state, f"web{index}", cmd, netns=f"ciam-n{index}" if state.netns else None, env=state.env
    )


def alive(state: State, name: str) -> bool:
    pid = state.pids.get(name)
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def _listening(address: str) -> bool:
    import socket

    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((address, NODE_PORT)) == 0


def ensure_nodes(state: State) -> None:
    """Restart any web node that is not running (after a fault test) and wait for it."""
    for i, addr in enumerate(state.nodes, 1):
        if not (alive(state, f"web{i}") and _listening(addr)):
            # a killed node's worker may hold the port a moment longer: wait it out
            _wait(lambda a=addr: not _listening(a), f"port of dead node {i} to close", 15)
            start_node(state, i)
        _wait(lambda a=addr, n=i: _node_ready(state, n, a), f"web node {i}", timeout=90)


def start_worker(state: State, name: str) -> None:
    _spawn(
        state,
        name,
        [
            PY,
            "-m",
            "celery",
            "-A",
            "ciam",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            "1",
            "--hostname",
            f"{name}@%h",
        ],
        env=state.env,
    )


def _write_haproxy(state: State) -> Path:
    servers = "\n".join(
        f"    server web{i} {addr}:{NODE_PORT} check inter 500 fall 2 rise 2"
        " observe layer4 error-limit 1 on-error mark-down"
        for i, addr in enumerate(state.nodes, 1)
    )
    cfg = Path(state.dir, "haproxy.cfg")
    cfg.write_text(f"""global
    maxconn 2000
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    retries 2
    option redispatch
    retry-on conn-failure empty-response response-timeout
    # a node that carries the whole load after another died answers its health check
    # late: a check timeout shorter than that queue would mark the survivor down too
    timeout check 5s
frontend balancer
    bind 127.0.0.1:{BALANCER_PORT}
    default_backend web
backend web
    balance roundrobin
    option httpchk GET /healthz
    http-check expect status 200
{servers}
""")
    return cfg


def manage(state: State, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PY, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **state.env},
        check=True,
        capture_output=True,
        text=True,
    )


def up(nodes: int = 2) -> State:
    down(quiet=True)
    from ciam.serve import port_taken

    if port_taken("127.0.0.1", BALANCER_PORT):
        raise SystemExit(
            f"cluster: port {BALANCER_PORT} is taken: is a cluster of another checkout up? "
            "Stop it there with `python3 dev.py cluster down`."
        )
    ensure_packages()
    base = cluster_dir()
    base.mkdir(parents=True, exist_ok=True)
    netns, service, addresses = _setup_network(nodes)
    state = State(dir=str(base), netns=netns, service_host=service, nodes=addresses)
    state.env = app_env(state)
    state.save()
    log("starting PostgreSQL primary and standby ...")
    _start_postgres(state)
    log("starting Redis primary, replica and Sentinel ...")
    _start_redis(state)
    log("migrating and seeding the demo tenant ...")
    manage(state, "migrate_all_tenants", "-v", "0")
    manage(state, "seed_demo", "--base-url", state.balancer_url)
    for i in range(1, nodes + 1):
        start_node(state, i)
    for name in ("worker1", "worker2"):
        start_worker(state, name)
    _spawn(
        state,
        "beat",
        [
            PY,
            "-m",
            "celery",
            "-A",
            "ciam",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(base / "celerybeat-schedule"),
        ],
        env=state.env,
    )
    cfg = _write_haproxy(state)
    _spawn(state, "haproxy", ["haproxy", "-W", "-db", "-f", str(cfg)])
    for i, addr in enumerate(state.nodes, 1):
        _wait(lambda a=addr, n=i: _node_ready(state, n, a), f"web node {i}", timeout=90)
    _wait(lambda: _http_ok(f"{state.balancer_url}/readyz"), "the balancer")
    return state


def _node_ready(state: State, index: int, address: str) -> bool:
    url = f"http://{address}:{NODE_PORT}/readyz"
    if state.netns:
        cmd = [PY, "-c", f"import urllib.request as u; u.urlopen({url!r}, timeout=2)"]
        return _run("ip", "netns", "exec", f"ciam-n{index}", *cmd, check=False).returncode == 0
    return _http_ok(url)


def failover_postgres(state: State) -> None:
    """Stop the primary at once and promote the standby, as a failover manager would."""
    base = Path(state.dir, "pg")
    _as_postgres(
        str(PG_BIN / "pg_ctl"), "-D", str(base / "primary"), "-m", "immediate", "stop", check=False
    )
    _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(base / "standby"), "-w", "promote")


def kill_node(state: State, index: int, sig: int = signal.SIGKILL) -> None:
    """Kill web node `index`: every process of its network namespace (granian's main
    process and its workers), as if the machine died."""
    kill(state, f"web{index}", sig)
    if state.netns:
        pids = _run("ip", "netns", "pids", f"ciam-n{index}", check=False).stdout.split()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), sig)


def kill(state: State, name: str, sig: int = signal.SIGKILL) -> None:
    pid = state.pids.get(name)
    if pid:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, sig)


def down(quiet: bool = False) -> None:
    state = State.load()
    base = cluster_dir()
    if state:
        for i in range(1, len(state.nodes) + 1):
            kill_node(state, i, signal.SIGTERM)
        for name in list(state.pids):
            kill(state, name, signal.SIGTERM)
        time.sleep(0.5)
        for name in list(state.pids):
            kill(state, name, signal.SIGKILL)
    for data in ("primary", "standby"):
        if (base / "pg" / data / "postmaster.pid").exists():
            _as_postgres(
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(base / "pg" / data),
                "-m",
                "immediate",
                "stop",
                check=False,
            )
    if os.geteuid() == 0:
        _teardown_network()
    if base.exists():
        shutil.rmtree(base, ignore_errors=True)
    if not quiet:
        log("cluster stopped")


def main(args: list[str]) -> int:
    command = args[0] if args else "up"
    if command == "down":
        down()
        return 0
    if command == "up":
        nodes = int(args[1]) if len(args) > 1 else 2
        state = up(nodes)
        how = "network namespaces" if state.netns else "loopback addresses"
        print(f"balancer: {state.balancer_url}/  ({how}, {len(state.nodes)} web nodes)")
        print(
            f"contoso admin center: {state.balancer_url}/t/contoso/admin/  "
            f"admin@contoso.com / {DEMO_PASSWORD}"
        )
        print(
            f"platform portal: {state.balancer_url}/portal/  "
            f"operator@ciam.localhost / {DEMO_PASSWORD}"
        )
        print(f"logs and data: {state.dir}  ·  stop with: python3 dev.py cluster down")
        return 0
    if command == "status":
        state = State.load()
        print(json.dumps(asdict(state), indent=2) if state else "no cluster")
        return 0
    print("usage: dev.py cluster up [NODES] | down | status", file=sys.stderr)
    return 2
