"""The production web server command: granian serving the Django WSGI app, refusing to
start when its port is already taken.

    python -m ciam.serve --host 0.0.0.0 --port 8000 --workers 2 [other granian options]

granian binds with SO_REUSEPORT, so a second server started on a port already in use (a
second `dev.py up`, a stale node after a deploy) starts without complaint and the kernel
silently splits connections between the two, mixing code versions. Before handing over to
granian, this binds the address once *without* SO_REUSEPORT: the kernel refuses that bind
while any other socket holds the port (with or without SO_REUSEPORT), so a taken port
ends here with exit status 2 and a message naming it."""

from __future__ import annotations

import errno
import os
import socket
import sys

DEFAULTS = {"--host": "127.0.0.1", "--port": "8000"}


def _option(args: list[str], name: str) -> str:
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    env = {"--host": "GRANIAN_HOST", "--port": "GRANIAN_PORT"}[name]
    return os.environ.get(env, DEFAULTS[name])


def port_taken(host: str, port: int) -> bool:
    """True when another socket is bound to (host, port) or to the port on every address."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # SO_REUSEADDR: connections of a stopped server in TIME_WAIT do not count (a
        # restart is fine); a listening socket still refuses the bind.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return True
            raise
    return False


def granian_command(args: list[str]) -> list[str]:
    """granian's command line for `args`; the app defaults to the Django WSGI app."""
    has_app = any(":" in a and not a.startswith("-") for a in args)
    cmd = [sys.executable, "-m", "granian", "--interface", "wsgi", *args]
    return cmd if has_app else [*cmd, "ciam.wsgi:application"]


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    host, port = _option(args, "--host"), int(_option(args, "--port"))
    if port and port_taken(host, port):
        print(
            f"ciam.serve: port {port} on {host} is already in use; refusing to start a second "
            "server beside it (granian's SO_REUSEPORT would split requests between them)",
            file=sys.stderr,
        )
        return 2
    if "--host" not in " ".join(args):
        args = ["--host", host, *args]
    if "--port" not in " ".join(args):
        args = ["--port", str(port), *args]
    cmd = granian_command(args)
    os.execv(cmd[0], cmd)  # noqa: S606 - become granian, keeping the pid for supervisors
    return 0  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main())
