"""Encryption of secrets at rest (signing keys, MFA secrets, provider client secrets).

CIAM_MASTER_KEY may hold several comma-separated keys: the first encrypts, all decrypt,
so the master key can be rotated without a flag day."""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _derive(master: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"ciam.v1", info=purpose).derive(
        master.encode()
    )


@cache
def _fernet(master_keys: str) -> MultiFernet:
    keys = [k.strip() for k in master_keys.split(",") if k.strip()]
    return MultiFernet(
        [Fernet(base64.urlsafe_b64encode(_derive(k, b"encryption-at-rest"))) for k in keys]
    )


def encrypt(text: str) -> str:
    return _fernet(settings.CIAM_MASTER_KEY).encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet(settings.CIAM_MASTER_KEY).decrypt(token.encode()).decode()


@cache
def _hash_key(master_keys: str) -> bytes:
    return _derive(master_keys.split(",")[0].strip(), b"keyed-hash")


def keyed_hash(value: str) -> str:
    """A fast keyed hash for high-entropy secrets (client secrets, API tokens): safe for
    them because they cannot be guessed, and cheap enough for the token hot path."""
    return hmac.new(_hash_key(settings.CIAM_MASTER_KEY), value.encode(), hashlib.sha256).hexdigest()
