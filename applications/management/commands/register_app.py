"""Register an app in a tenant:
`manage.py register_app --tenant <name> --name … --type web|spa|native|daemon|api
[--redirect-uri …]… [--json]`. Prints the client id and, for types that have one, a client
secret (shown once). Exit status 2 on invalid input."""

from __future__ import annotations

import json
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from applications import services
from applications.models import AppType
from tenants.services import get_active_tenant


class Command(BaseCommand):
    help = "Register an application (OAuth 2.0 / OpenID Connect client) in a tenant."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--type", required=True, choices=AppType.values, dest="app_type")
        parser.add_argument("--redirect-uri", action="append", default=[], dest="redirect_uris")
        parser.add_argument(
            "--post-logout-redirect-uri", action="append", default=[], dest="logout_uris"
        )
        parser.add_argument(
            "--native-auth",
            action="store_true",
            dest="native_auth",
            help="Enable the native authentication API for this (public) app.",
        )
        parser.add_argument("--base-url", default="http://localhost:8000")
        parser.add_argument("--json", action="store_true", dest="as_json")

    def _fail(self, messages: list[str], as_json: bool) -> None:
        if as_json:
            sys.stdout.write(json.dumps({"ok": False, "errors": messages}) + "\n")
        raise CommandError("; ".join(messages), returncode=2)

    def handle(self, *args, **opts):
        tenant = get_active_tenant(opts["tenant"])
        if tenant is None:
            self._fail([f"No tenant named {opts['tenant']!r}."], opts["as_json"])
        with schema_context(tenant.schema_name):
            try:
                app, secret = services.register_application(
                    name=opts["name"],
                    app_type=opts["app_type"],
                    redirect_uris=opts["redirect_uris"],
                    post_logout_redirect_uris=opts["logout_uris"],
                    actor="cli",
                )
                if opts["native_auth"]:
                    services.update_application(app, actor="cli", native_auth_enabled=True)
            except ValidationError as exc:
                self._fail(exc.messages, opts["as_json"])
        issuer = f"{opts['base_url'].rstrip('/')}/t/{tenant.name}"
        result = {
            "ok": True,
            "client_id": app.client_id,
            "client_secret": secret,
            "type": app.app_type,
            "issuer": issuer,
            "discovery": f"{issuer}/.well-known/openid-configuration",
        }
        if opts["as_json"]:
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(f"client_id:     {app.client_id}")
        if secret:
            self.stdout.write(f"client_secret: {secret}   (shown once)")
        self.stdout.write(f"discovery:     {result['discovery']}")
