"""Session-wide setup: one migrated test database with two ready tenants (`testco` and
`otherco`) built once per session (per xdist worker), and Playwright pointed at Debian's
Chromium."""

from __future__ import annotations

import os

import pytest

# Playwright's sync API keeps an event loop running in the test thread; Django's guard
# against ORM calls from async code would refuse the test's own database setup.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["tests.plugins.fixtures"]

CHROMIUM = "/usr/lib/chromium/chromium"

# The multi-node fault tests build their own cluster: only `dev.py test --cluster` runs them.
collect_ignore = [] if os.environ.get("CIAM_CLUSTER_TESTS") else ["cluster"]


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
