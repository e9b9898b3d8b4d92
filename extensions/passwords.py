"""OnPasswordSubmit (just-in-time password migration): the password typed by the customer
travels to the tenant's API only inside a JWE (RFC 7516), RSA-OAEP-256 + A256GCM, encrypted
to the public key the admin uploaded with the extension. Its claims: `user-password`,
`username`, `nonce` (echoed by the API in `data.nonce`), and a short `exp`."""

from __future__ import annotations

import json
import time

from jwcrypto import jwe

from .config import ExtensionSpec

LIFETIME_SECONDS = 300


def encrypt_password_context(
    spec: ExtensionSpec, *, username: str, password: str, nonce: str
) -> str:
    from .services import load_public_key

    key = load_public_key(spec.encryption_public_key)
    now = int(time.time())
    claims = {
        "user-password": password,
        "username": username,
        "nonce": nonce,
        "iat": now,
        "exp": now + LIFETIME_SECONDS,
    }
    header = {"alg": "RSA-OAEP-256", "enc": "A256GCM", "typ": "JWT", "cty": "JWT"}
    kid = key.get("kid")
    if kid:
        header["kid"] = kid
    token = jwe.JWE(json.dumps(claims).encode(), protected=json.dumps(header))
    token.add_recipient(key)
    return token.serialize(compact=True)
