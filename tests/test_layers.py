"""The direction of imports between the apps (DESIGN.md): checked by import-linter's
contract in pyproject.toml, so that an import against the order fails the suite."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_no_app_imports_an_app_above_it():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_contract_covers_every_app():
    # given the project's apps: top-level packages with an AppConfig, and ciam
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")} | {"ciam"}
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    # then import-linter analyses each of them
    assert set(config["root_packages"]) == apps, (
        "add each app to [tool.importlinter] root_packages in pyproject.toml"
    )
