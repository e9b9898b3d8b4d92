from django.core.management.base import BaseCommand

from tenants import services


class Command(BaseCommand):
    help = (
        "Migrate the public schema, the tenant template and every tenant, tenants in "
        "parallel processes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--processes", type=int, default=2)

    def handle(self, *args, **opts):
        services.migrate_all_tenants(processes=opts["processes"], verbosity=opts["verbosity"])
        self.stdout.write(self.style.SUCCESS("All schemas migrated."))
