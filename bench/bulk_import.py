"""Bulk import throughput with carried-over bcrypt hashes (default 100,000 users).

    python bench/bulk_import.py [--users 100000]

Writes a CSV of customers with bcrypt password hashes (as exported by another system:
raw `$2b$12$` hashes), then times directory.services_import.import_users into the tenant
`benchimport` of the benchmark database, then times a re-run (idempotent: nothing new).
The import never re-hashes (it stores the hashes as they are), so the file reuses 50
distinct real hashes; computing 100,000 bcrypt hashes at cost 12 would take hours and
measure bcrypt, not the import. Target: 100,000 users in under 2 minutes."""

from __future__ import annotations

import argparse
import csv
import io
import time

import bcrypt
from _setup import machine_info, setup


def make_csv(users: int) -> str:
    hashes = [
        bcrypt.hashpw(f"pw-{i}".encode(), bcrypt.gensalt(rounds=12)).decode() for i in range(50)
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "display_name", "given_name", "surname", "city", "password_hash"])
    for i in range(users):
        writer.writerow(
            [
                f"imported{i}@example.com",
                f"Imported {i}",
                "Imported",
                str(i),
                "Oslo",
                hashes[i % 50],
            ]
        )
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100_000)
    args = parser.parse_args()
    tenant = setup("benchimport")
    from django_tenants.utils import schema_context

    from directory.models import User
    from directory.services_import import import_users

    text = make_csv(args.users)
    print(machine_info())
    with schema_context(tenant.schema_name):
        User.objects.filter(kind=User.Kind.CUSTOMER).delete()
        started = time.perf_counter()
        report = import_users(text, "csv", actor="bench")
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = import_users(text, "csv", actor="bench")
        second = time.perf_counter() - started
        sample = User.objects.filter(email="imported7@example.com").first()
        assert sample is not None and sample.check_password("pw-7")
    print(
        f"import of {args.users:,} users with bcrypt hashes: {first:.1f} s "
        f"({report.created / first:,.0f} users/s), created {report.created:,}, "
        f"rejected {len(report.errors)}"
    )
    print(
        f"re-run (idempotent): {second:.1f} s, created {again.created}, "
        f"already there {again.existing:,}"
    )
    print("a carried-over hash verifies after import: yes")


if __name__ == "__main__":
    main()
