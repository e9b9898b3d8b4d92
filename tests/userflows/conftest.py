"""Fixtures of the user-flow tests: a real local SMTP server, a clean Redis, and helpers
to make customers and flows."""

from __future__ import annotations

import email
import logging
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from django.test import Client

PASSWORD = "Tangerine-Lighthouse-42"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Mailbox:
    """Messages received by the local SMTP server."""

    messages: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted"

    def to(self, address: str) -> list:
        with self.lock:
            return [m for m in self.messages if address.lower() in m["To"].lower()]

    def body(self, message) -> str:
        part = message.get_body(preferencelist=("plain", "html"))
        return part.get_content()

    def last_code(self, address: str, timeout: float = 5.0) -> str:
        deadline = time.time() + timeout
        while time.time() < deadline:
            for message in reversed(self.to(address)):
                found = re.search(r"^\s*(\d{6})\s*$", self.body(message), re.M)
                if found:
                    return found.group(1)
            time.sleep(0.05)
        raise AssertionError(f"no code was mailed to {address}")


@pytest.fixture
def smtp(settings):
    """A real SMTP server on a free loopback port; Django sends through it."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def make_customer(tenant):
    def make(email: str = "ada@example.com", password: str | None = PASSWORD, **extra):
        from allauth.account.models import EmailAddress

        from directory.models import User

        with tenant.context():
            user = User.objects.create_user(email, password, kind="customer", **extra)
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user

    return make


@pytest.fixture
def default_flow(tenant):
    from userflows import services

    with tenant.context():
        return services.get_default_flow()


@pytest.fixture
def customer_client() -> Client:
    return Client()


@pytest.fixture
def oidc_provider():
    from .oidc_provider import OIDCProvider

    provider = OIDCProvider().start()
    try:
        yield provider
    finally:
        provider.stop()


@pytest.fixture
def federated_flow(tenant, default_flow, oidc_provider):
    """The default flow with the local OIDC provider enabled (configured like an admin
    would, through the service, which runs discovery against it)."""
    from userflows import services

    with tenant.context():
        provider = services.save_identity_provider(
            provider=None,
            data={
                "kind": "openid_connect",
                "slug": "partner",
                "name": "Partner",
                "client_id": oidc_provider.client_id,
                "client_secret": oidc_provider.client_secret,
                "issuer": oidc_provider.issuer,
                "scopes": "openid email profile",
                "claim_mapping": {"family_name": "surname"},
            },
            actor="tests",
        )
        default_flow.identity_providers.add(provider)
    return default_flow


@pytest.fixture
def app_one(tenant):
    """The public app "app-1" that the sign-in tests' authorize URLs name."""
    from applications.models import Application

    with tenant.context():
        return Application.objects.create(
            name="App one",
            client_id="app-1",
            client_type="public",
            authorization_grant_type="authorization-code",
            redirect_uris="https://app.example/cb",
        )
