"""Session-wide setup: one migrated test database with two ready tenants (`testco` and
`otherco`) built once per session (per xdist worker), and Playwright pointed at Debian's
Chromium."""

from __future__ import annotations

import pytest

pytest_plugins = ["tests.plugins.fixtures"]

CHROMIUM = "/usr/lib/chromium/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }
