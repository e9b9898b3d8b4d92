"""The native authentication setting of an app registration: public clients only, audited,
and set from the command line with register_app --native-auth."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_only_public_clients_can_use_native_authentication(tenant):
    from applications import services
    from directory.models import AuditEvent

    with tenant.context():
        web, _ = services.register_application(
            name="Web", app_type="web", redirect_uris=["https://app.example/cb"], actor="tests"
        )
        native, _ = services.register_application(
            name="Phone",
            app_type="native",
            redirect_uris=["com.example.shop://auth"],
            actor="tests",
        )
        with pytest.raises(ValidationError):
            services.update_application(web, actor="tests", native_auth_enabled=True)
        services.update_application(native, actor="tests", native_auth_enabled=True)
        native.refresh_from_db()
        assert native.native_auth_enabled
        entry = AuditEvent.objects.filter(action="application.update").latest("pk")
        assert entry.after["native_auth_enabled"] is True


def test_register_app_native_auth_flag(tenant):
    from applications.models import Application

    out = StringIO()
    call_command(
        "register_app",
        "--tenant", tenant.name, "--name", "CLI phone", "--type", "native",
        "--redirect-uri", "com.example.shop://auth", "--native-auth", "--json",
        stdout=out,
    )  # fmt: skip
    client_id = json.loads(out.getvalue().strip().splitlines()[-1])["client_id"]
    with tenant.context():
        assert Application.objects.get(client_id=client_id).native_auth_enabled
