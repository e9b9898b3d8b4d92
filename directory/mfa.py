from allauth.mfa.adapter import DefaultMFAAdapter
from django.db import connection

from ciam import crypto


class MFAAdapter(DefaultMFAAdapter):
    """MFA secrets are encrypted at rest with CIAM_MASTER_KEY."""

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)

    def get_totp_issuer(self) -> str:
        tenant = getattr(connection, "tenant", None)
        return getattr(tenant, "display_name", None) or "CIAM"
