"""Beyond the findings: one Content-Security-Policy with per-request nonces on every page,
Permissions-Policy and Referrer-Policy, and a production configuration that passes
`manage.py check --deploy`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


def _script_nonce(response: requests.Response) -> str:
    policy = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    found = re.search(r"script-src 'self' 'nonce-([^']+)'", policy)
    assert found, policy
    return found.group(1)


@pytest.mark.parametrize(
    "path",
    ["/t/testco/account/login/", "/t/testco/admin/signin/", "/portal/signin/", "/"],
)
def test_every_page_has_the_policy_with_a_fresh_nonce(live_url, path):
    first = requests.get(live_url + path, timeout=10)
    second = requests.get(live_url + path, timeout=10)
    assert _script_nonce(first) != _script_nonce(second)
    policy = first.headers["Content-Security-Policy"]
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert first.headers["Referrer-Policy"]
    assert "camera=()" in first.headers["Permissions-Policy"]


@pytest.mark.django_db
def test_form_post_auto_submit_carries_the_nonce(tenant):
    """The form_post page's one script runs under the policy: its nonce is the header's."""
    from django.template.loader import render_to_string
    from django.test import Client, RequestFactory

    client = Client()
    response = client.get(tenant.url("/account/login/"))
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    request = RequestFactory().get("/")
    request.csp_nonce = nonce
    html = render_to_string(
        "applications/form_post.html",
        {"action": "https://app.example/cb", "params": [("code", "x")]},
        request=request,
    )
    assert f'<script nonce="{nonce}">' in html
    assert "onload=" not in html


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "0",
        "SECRET_KEY": "p" * 20 + "-production-secret-key-with-enough-entropy-0123456789",
        "ALLOWED_HOSTS": "login.example.com,.login.example.com",
        "CIAM_PUBLIC_URL": "https://login.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
