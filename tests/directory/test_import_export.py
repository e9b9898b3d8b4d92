"""Bulk import (CSV / JSON with carried-over password hashes) and export."""

from __future__ import annotations

import json
from io import StringIO

import bcrypt
import pytest
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from directory import services_groups
from directory.models import AuditEvent, ImportJob, User
from directory.services_import import import_users

pytestmark = pytest.mark.django_db
SECRET = "Migrated-Password-1"


def hashes() -> dict[str, str]:
    raw_bcrypt = bcrypt.hashpw(SECRET.encode(), bcrypt.gensalt(rounds=4)).decode()
    return {
        "pbkdf2@example.com": make_password(SECRET, hasher="pbkdf2_sha256"),
        "bcrypt@example.com": raw_bcrypt,
        "django-bcrypt@example.com": make_password(SECRET, hasher="bcrypt_sha256"),
        "argon@example.com": make_password(SECRET, hasher="argon2"),
        "scrypt@example.com": make_password(SECRET, hasher="scrypt"),
    }


def csv_text(rows: list[str]) -> str:
    return "email,display_name,city,attr.tier,password_hash\n" + "\n".join(rows) + "\n"


def csv_rows(rows: list[list[str]]) -> str:
    import csv

    out = StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "display_name", "city", "attr.tier", "password_hash"])
    writer.writerows(rows)
    return out.getvalue()


def test_import_keeps_passwords_in_every_format_and_upgrades_on_sign_in(tenant):
    from django.contrib.auth import authenticate

    rows = [[email, "Name", "Oslo", "", value] for email, value in hashes().items()]
    with tenant.context():
        report = import_users(csv_rows(rows), "csv", actor="tests")
        assert (report.created, report.errors) == (5, [])
        for email in hashes():
            user = authenticate(username=email, password=SECRET)
            assert user is not None, email
            # Django re-hashes with the preferred hasher on the first successful check
            assert User.objects.get(email=email).password.startswith("argon2$argon2id$")
        assert User.objects.get(email="pbkdf2@example.com").city == "Oslo"


def test_bad_rows_are_reported_with_line_and_never_written(tenant):
    with tenant.context():
        services_groups.create_attribute(name="tier", data_type="integer", label="Tier", actor="t")
        text = csv_text(
            [
                "good@example.com,Good,,1,",
                "not-an-email,Bad,,,",
                "badtier@example.com,Bad,,gold,",
                "badhash@example.com,Bad,,,md5$abc$def",
                "good@example.com,Twice,,,",
            ]
        )
        report = import_users(text, "csv", actor="tests")
        assert report.created == 1
        assert [(e["line"], e["email"]) for e in report.errors] == [
            (3, ""),
            (4, "badtier@example.com"),
            (5, "badhash@example.com"),
            (6, "good@example.com"),
        ]
        assert "tier" in report.errors[1]["reason"]
        assert not User.objects.filter(
            email__in=["badtier@example.com", "badhash@example.com"]
        ).exists()
        assert User.objects.get(email="good@example.com").custom_attributes == {"tier": 1}


def test_rerun_does_not_duplicate(tenant):
    text = json.dumps([{"email": "again@example.com", "given_name": "A"}])
    with tenant.context():
        first = import_users(text, "json", actor="tests")
        second = import_users(text, "json", actor="tests")
        assert (first.created, second.created, second.existing) == (1, 0, 1)
        assert User.objects.filter(email="again@example.com").count() == 1


def test_json_import_with_custom_attributes_and_unknown_column(tenant):
    with tenant.context():
        services_groups.create_attribute(name="vip", data_type="boolean", label="VIP", actor="t")
        text = json.dumps(
            {
                "users": [
                    {"email": "j@example.com", "custom_attributes": {"vip": True}},
                    {"email": "k@example.com", "shoe_size": 9},
                    "not an object",
                ]
            }
        )
        report = import_users(text, "json", actor="tests")
        assert report.created == 1
        assert [e["line"] for e in report.errors] == [2, 3]
        assert User.objects.get(email="j@example.com").custom_attributes == {"vip": True}


def test_unreadable_files_are_refused_as_a_whole(tenant):
    from django.core.exceptions import ValidationError

    with tenant.context():
        with pytest.raises(ValidationError):
            import_users("[", "json", actor="tests")
        with pytest.raises(ValidationError):
            import_users("name\nx\n", "csv", actor="tests")


def test_admin_center_import_runs_as_a_task_and_shows_progress(
    admin_client, tenant, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("users.csv", csv_text(["up@example.com,Up,,,", "bad,,,,"]).encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(tenant.url("/admin/users/import/"), {"file": upload})
    assert response.status_code == 302
    page = admin_client.get(response["Location"])
    with tenant.context():
        job = ImportJob.objects.get()
    text = page.content.decode()
    assert "Done" in text and "email is missing or not valid" in text, text[text.find("<main") :]
    with tenant.context():
        assert (job.status, job.created_count, job.processed, job.total) == ("done", 1, 2, 2)
        assert job.payload == ""
        assert AuditEvent.objects.filter(action="user.import.start").exists()
    partial = admin_client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert b'id="import-progress"' in partial.content and b"<html" not in partial.content


def test_import_command_with_progress_bar(tenant, tmp_path):
    path = tmp_path / "users.csv"
    path.write_text(csv_text(["cli@example.com,Cli,,,", "broken,,,,"]))
    out, err = StringIO(), StringIO()
    call_command("import_users", "--tenant", tenant.name, str(path), stdout=out, stderr=err)
    assert "1 created, 0 already there, 1 rejected" in out.getvalue()
    assert "line 3" in err.getvalue() and "users/s" in err.getvalue() or "2/2" in err.getvalue()
    with tenant.context():
        assert User.objects.filter(email="cli@example.com").exists()
    with pytest.raises(CommandError):
        call_command("import_users", "--tenant", "nope", str(path))


def test_export_has_no_secrets(admin_client, tenant, make_customer):
    make_customer("exp@example.com", display_name="Exp", custom_attributes={})
    for fmt in ("csv", "json"):
        response = admin_client.get(tenant.url("/admin/users/export/"), {"format": fmt})
        body = b"".join(response.streaming_content).decode()
        assert "exp@example.com" in body
        assert "argon2" not in body and "password" not in body and "security_stamp" not in body
    rows = json.loads(
        b"".join(
            admin_client.get(
                tenant.url("/admin/users/export/"), {"format": "json"}
            ).streaming_content
        )
    )
    assert rows[0]["email"] == "exp@example.com"


def test_an_import_job_killed_mid_way_resumes_after_its_last_committed_batch(tenant):
    """A worker killed mid-task leaves the job RUNNING with the progress of its last
    committed batch; the redelivered task finishes it, counting every row exactly once."""
    from directory import services_import
    from directory.models import ImportJob, User
    from directory.services_import import BATCH_SIZE, run_job

    rows = [[f"resume{i}@example.com", "", "", "", ""] for i in range(BATCH_SIZE * 2 + 5)]
    with tenant.context():
        # given: a job whose first batch was committed before its worker died
        text = csv_rows(rows)
        first = services_import.parse_rows(text, "csv")[0][:BATCH_SIZE]
        services_import._write_batch(first)
        job = ImportJob.objects.create(
            status=ImportJob.Status.RUNNING,
            file_format="csv",
            payload=text,
            total=len(rows),
            processed=BATCH_SIZE,
            created_count=BATCH_SIZE,
        )
        # when the task runs again
        job = run_job(str(job.pk))
        # then it finished, each user exists once, and the counts are exact
        assert job.status == ImportJob.Status.DONE
        assert (job.created_count, job.existing_count) == (len(rows), 0)
        assert job.processed == len(rows)
        assert User.objects.filter(email__startswith="resume").count() == len(rows)
