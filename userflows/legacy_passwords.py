"""Just-in-time password migration on password sign-in (OnPasswordSubmit).

An authentication backend after Django's and allauth's: it acts only for an active
customer account marked "to migrate" whose typed password does not match a stored one.
It asks the journey's extension point (a custom authentication extension that checks the
legacy store); on success the directory stores our own hash and clears the mark, so the
extension is never called again for that account. The journey engine will fire the same
extension point for the native authentication API."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.core.exceptions import PermissionDenied

from . import extension_points, hooks


class LegacyPasswordBackend(BaseBackend):
    def authenticate(
        self, request: Any, email: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        from directory.models import User
        from directory.services_users import complete_password_migration

        email = email or kwargs.get("username")
        if request is None or not email or not password:
            return None
        user = User.objects.filter(
            email__iexact=email,
            kind=User.Kind.CUSTOMER,
            password_migration_pending=True,
            is_active=True,
        ).first()
        if user is None or user.check_password(password):
            return None  # nothing to migrate, or the stored password already matched
        from . import context

        flow = context.get_flow(request)
        try:
            outcome = extension_points.provider().on_password_submit(
                hooks.journey_context(request, flow, user.email or ""), str(user.pk), password
            )
        except extension_points.ExtensionFailure as exc:
            # Django stops at PermissionDenied: the sign-in fails like a wrong password.
            raise PermissionDenied(exc.message) from exc
        if outcome is None or not outcome.verified:
            return None
        return complete_password_migration(user, password)

    def get_user(self, user_id: Any) -> Any:
        from directory.models import User

        return User.objects.filter(pk=user_id, is_active=True).first()
