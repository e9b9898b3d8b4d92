"""Fixtures of the admin center tests: an app registration and a customer, made through
the services as the other areas' fixtures do."""

from __future__ import annotations

import pytest

PASSWORD = "Correct-Horse-42!"


@pytest.fixture
def make_app(tenant):
    def make(name: str = "Contoso web"):
        from applications import services

        with tenant.context():
            app, _secret = services.register_application(
                name=name,
                app_type="web",
                redirect_uris=["https://app.example/cb"],
                post_logout_redirect_uris=None,
                actor="tests",
            )
        return app

    return make


@pytest.fixture
def make_customer(tenant):
    def make(email: str):
        from directory import services_users

        with tenant.context():
            user, _ = services_users.create_customer(email=email, password=PASSWORD, actor="tests")
        return user

    return make
