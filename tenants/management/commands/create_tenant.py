"""Create a tenant: `manage.py create_tenant <name> --display-name … --admin-email …`.

Exit status 0 on success, 2 on invalid input (messages on stderr). With --json, stdout
holds exactly one JSON object and nothing else."""

from __future__ import annotations

import json
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tenants import services


class Command(BaseCommand):
    help = "Create a tenant with its first Global Administrator and print its URLs."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--display-name", default="")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument(
            "--admin-password", default=None, help="Defaults to a generated password, printed once."
        )
        parser.add_argument("--country", default="US")
        parser.add_argument("--json", action="store_true", dest="as_json")
        parser.add_argument(
            "--base-url",
            default="http://localhost:8000",
            help="The shared host's URL, for the printed addresses.",
        )

    def handle(self, *args, **opts):
        try:
            result = services.create_tenant(
                name=opts["name"],
                display_name=opts["display_name"],
                admin_email=opts["admin_email"],
                admin_password=opts["admin_password"],
                country=opts["country"],
                created_by="cli",
            )
        except ValidationError as exc:
            messages = exc.messages
            if opts["as_json"]:
                sys.stdout.write(json.dumps({"ok": False, "errors": messages}) + "\n")
            raise CommandError("; ".join(messages), returncode=2) from exc
        tenant = result.tenant
        urls = services.tenant_base_urls_for_base(tenant, opts["base_url"])
        payload = {
            "ok": True,
            "tenant_id": str(tenant.pk),
            "name": tenant.name,
            "display_name": tenant.display_name,
            "schema": tenant.schema_name,
            "urls": urls,
            "admin_center": urls["path"] + "/admin/",
            "issuer": urls["path"],
            "admin": {"email": result.admin.email, "password": result.admin_password},
            "seconds": round(result.seconds, 3),
        }
        if opts["as_json"]:
            self.stdout.write(json.dumps(payload))
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Created tenant {tenant.name} ({tenant.pk}) in {result.seconds:.2f} s"
            )
        )
        for kind, url in urls.items():
            self.stdout.write(f"  {kind:10} {url}")
        self.stdout.write(f"  admin center {payload['admin_center']}")
        self.stdout.write(f"  admin        {result.admin.email}")
        if result.admin_password:
            self.stdout.write(f"  password     {result.admin_password}  (shown once)")
