"""OnPasswordSubmit for the sign-in pages: an account marked "to migrate" whose typed
password does not match a stored hash asks the tenant's legacy store (through the
journey's extension point); verified, the platform keeps the password and clears the mark.
Listed after allauth's backend, so it runs only when the others refused."""

from __future__ import annotations

from typing import Any

from directory.models import User


class PasswordMigrationBackend:
    def authenticate(
        self, request: Any, email: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if request is None or not email or not password or len(password) > 1024:
            return None
        user = User.objects.filter(
            email__iexact=email.strip(), kind=User.Kind.CUSTOMER, password_migration_pending=True
        ).first()
        if user is None or not user.is_active:
            return None
        from . import context
        from .journey import store
        from .journey.steps.signin import PrimaryStep

        ctx = context.get_context(request)
        journey = store.of_session(request) or store.Journey(
            id="", kind="signin", flow_id=ctx.flow_id or "", client_id=ctx.client_id
        )
        journey.bind(request)
        journey.values.setdefault("email", user.email)
        return user if PrimaryStep().try_legacy_password(journey, user, password) else None

    def get_user(self, user_id: Any) -> User | None:
        return User.objects.filter(pk=user_id).first()
