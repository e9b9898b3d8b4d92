"""python manage.py rebuild_insights --tenant NAME --since YYYY-MM-DD"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import schema_context
from tqdm import tqdm


class Command(BaseCommand):
    help = (
        "Recompute a tenant's insights roll-ups from a UTC day on, from the retained raw "
        "events (days before the retention horizon keep their roll-ups). Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="The tenant's name")
        parser.add_argument("--since", required=True, help="First UTC day, YYYY-MM-DD")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        from insights import rollup
        from tenants.models import Tenant

        tenant = Tenant.objects.filter(name=options["tenant"], deleted_at__isnull=True).first()
        if tenant is None:
            raise CommandError(f"No tenant is named {options['tenant']}.")
        try:
            since = datetime.date.fromisoformat(options["since"])
        except ValueError:
            raise CommandError("--since must be a date, YYYY-MM-DD.") from None
        bar = tqdm(total=0, unit="events", disable=options["no_progress"], file=self.stderr._out)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        with schema_context(tenant.schema_name):
            start, rolled = rollup.rebuild(since, progress=progress)
        bar.close()
        if start != since:
            self.stderr.write(
                f"Raw events before {start} are purged: their roll-ups were kept as they are."
            )
        self.stdout.write(f"Rebuilt {tenant.name} from {start}: {rolled} events rolled up.")
