from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from directory import services


class Command(BaseCommand):
    help = "Create or update a platform operator (public schema) who signs in to the portal."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)

    def handle(self, *args, **opts):
        connection.set_schema_to_public()
        try:
            user = services.create_operator(opts["email"], opts["password"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages), returncode=2) from exc
        self.stdout.write(f"Operator {user.email} ready.")
