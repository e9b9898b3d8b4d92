from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from tenants import services
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Soft-delete a tenant (it stops answering at once); --purge drops its data now."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--purge", action="store_true", help="Drop the schema now.")
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, **opts):
        tenant = Tenant.objects.filter(name=opts["name"]).first()
        if tenant is None:
            raise CommandError(f"No tenant named {opts['name']!r}.", returncode=2)
        services.soft_delete_tenant(tenant, actor="cli")
        purged = services.purge_tenant(str(tenant.pk), force=True) if opts["purge"] else False
        if opts["as_json"]:
            self.stdout.write(json.dumps({"ok": True, "name": tenant.name, "purged": purged}))
        else:
            self.stdout.write(
                f"Tenant {tenant.name} deleted"
                + (
                    " and purged."
                    if purged
                    else "; its schema will be purged by the Celery worker."
                )
            )
