"""Registering extensions: Entra's limits, refused targets, audit, and the cached config
the token endpoint reads without a query."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from directory.models import AuditEvent
from extensions import config, services
from extensions.models import CustomAuthenticationExtension

VALID = {
    "name": "Loyalty",
    "target_url": "https://api.example.com/ext",
    "events": ["OnTokenIssuanceStart"],
}


def test_registration_defaults_as_entra_and_is_audited(tenant):
    """(Also the test that makes pytest-django set up the test database for the live
    tests of this package when they run alone.)"""
    with tenant.context():
        ext = services.create_extension(actor="tests", **VALID)
        assert ext.timeout_ms == 1000 and ext.max_retries == 0
        assert ext.app_id_uri == f"api://api.example.com/{ext.pk}"
        assert ext.on_failure == "fail" and ext.is_enabled
        event = AuditEvent.objects.get(action="extension.create")
        assert event.target_id == str(ext.pk) and event.after["name"] == "Loyalty"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"timeout_ms": 199}, "timeout_ms"),
        ({"timeout_ms": 2001}, "timeout_ms"),
        ({"max_retries": 2}, "max_retries"),
        ({"events": ["OnSomethingElse"]}, "events"),
        ({"events": []}, "events"),
        ({"target_url": "http://api.example.com/ext"}, "target_url"),
        ({"target_url": "https://127.0.0.1/ext"}, "target_url"),
        ({"target_url": "https://10.1.2.3/ext"}, "target_url"),
        ({"allowed_claims": ["sub", "tier"]}, "allowed_claims"),
        ({"events": ["OnPasswordSubmit"]}, "encryption_public_key"),
        ({"encryption_public_key": "not a key"}, "encryption_public_key"),
    ],
)
def test_bad_registrations_are_refused_with_the_field(tenant, settings, change, field):
    # Targets are checked as in production (public https only); other fields with a
    # target the test machine can reach without DNS.
    settings.CIAM_OUTBOUND_ALLOW_PRIVATE = field != "target_url"
    with tenant.context():
        with pytest.raises(ValidationError) as caught:
            services.create_extension(actor="tests", **{**VALID, **change})
        assert field in caught.value.message_dict
        assert not CustomAuthenticationExtension.objects.exists()
        assert not AuditEvent.objects.filter(action="extension.create").exists()


def test_at_most_100_extensions_per_tenant(tenant):
    with tenant.context():
        CustomAuthenticationExtension.objects.bulk_create(
            CustomAuthenticationExtension(
                name=f"e{i}", target_url=VALID["target_url"], app_id_uri="api://x", events=[]
            )
            for i in range(100)
        )
        with pytest.raises(ValidationError, match="at most 100"):
            services.create_extension(actor="tests", **VALID)


def test_config_follows_changes_and_is_read_without_a_query(tenant, django_assert_num_queries):
    with tenant.context():
        ext = services.create_extension(
            actor="tests", applications=["app-1"], **{**VALID, "name": "Claims"}
        )
        assert config.token_extension_for("app-1", app_only=False).id == str(ext.pk)
        with django_assert_num_queries(0):
            assert config.token_extension_for("app-1", app_only=False) is not None
            assert config.token_extension_for("app-2", app_only=False) is None
            assert config.token_extension_for("app-1", app_only=True) is None
        services.set_enabled(ext, False, actor="tests")
        assert config.token_extension_for("app-1", app_only=False) is None
        assert AuditEvent.objects.filter(action="extension.disable").count() == 1
        services.delete_extension(ext, actor="tests")
        assert AuditEvent.objects.filter(action="extension.delete").count() == 1
