"""Bulk import and export of customer accounts.

Import reads CSV or JSON rows (email, profile attributes, custom attributes as
`attr.<name>` columns / a `custom_attributes` object, and an optional `password_hash` in
Django's PBKDF2, bcrypt, argon2 or scrypt formats, or a raw `$2b$` bcrypt hash). Every row
is validated first; a bad row is reported with its line number and reason and never
written. Good rows are written in batches, each batch in one transaction; users whose email
already exists are left as they are, so a re-run creates nothing twice. Carried-over hashes
verify with the matching hasher in PASSWORD_HASHERS and Django re-hashes them with the
tenant's hasher (Argon2id) on the first successful sign-in. A `password_migration_pending`
column (true/false) marks accounts whose password stays in a legacy store, checked once by
an OnPasswordSubmit custom authentication extension (just-in-time migration)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, identify_hasher
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from django_tenants.utils import schema_context

from ciam.schemas import current_schema

from . import audit
from .models import CustomAttribute, Identity, ImportJob, User
from .services import normalize_email
from .services_users import LOCAL_ISSUER, PROFILE_FIELDS, clean_profile

BATCH_SIZE = 1000
EXPORT_FIELDS = [
    "id",
    "email",
    *PROFILE_FIELDS,
    "is_active",
    "created_at",
    "last_sign_in_at",
    "external_id",
]
ACCEPTED_HASHERS = {"argon2", "pbkdf2_sha256", "pbkdf2_sha1", "bcrypt_sha256", "bcrypt", "scrypt"}


@dataclass
class ImportRow:
    line: int
    email: str
    profile: dict[str, str]
    attributes: dict[str, Any]
    password_hash: str
    external_id: str = ""
    password_migration_pending: bool = False


@dataclass
class ImportReport:
    total: int = 0
    created: int = 0
    existing: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "created": self.created,
            "existing": self.existing,
            "errors": self.errors,
        }


def _raw_rows(text: str, file_format: str) -> Iterator[tuple[int, dict[str, Any]]]:
    if file_format == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"Not valid JSON (line {exc.lineno}: {exc.msg}).") from None
        if isinstance(data, dict):
            data = data.get("users")
        if not isinstance(data, list):
            raise ValidationError('Expected a JSON array of users (or {"users": [...]}).')
        for index, item in enumerate(data, start=1):
            yield (
                index,
                item if isinstance(item, dict) else {"__invalid__": "Each user must be an object."},
            )
        return
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "email" not in [f.strip() for f in reader.fieldnames]:
        raise ValidationError("The CSV file needs a header row with an email column.")
    for row in reader:
        # Line 1 is the header; the reader knows where a quoted field spanned lines.
        if None in row:
            yield reader.line_num, {"__invalid__": "This row has more values than columns."}
            continue
        yield reader.line_num, {(k or "").strip(): v for k, v in row.items()}


def normalize_hash(value: str) -> str:
    """A stored-hash string Django can verify: raw `$2a$/$2b$/$2y$` bcrypt hashes get
    Django's `bcrypt$` prefix."""
    value = value.strip()
    if value.startswith(("$2a$", "$2b$", "$2y$")):
        return "bcrypt$" + value.replace("$2y$", "$2b$", 1)
    return value


def _check_hash(value: str) -> str:
    value = normalize_hash(value)
    try:
        hasher = identify_hasher(value)
    except ValueError:
        raise ValueError("password_hash is not in a supported format.") from None
    if hasher.algorithm not in ACCEPTED_HASHERS:
        raise ValueError(f"password_hash algorithm {hasher.algorithm} is not accepted.")
    return value


def parse_rows(text: str, file_format: str) -> tuple[list[ImportRow], list[dict[str, Any]]]:
    """Validate every row: the good rows, and errors as {line, email, reason}."""
    if file_format not in {"csv", "json"}:
        raise ValidationError("The file must be CSV or JSON.")
    definitions = {d.name: d for d in CustomAttribute.objects.all()}
    from .services_users import _coerce

    rows: list[ImportRow] = []
    errors: list[dict[str, Any]] = []
    seen: set[str] = set()
    for line, raw in _raw_rows(text, file_format):
        email = normalize_email(str(raw.get("email") or ""))
        reasons: list[str] = []
        if raw.get("__invalid__"):
            errors.append({"line": line, "email": "", "reason": raw["__invalid__"]})
            continue
        if not email:
            reasons.append("email is missing or not valid.")
        elif email in seen:
            reasons.append("email appears twice in the file.")
        attributes = dict(raw.get("custom_attributes") or {}) if file_format == "json" else {}
        profile_raw: dict[str, Any] = {}
        for key, value in raw.items():
            if key.startswith("attr."):
                if value not in (None, ""):
                    attributes[key[5:]] = value
            elif key in PROFILE_FIELDS:
                profile_raw[key] = value
            elif key not in {
                "email",
                "password_hash",
                "custom_attributes",
                "external_id",
                "password_migration_pending",
                "",
            }:
                reasons.append(f"unknown column {key}.")
        try:
            profile = clean_profile(profile_raw)
        except ValidationError as exc:
            profile = {}
            reasons += [f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()]
        typed: dict[str, Any] = {}
        for name, value in attributes.items():
            if name not in definitions:
                reasons.append(f"no custom attribute is named {name}.")
                continue
            try:
                typed[name] = _coerce(definitions[name], value)
            except ValueError as exc:
                reasons.append(f"{name}: {exc}")
        password_hash = ""
        if raw.get("password_hash"):
            try:
                password_hash = _check_hash(str(raw["password_hash"]))
            except ValueError as exc:
                reasons.append(str(exc))
        # Just-in-time migration (OnPasswordSubmit): the password stays in the legacy store.
        migrate = str(raw.get("password_migration_pending") or "").strip().lower()
        if migrate not in {"", "true", "false", "1", "0", "yes", "no"}:
            reasons.append("password_migration_pending must be true or false.")
        if reasons:
            errors.append({"line": line, "email": email, "reason": " ".join(reasons)})
            continue
        seen.add(email)
        rows.append(
            ImportRow(
                line,
                email,
                profile,
                typed,
                password_hash,
                str(raw.get("external_id") or "")[:256],
                migrate in {"true", "1", "yes"},
            )
        )
    return rows, errors


def _write_batch(batch: list[ImportRow]) -> tuple[int, int]:
    emails = [r.email for r in batch]
    with transaction.atomic():
        existing = set(
            User.objects.annotate(e=Lower("email")).filter(e__in=emails).values_list("e", flat=True)
        )
        new = [r for r in batch if r.email not in existing]
        users = [
            User(
                email=r.email,
                kind=User.Kind.CUSTOMER,
                password=r.password_hash or UNUSABLE_PASSWORD_PREFIX,
                custom_attributes=r.attributes,
                external_id=r.external_id,
                password_migration_pending=r.password_migration_pending,
                **r.profile,
            )
            for r in new
        ]
        # Conflicts (a concurrent import) are skipped, never duplicated.
        User.objects.bulk_create(users, ignore_conflicts=True)
        created = {
            e: pk
            for pk, e in User.objects.annotate(e=Lower("email"))
            .filter(e__in=[r.email for r in new])
            .values_list("pk", "e")
        }
        Identity.objects.bulk_create(
            [
                Identity(
                    user_id=created[r.email],
                    type=Identity.Type.PASSWORD if r.password_hash else Identity.Type.EMAIL_OTP,
                    issuer=LOCAL_ISSUER,
                    subject=r.email,
                )
                for r in new
                if r.email in created
            ],
            ignore_conflicts=True,
        )
    return len(new), len(batch) - len(new)


def import_users(
    text: str,
    file_format: str,
    *,
    actor: Any,
    progress: Callable[[int, int], None] | None = None,
    resume_from: int = 0,
    on_batch: Callable[[int, int, int], None] | None = None,
) -> ImportReport:
    """Import users from CSV or JSON text; `progress(done, total)` is called per batch.

    `resume_from` is the progress an earlier run of the same job saved (rows with errors
    first, then valid rows batch by batch): rows it covered are not written again.
    `on_batch(done, created, existing)` runs inside each batch's transaction, so a job's
    saved progress and its rows are committed together (a run killed mid-way resumes
    exactly where its last batch committed)."""
    rows, errors = parse_rows(text, file_format)
    report = ImportReport(total=len(rows) + len(errors), errors=errors)
    skip_rows = max(0, resume_from - len(errors))
    done = len(errors) + skip_rows
    if progress:
        progress(done, report.total)
    for start in range(skip_rows, len(rows), BATCH_SIZE):
        batch = rows[start : start + BATCH_SIZE]
        with transaction.atomic():
            created, existing = _write_batch(batch)
            done += len(batch)
            if on_batch:
                on_batch(done, created, existing)
        report.created += created
        report.existing += existing
        if progress:
            progress(done, report.total)
    audit.record(
        action="user.import",
        actor=actor,
        target_type="directory.user",
        target_label=f"{report.created} created",
        after={k: v for k, v in report.as_dict().items() if k != "errors"}
        | {"error_count": len(errors)},
    )
    return report


def export_users(file_format: str) -> Iterator[str]:
    """Customer accounts as CSV or JSON text chunks, without any secret (no password
    hashes, no security stamps). The chunks are read in the current tenant's schema even
    when a streaming response consumes them after the view has returned."""
    schema = current_schema()

    def chunks() -> Iterator[str]:
        with schema_context(schema):
            yield from _export_chunks(file_format)

    return chunks()


def _export_chunks(file_format: str) -> Iterator[str]:
    names = [d.name for d in CustomAttribute.objects.order_by("name")]
    qs = User.objects.filter(kind=User.Kind.CUSTOMER).order_by("created_at", "id")

    def record(user: User) -> dict[str, Any]:
        data = {f: getattr(user, f) for f in EXPORT_FIELDS}
        data["id"] = str(user.pk)
        for f in ("created_at", "last_sign_in_at"):
            data[f] = data[f].isoformat() if data[f] else None
        return data

    if file_format == "json":
        yield "["
        first = True
        for user in qs.iterator(chunk_size=2000):
            data = record(user) | {"custom_attributes": user.custom_attributes or {}}
            yield ("" if first else ",") + "\n" + json.dumps(data)
            first = False
        yield "\n]\n"
        return
    header = [*EXPORT_FIELDS, *[f"attr.{n}" for n in names]]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(h) for h in header])
    for user in qs.iterator(chunk_size=2000):
        data = record(user)
        attrs = user.custom_attributes or {}
        row = [data[f] for f in EXPORT_FIELDS] + [attrs.get(n, "") for n in names]
        writer.writerow([csv_cell(value) for value in row])
        if buffer.tell() > 65536:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A cell that a spreadsheet will not run as a formula (CSV injection, OWASP): text
    starting with = + - @, a tab or a carriage return is prefixed with a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def start_import_job(
    *, text: str, file_format: str, filename: str, actor: Any, request: Any = None
) -> ImportJob:
    """Record an import job and hand it to a Celery task (run in the current tenant)."""
    from .tasks import run_import_job

    if file_format not in {"csv", "json"}:
        raise ValidationError({"file": "The file must be CSV or JSON."})
    job = ImportJob.objects.create(
        file_format=file_format,
        filename=filename[:256],
        payload=text,
        created_by=str(getattr(actor, "email", actor) or "")[:254],
    )
    audit.record(
        action="user.import.start",
        actor=actor,
        request=request,
        target=job,
        target_label=filename[:254],
    )
    schema = current_schema()

    def enqueue() -> None:
        # The task carries the schema that is active when it is sent.
        with schema_context(schema):
            run_import_job.delay(str(job.pk))

    transaction.on_commit(enqueue)
    return job


def run_job(job_id: str) -> ImportJob:
    """Run an import job, saving its progress with each batch. A job left RUNNING by a
    worker that died (Celery redelivers late-acknowledged tasks) resumes after its last
    committed batch; a session-level advisory lock keeps a second worker from running
    the same job at once (PostgreSQL releases it when the dead worker's connection goes)."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status not in {ImportJob.Status.PENDING, ImportJob.Status.RUNNING}:
        return job
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [f"import:{job.pk}"])
        if not cursor.fetchone()[0]:
            return job
    try:
        return _run_locked(job)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [f"import:{job.pk}"])


def _run_locked(job: ImportJob) -> ImportJob:
    job.refresh_from_db()
    resumed = job.status == ImportJob.Status.RUNNING
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    resume_from = job.processed if resumed else 0

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(total=total)

    def on_batch(done: int, created: int, existing: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(
            processed=done,
            created_count=F("created_count") + created,
            existing_count=F("existing_count") + existing,
        )

    try:
        report = import_users(
            job.payload,
            job.file_format,
            actor=job.created_by or "import",
            progress=progress,
            resume_from=resume_from,
            on_batch=on_batch,
        )
    except ValidationError as exc:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
            errors=[{"line": None, "email": "", "reason": " ".join(exc.messages)}],
            payload="",
            finished_at=timezone.now(),
        )
    else:
        # The row errors are known from parsing; the counts were saved batch by batch.
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.DONE,
            processed=report.total,
            errors=report.errors[:1000],
            payload="",
            finished_at=timezone.now(),
        )
    job.refresh_from_db()
    return job
