"""python manage.py import_users --tenant NAME FILE [--format csv|json]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import schema_context
from tqdm import tqdm


class Command(BaseCommand):
    help = (
        "Import customer accounts from a CSV or JSON file into a tenant, with existing "
        "password hashes (Django PBKDF2, bcrypt, argon2, scrypt). Bad rows are reported "
        "with their line; a re-run creates nobody twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="The tenant's name")
        parser.add_argument("file", help="Path of the CSV or JSON file")
        parser.add_argument("--format", choices=["csv", "json"], help="Default: by extension")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        from directory.services_import import import_users
        from tenants.models import Tenant

        tenant = Tenant.objects.filter(name=options["tenant"], deleted_at__isnull=True).first()
        if tenant is None:
            raise CommandError(f"No tenant is named {options['tenant']}.")
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from None
        file_format = options["format"] or ("json" if path.suffix.lower() == ".json" else "csv")
        bar = tqdm(total=0, unit="users", disable=options["no_progress"], file=self.stderr._out)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        with schema_context(tenant.schema_name):
            try:
                report = import_users(
                    text, file_format, actor="import_users command", progress=progress
                )
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
            finally:
                bar.close()
        for error in report.errors:
            self.stderr.write(f"line {error['line']}: {error['email']} {error['reason']}")
        self.stdout.write(
            f"{report.created} created, {report.existing} already there, "
            f"{len(report.errors)} rejected (of {report.total})."
        )
