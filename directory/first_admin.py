"""The directory's side of tenants.first_admin: a new tenant's first Global Administrator
is an admin account like any other (registered in DirectoryConfig.ready)."""

from __future__ import annotations

from . import services
from .models import User


class DirectoryFirstAdmin:
    def normalize_email(self, email: str | None) -> str:
        return services.normalize_email(email)

    def create_first_admin(
        self,
        *,
        email: str,
        password: str | None,
        actor: str,
        generate_password: bool,
        password_hash: str | None,
    ) -> tuple[User, str | None]:
        return services.create_admin(
            email=email,
            password=password,
            roles=["global_administrator"],
            actor=actor,
            generate_password=generate_password,
            password_hash=password_hash,
        )
