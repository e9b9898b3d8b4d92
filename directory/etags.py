"""The version tag of a directory row, shared by the management API (ETag / If-Match) and
SCIM (meta.version), so that both protocols agree on when a resource changed."""

from __future__ import annotations

import hashlib
from typing import Any


def etag_of(obj: Any) -> str:
    stamp = f"{obj.pk}:{obj.updated_at.isoformat()}"
    return '"' + hashlib.sha256(stamp.encode()).hexdigest()[:32] + '"'
