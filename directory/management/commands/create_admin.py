from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from directory import services
from directory.roles import Role
from tenants.services import get_active_tenant


class Command(BaseCommand):
    help = "Create an admin account in a tenant with the given roles."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", default=None)
        parser.add_argument(
            "--role",
            action="append",
            dest="roles",
            choices=Role.values,
            help="Repeat for several roles (default: global_administrator).",
        )
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, **opts):
        tenant = get_active_tenant(opts["tenant"])
        if tenant is None:
            raise CommandError(f"No tenant named {opts['tenant']!r}.", returncode=2)
        roles = opts["roles"] or [Role.GLOBAL_ADMINISTRATOR]
        with schema_context(tenant.schema_name):
            try:
                user, password = services.create_admin(
                    email=opts["email"],
                    password=opts["password"],
                    roles=roles,
                    actor="cli",
                    generate_password=opts["password"] is None,
                )
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages), returncode=2) from exc
        payload = {
            "ok": True,
            "tenant": tenant.name,
            "id": str(user.pk),
            "email": user.email,
            "roles": sorted(roles),
            "password": password,
        }
        if opts["as_json"]:
            self.stdout.write(json.dumps(payload))
        else:
            self.stdout.write(
                f"Admin {user.email} created in {tenant.name} with roles "
                f"{', '.join(sorted(roles))}."
            )
            if password:
                self.stdout.write(f"Password (shown once): {password}")
