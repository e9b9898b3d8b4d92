"""Seed the demo: a platform operator and the tenant `contoso` with one admin account and
one sample app registration. Idempotent: a second run only prints the details."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from applications.models import Application
from applications.services import register_application, update_application
from directory.models import User
from directory.services import create_operator
from tenants import services

OPERATOR_EMAIL = "operator@ciam.localhost"
ADMIN_EMAIL = "admin@contoso.com"
SAMPLE_APP = "Contoso sample web app"
# examples/webapp sends customers back here after RP-initiated logout.
SAMPLE_APP_SIGNED_OUT = "http://localhost:5000/"


class Command(BaseCommand):
    help = "Create the demo operator and the demo tenant contoso (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://localhost:8000")

    def handle(self, *args, **opts):
        password = os.environ.get("CIAM_DEMO_PASSWORD", "Contoso-Demo-2026!")
        if not User.objects.filter(email=OPERATOR_EMAIL).exists():
            create_operator(OPERATOR_EMAIL, password)
        tenant = services.get_active_tenant("contoso")
        if tenant is None:
            tenant = services.create_tenant(
                name="contoso",
                display_name="Contoso",
                country="US",
                admin_email=ADMIN_EMAIL,
                admin_password=password,
                created_by="seed_demo",
            ).tenant
        secret_note = "(created earlier; rotate it in the admin center to see a new one)"
        with schema_context(tenant.schema_name):
            app = Application.objects.filter(name=SAMPLE_APP).first()
            if app is None:
                app, secret = register_application(
                    name=SAMPLE_APP,
                    app_type="web",
                    redirect_uris=["http://localhost:5000/callback"],
                    post_logout_redirect_uris=[SAMPLE_APP_SIGNED_OUT],
                    actor="seed_demo",
                )
                secret_note = secret or ""
            elif SAMPLE_APP_SIGNED_OUT not in app.post_logout_redirect_uris.split():
                # seeded before the sample app's sign-out was registered
                update_application(
                    app,
                    post_logout_redirect_uris=[
                        *app.post_logout_redirect_uris.split(),
                        SAMPLE_APP_SIGNED_OUT,
                    ],
                    actor="seed_demo",
                )
        urls = services.tenant_base_urls_for_base(tenant, opts["base_url"])
        base = opts["base_url"].rstrip("/")
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "  CIAM platform demo",
                    f"  Platform portal   {base}/portal/",
                    f"    operator        {OPERATOR_EMAIL} / {password}",
                    f"  Tenant contoso    {urls['path']}/   (also {urls['subdomain']}/)",
                    f"  Admin center      {urls['path']}/admin/",
                    f"    admin           {ADMIN_EMAIL} / {password}",
                    f"  OIDC issuer       {urls['path']}",
                    f"  Sample app        client_id {app.client_id}",
                    f"    client secret   {secret_note}",
                    f"    redirect URI    {app.redirect_uris}",
                    f"    sign-out URI    {SAMPLE_APP_SIGNED_OUT}",
                    "",
                ]
            )
        )
