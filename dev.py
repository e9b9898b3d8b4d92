#!/usr/bin/env python3
"""One entry point for a fresh machine that has only Python 3.11+.

    python3 dev.py up      install into .venv, start PostgreSQL and Redis (embedded ones when
                           DATABASE_URL / REDIS_URL are not set), migrate, seed the demo
                           tenant and run web server, Celery worker and Celery beat
    python3 dev.py test    the same install, then the whole test suite (pytest arguments
                           may follow)
    python3 dev.py bench NAME [args]   run bench/NAME.py (e.g. provisioning)
    python3 dev.py manage CMD [args]   a manage.py command with the services up
    python3 dev.py cluster up|down     a multi-node test bed on this machine (root: HAProxy,
                                       web nodes in network namespaces, PostgreSQL primary +
                                       standby, Redis + replica + Sentinel, Celery)

Everything after the install runs inside the virtual environment (ciam/devserver.py)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".requirements.sha256"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_venv() -> None:
    if not venv_python().exists():
        print("Creating virtual environment in .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != digest:
        print("Installing locked dependencies ...", flush=True)
        pip = [str(venv_python()), "-m", "pip", "--disable-pip-version-check", "-q"]
        subprocess.run([*pip, "install", "--upgrade", "pip"], check=True)
        subprocess.run([*pip, "install", "--require-hashes", "-r", str(LOCK)], check=True)
        STAMP.write_text(digest)


def main() -> None:
    args = sys.argv[1:] or ["up"]
    if args[0] not in {"up", "test", "services", "manage", "bench", "cluster"}:
        sys.exit(__doc__)
    ensure_venv()
    os.chdir(ROOT)
    cmd = [str(venv_python()), "-m", "ciam.devserver", *args]
    os.execv(cmd[0], cmd)  # noqa: S606 - replace this process with the venv's


if __name__ == "__main__":
    main()
