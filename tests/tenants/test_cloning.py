"""A cloned schema is the template, object for object, with its migration rows."""

import pytest
from django.db import connection, transaction

from tenants import cloning, services

STRUCTURE = {
    "columns": "SELECT table_name, column_name, data_type, is_nullable, "
    "regexp_replace(coalesce(column_default, ''), '^.*\\.', '') "
    "FROM information_schema.columns WHERE table_schema = %s",
    "indexes": "SELECT tablename, indexname FROM pg_indexes WHERE schemaname = %s",
    "constraints": "SELECT c.conname, c.contype FROM pg_constraint c "
    "JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = %s",
    "sequences": "SELECT sequence_name FROM information_schema.sequences "
    "WHERE sequence_schema = %s",
}


def _structure(schema: str) -> dict[str, set]:
    out = {}
    with connection.cursor() as cursor:
        for key, sql in STRUCTURE.items():
            cursor.execute(sql, [schema])
            out[key] = set(cursor.fetchall())
        cursor.execute(f'SELECT app, name FROM "{schema}".django_migrations')
        out["migrations"] = set(cursor.fetchall())
    return out


@pytest.mark.parametrize("use_pg_dump", [True, False])
def test_clone_matches_the_template(tenant, monkeypatch, use_pg_dump):
    template = services.ensure_template_schema()
    if not use_pg_dump:
        # The fallback path (servers newer than any pg_dump at hand).
        monkeypatch.setattr(cloning, "_pg_dump_candidates", lambda: [])
        cloning._snapshots.clear()
    with transaction.atomic():
        services._clone_template("t_clone_probe")
        cloned, original = _structure("t_clone_probe"), _structure(template)
        transaction.set_rollback(True)
    cloning._snapshots.clear()
    assert cloned["columns"] == original["columns"]
    assert cloned["sequences"] == original["sequences"]
    assert cloned["migrations"] == original["migrations"]
    if use_pg_dump:
        # Names too: later migrations drop indexes and constraints by name.
        assert cloned["indexes"] == original["indexes"]
        assert cloned["constraints"] == original["constraints"]
    else:
        # django-tenants' clone renames some unique indexes; the counts still match.
        assert len(cloned["indexes"]) == len(original["indexes"])
    assert len(original["constraints"]) > 20


def test_clone_sequences_continue_after_the_copied_rows(tenant):
    services.ensure_template_schema()
    with transaction.atomic(), connection.cursor() as cursor:
        services._clone_template("t_seq_probe")
        cursor.execute('SELECT max(id) FROM "t_seq_probe".django_migrations')
        highest = cursor.fetchone()[0]
        cursor.execute(
            'INSERT INTO "t_seq_probe".django_migrations (app, name, applied) '
            "VALUES ('probe', 'probe', now()) RETURNING id"
        )
        assert cursor.fetchone()[0] > highest
        transaction.set_rollback(True)
