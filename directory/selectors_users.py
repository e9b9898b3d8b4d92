"""The users list: prefix search, attribute filters, sorting and keyset (cursor) pagination
that stays fast with a million users.

Prefix search is a range scan on the `Lower(email), id` / `Lower(display_name), id` btree
indexes (`lower(email) >= 'ab' AND lower(email) < 'ac'`), with LIKE kept as a recheck.
A search is on one column (`search_in`: email or name) and the page is ordered by that
column (ascending or descending as asked), so the planner walks one index in order and
stops after a page, however many users match. (Matching email OR name and sorting by
either cannot use one ordered index scan: with a million users a two-letter prefix took
seconds.) Custom attribute filters use JSONB containment on the GIN index."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower

from .models import CustomAttribute, User
from .services_users import clean_custom_attributes

KEYSET_SQL = {
    "sort_email": "lower(directory_user.email)",
    "sort_name": "lower(directory_user.display_name)",
    "created_at": "directory_user.created_at",
}
SORTS = {
    "email": ("sort_email", True),
    "-email": ("sort_email", False),
    "name": ("sort_name", True),
    "-name": ("sort_name", False),
    "created": ("created_at", True),
    "-created": ("created_at", False),
}


@dataclass
class UserQuery:
    q: str = ""
    search_in: str = "email"  # "email" or "name"
    sort: str = "email"
    cursor: str = ""
    limit: int = 50
    kind: str = User.Kind.CUSTOMER
    status: str = ""  # "", "active", "blocked"
    attributes: dict[str, Any] = field(default_factory=dict)
    exact: dict[str, str] = field(default_factory=dict)  # built-in attribute equality


def _next_prefix(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _prefix(column: str, prefix: str) -> Q:
    return Q(**{f"{column}__gte": prefix, f"{column}__lt": _next_prefix(prefix)}) & Q(
        **{f"{column}__startswith": prefix}
    )


def encode_cursor(value: Any, pk: Any) -> str:
    if isinstance(value, dt.datetime):
        value = value.isoformat()
    raw = json.dumps([value, str(pk)])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, pk = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if not isinstance(pk, str):
            raise ValueError
        return value, pk
    except (ValueError, TypeError, UnicodeDecodeError):
        raise ValidationError({"cursor": "This cursor is not valid."}) from None


def attribute_filters(raw: dict[str, Any]) -> dict[str, Any]:
    """Typed custom attribute values for containment filters (unknown names refused)."""
    cleaned = clean_custom_attributes(raw)
    return {k: v for k, v in cleaned.items() if v is not None}


def search_users(query: UserQuery) -> tuple[list[User], str | None]:
    """A page of users and the cursor of the next page (None on the last)."""
    if query.sort not in SORTS:
        raise ValidationError({"sort": f"Sort by one of: {', '.join(SORTS)}."})
    if query.search_in not in {"email", "name"}:
        raise ValidationError({"search_in": "Search in email or name."})
    text = query.q.strip().lower()
    sort = query.sort
    if text:
        # The searched column orders the page (see the module docstring).
        descending = sort.startswith("-") and sort != "-created"
        sort = ("-" if descending else "") + query.search_in
    column, ascending = SORTS[sort]
    qs: QuerySet[User] = User.objects.annotate(
        sort_email=Lower("email"), sort_name=Lower("display_name")
    )
    if query.kind:
        qs = qs.filter(kind=query.kind)
    if query.status == "active":
        qs = qs.filter(is_active=True)
    elif query.status == "blocked":
        qs = qs.filter(is_active=False)
    if text:
        qs = qs.filter(_prefix(column, text))
    if query.attributes:
        # Containment, served by the GIN index. Combined with a broad prefix this is the
        # slowest kind of query (a bitmap AND then a sort): see bench/user_search.py.
        qs = qs.filter(custom_attributes__contains=query.attributes)
    for name, value in query.exact.items():
        if name in {"city", "country", "state", "postal_code", "job_title"}:
            qs = qs.filter(**{f"{name}__iexact": value})
    if query.cursor:
        raw_value, pk = decode_cursor(query.cursor)
        bound: Any = raw_value
        if column == "created_at":
            try:
                bound = dt.datetime.fromisoformat(str(raw_value))
            except ValueError:
                raise ValidationError({"cursor": "This cursor is not valid."}) from None
        # A row comparison, which PostgreSQL turns into one range of the (key, id) index
        # (an OR of comparisons made the planner misjudge and sort a whole prefix).
        sql = f"({KEYSET_SQL[column]}, id) {'>' if ascending else '<'} (%s, %s::uuid)"
        # The SQL text comes from the fixed KEYSET_SQL table; the values are parameters.
        qs = qs.filter(RawSQL(sql, [bound, pk], output_field=BooleanField()))  # noqa: S611
    # Plain ASC / DESC: the (key, id) btree indexes read forwards or backwards.
    order: list[Any] = [F(column).asc(), "pk"] if ascending else [F(column).desc(), "-pk"]
    limit = max(1, min(int(query.limit), 200))
    rows = list(qs.order_by(*order)[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor(getattr(last, column), last.pk)
    return rows[:limit], next_cursor


def attribute_definitions() -> list[CustomAttribute]:
    return list(CustomAttribute.objects.order_by("name"))
