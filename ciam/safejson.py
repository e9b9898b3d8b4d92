"""JSON request bodies that cannot hurt the server: a nesting depth limit (a ~20,000-deep
body made json.loads raise RecursionError, a 500) and no NUL characters in any string or
key (PostgreSQL text and jsonb refuse them, another 500). Used by SCIM and the management
API; each answers the error in its own protocol's shape."""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 64


class UnsafeJSON(ValueError):
    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason  # "syntax", "depth" or "nul"


def _depth_of(text: str, limit: int) -> None:
    """Refuse nesting deeper than `limit` before parsing (iteratively: no recursion)."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                raise UnsafeJSON(f"The body is nested deeper than {limit} levels.", "depth")
        elif char in "]}":
            depth -= 1


def check_strings(value: Any) -> None:
    """Refuse NUL characters in any string or object key of a parsed value."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise UnsafeJSON("Strings may not contain NUL characters.", "nul")
        elif isinstance(item, dict):
            for key, child in item.items():
                if "\x00" in key:
                    raise UnsafeJSON("Keys may not contain NUL characters.", "nul")
                stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)


def loads(raw: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise UnsafeJSON("The body is not UTF-8.", "syntax") from exc
    _depth_of(text, max_depth)
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise UnsafeJSON("The body is not valid JSON.", "syntax") from exc
    check_strings(value)
    return value


def has_nul(values: Any) -> bool:
    """True when any of the strings (e.g. a QueryDict's values) holds a NUL."""
    return any("\x00" in str(v) for v in values)
