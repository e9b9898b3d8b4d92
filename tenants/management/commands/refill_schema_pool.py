from django.core.management.base import BaseCommand

from tenants import services


class Command(BaseCommand):
    help = "Fill the warm pool of ready tenant schemas (normally done by Celery beat)."

    def add_arguments(self, parser):
        parser.add_argument("--size", type=int, default=None)

    def handle(self, *args, **opts):
        added = services.refill_schema_pool(opts["size"])
        self.stdout.write(f"Added {added} schema(s) to the pool.")
