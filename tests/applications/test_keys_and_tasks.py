"""Signing key rotation, the scheduled tasks (purge, rotation) and the register_app
command."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from applications import cache as app_cache
from applications import keys, services
from applications.models import AccessToken, Application, Grant, RefreshToken, SigningKey


def test_tokens_signed_before_a_rotation_stay_valid(tenant, flow, client):
    # given
    tokens = flow.tokens()
    with tenant.context():
        services.rotate_signing_key("RS256", actor="tests")

    # when
    response = client.get(
        tenant.url("/oidc/userinfo"), HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}"
    )

    # then
    assert response.status_code == 200
    new_tokens = flow.tokens()
    old_kid = json.loads(_header(tokens["id_token"]))["kid"]
    new_kid = json.loads(_header(new_tokens["id_token"]))["kid"]
    assert old_kid != new_kid


def _header(token: str) -> str:
    import base64

    head = token.split(".")[0]
    return base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)).decode()


def test_rotation_activates_the_key_that_was_already_published(tenant):
    with tenant.context():
        published = SigningKey.objects.get(algorithm="ES256", status="next")
        active = services.rotate_signing_key("ES256", actor="tests")
        assert active.pk == published.pk


def test_retired_keys_leave_the_jwks_after_their_grace(tenant, client):
    with tenant.context():
        old = SigningKey.objects.get(algorithm="ES256", status="active")
        services.rotate_signing_key("ES256", actor="tests")
        SigningKey.objects.filter(pk=old.pk).update(retire_after=timezone.now())
    kids = {k["kid"] for k in client.get(tenant.url("/discovery/v2.0/keys")).json()["keys"]}
    assert old.kid not in kids


def test_scheduled_rotation_rotates_old_keys_only(tenant):
    from tenants.tasks import for_each_tenant_task

    with tenant.context():
        SigningKey.objects.filter(algorithm="ES256", status="active").update(
            activated_at=timezone.now() - timedelta(days=400)
        )
        old = SigningKey.objects.get(algorithm="ES256", status="active")
    for_each_tenant_task.delay("applications.rotate_signing_keys")
    with tenant.context():
        assert SigningKey.objects.get(pk=old.pk).status == "retired"


def test_purge_task_deletes_expired_tokens_and_codes_in_every_tenant(tenant, flow):
    from tenants.tasks import for_each_tenant_task

    # given: one live and one expired token pair, and an expired code
    live = flow.tokens()
    flow.tokens()
    flow.code()
    long_ago = timezone.now() - timedelta(days=60)
    with tenant.context():
        expired_pairs = list(AccessToken.objects.order_by("-id")[:1])
        AccessToken.objects.filter(pk__in=[t.pk for t in expired_pairs]).update(expires=long_ago)
        RefreshToken.objects.filter(access_token__in=expired_pairs).update(revoked=long_ago)
        Grant.objects.update(expires=long_ago)
        keys.clear_caches()

    # when
    for_each_tenant_task.delay("applications.purge_expired_tokens")

    # then
    with tenant.context():
        assert Grant.objects.count() == 0
        assert AccessToken.objects.count() == 1
        remaining = AccessToken.objects.get()
        assert remaining.token_checksum == hashlib.sha256(live["access_token"].encode()).hexdigest()


def test_tenant_task_refuses_the_public_schema():
    from applications.tasks import purge_expired_tokens_task
    from ciam.celery import PublicSchemaRefused

    with pytest.raises(PublicSchemaRefused):
        purge_expired_tokens_task.delay()


def test_register_app_command_prints_the_client_id_and_secret(tenant):
    out = StringIO()
    call_command(
        "register_app",
        "--tenant",
        "testco",
        "--name",
        "CLI web",
        "--type",
        "web",
        "--redirect-uri",
        "https://cli.example/cb",
        "--json",
        stdout=out,
    )
    result = json.loads(out.getvalue())
    assert result["ok"] is True and result["client_secret"]
    with tenant.context():
        assert Application.objects.filter(client_id=result["client_id"]).exists()
        # the secret printed is the one the token endpoint accepts
        assert app_cache.client(result["client_id"]).secret_ok(result["client_secret"])


def test_register_app_command_without_secret_for_spa(tenant):
    out = StringIO()
    call_command(
        "register_app",
        "--tenant=testco",
        "--name=CLI spa",
        "--type=spa",
        "--redirect-uri=https://spa.example/",
        stdout=out,
    )
    assert "client_id:" in out.getvalue() and "client_secret" not in out.getvalue()


def test_register_app_command_rejects_bad_input(tenant):
    with pytest.raises(CommandError) as exc:
        call_command(
            "register_app",
            "--tenant=testco",
            "--name=Bad",
            "--type=web",
            "--redirect-uri=http://bad.example/cb",
            stdout=StringIO(),
        )
    assert "https" in str(exc.value)
    with pytest.raises(CommandError):
        call_command(
            "register_app", "--tenant=nope", "--name=x", "--type=daemon", stdout=StringIO()
        )


def test_tenant_creation_gives_the_tenant_its_ec_keys(tenant):
    with tenant.context():
        statuses = sorted(
            SigningKey.objects.filter(algorithm="ES256").values_list("status", flat=True)
        )
    assert statuses == ["active", "next"]


def test_the_rsa_key_task_gives_the_tenant_its_rsa_pair(tenant):
    from applications.tasks import ensure_rsa_key_task

    with tenant.context():
        SigningKey.objects.filter(algorithm="RS256").delete()
        ensure_rsa_key_task.delay()
        statuses = sorted(
            SigningKey.objects.filter(algorithm="RS256").values_list("status", flat=True)
        )
    assert statuses == ["active", "next"]


def test_the_initializer_sends_the_rsa_task_after_commit(
    tenant, settings, django_capture_on_commit_callbacks
):
    # given: a worker-backed deployment (the initializer reads the Django setting)
    with tenant.context():
        SigningKey.objects.all().delete()
        settings.CELERY_TASK_ALWAYS_EAGER = False
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.initialize_tenant_keys(tenant.tenant)
        # the test's Celery app runs the sent task in process
        settings.CELERY_TASK_ALWAYS_EAGER = True

        # when: the tenant's transaction commits (the other callbacks bump the tenant's
        # configuration generation, see ciam.generations)
        sent = [c for c in callbacks if "initialize_tenant_keys" in c.__qualname__]
        assert len(sent) == 1
        sent[0]()

        # then
        algorithms = sorted(SigningKey.objects.values_list("algorithm", "status"))
    assert algorithms == [
        ("ES256", "active"),
        ("ES256", "next"),
        ("RS256", "active"),
        ("RS256", "next"),
    ]
