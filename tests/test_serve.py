"""The production server command refuses a port that another server already holds, even
one bound with SO_REUSEPORT as granian binds (which would otherwise share it silently)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _listener(reuseport: bool) -> socket.socket:
    sock = socket.socket()
    if reuseport:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


def _serve(port: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ciam.serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_a_port_held_with_so_reuseport_is_refused():
    # given a server bound the way granian binds (SO_REUSEPORT)
    with _listener(reuseport=True) as held:
        port = held.getsockname()[1]
        # when a second server is started on the same port
        result = _serve(port)
    # then it refuses at once, naming the port, and serves nothing
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr


def test_a_port_held_without_so_reuseport_is_refused():
    with _listener(reuseport=False) as held:
        result = _serve(held.getsockname()[1])
    assert result.returncode == 2


def test_a_free_port_starts_granian_with_the_django_app(tmp_path):
    # given a free port
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = tmp_path / "hello.py"
    app.write_text(
        "def application(environ, start_response):\n"
        "    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
        "    return [b'served']\n"
    )
    cmd = [sys.executable, "-m", "ciam.serve", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(
        [*cmd, "--workers", "1", "--working-dir", str(tmp_path), "hello:application"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        body = b""
        for _ in range(100):
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        # then granian serves on it, and a second server on that port is now refused
        assert body == b"served"
        assert _serve(port).returncode == 2
    finally:
        proc.terminate()
        proc.wait(timeout=10)
