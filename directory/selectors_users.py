"""The users list: prefix search, attribute filters, sorting and keyset (cursor) pagination
that stays fast with a million users.

Prefix search is a range scan on the `Lower(email), id` / `Lower(display_name), id` btree
indexes (`lower(email) >= 'ab' AND lower(email) < 'ac'`), with LIKE kept as a recheck.
A search is on one column (`search_in`: email or name) and the page is ordered by that
column (ascending or descending as asked), so the planner walks one index in order and
stops after a page, however many users match. (Matching email OR name and sorting by
either cannot use one ordered index scan: with a million users a two-letter prefix took
seconds.) Custom attribute filters use JSONB containment on the GIN index.

A prefix search with an attribute filter cannot know beforehand whether walking the
prefix in order finds a page quickly (many of its users match) or reads the whole prefix
(few match: with a million users a two-letter prefix holds 30,000-100,000 of them), and
PostgreSQL's estimate of JSONB containment is no guide. So it probes: the first
PROBE_ROWS users of the prefix, in order, filtered. If they hold a page, that is the page;
if not, matches are sparse, and the GIN index, whose btree_gin columns hold the first
letters of email and display name, intersects attribute and prefix before any row is
read; the few matching rows are then sorted."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Left, Lower

from .models import SEARCH_HEAD_LENGTH, CustomAttribute, User
from .services_users import clean_custom_attributes

# How many users of a prefix the probe reads in order before it turns to the GIN index:
# it finds a page when at least one in ten of them matches the attribute filter.
PROBE_ROWS = 500
COLUMNS = {"sort_email": "email", "sort_name": "display_name"}
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


def _range(column: str, prefix: str) -> Q:
    return Q(**{f"{column}__gte": prefix, f"{column}__lt": _next_prefix(prefix)})


def _prefix(column: str, prefix: str) -> Q:
    return _range(column, prefix) & Q(**{f"{column}__startswith": prefix})


def _prefix_by_heads(qs: QuerySet[User], column: str, prefix: str) -> QuerySet[User]:
    """The prefix as equalities on leading letters: its first letter or first two are one
    of the GIN index's columns; nothing here lets the planner use the btree range instead."""
    lowered = Lower(COLUMNS[column])
    head = prefix[:SEARCH_HEAD_LENGTH]
    qs = qs.alias(search_head=Left(lowered, len(head))).filter(search_head=head)
    if len(prefix) > len(head):
        qs = qs.alias(search_prefix=Left(lowered, len(prefix))).filter(search_prefix=prefix)
    return qs


def _keyset(column: str, ascending: bool, value: Any, pk: Any, inclusive: bool = False) -> RawSQL:
    """Rows after (value, pk) in the page order, or up to it with `inclusive`."""
    # A row comparison, which PostgreSQL turns into one range of the (key, id) index
    # (an OR of comparisons made the planner misjudge and sort a whole prefix).
    operator = ("<=" if inclusive else ">") if ascending else (">=" if inclusive else "<")
    sql = f"({KEYSET_SQL[column]}, id) {operator} (%s, %s::uuid)"
    # The SQL text comes from the fixed KEYSET_SQL table; the values are parameters.
    return RawSQL(sql, [value, str(pk)], output_field=BooleanField())  # noqa: S611


def encode_cursor(value: Any, pk: Any, sparse: bool = False) -> str:
    """The position after which the next page starts; `sparse` remembers that the search's
    matches were found through the GIN index (see _prefix_and_attributes_page)."""
    if isinstance(value, dt.datetime):
        value = value.isoformat()
    raw = json.dumps([value, str(pk), 1] if sparse else [value, str(pk)])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, str, bool]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, pk, *rest = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if not isinstance(pk, str) or rest not in ([], [1]):
            raise ValueError
        return value, pk, bool(rest)
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
    qs = _keyed()
    if query.kind:
        qs = qs.filter(kind=query.kind)
    if query.status == "active":
        qs = qs.filter(is_active=True)
    elif query.status == "blocked":
        qs = qs.filter(is_active=False)
    for name, value in query.exact.items():
        if name in {"city", "country", "state", "postal_code", "job_title"}:
            qs = qs.filter(**{f"{name}__iexact": value})
    after: RawSQL | None = None
    sparse = False
    if query.cursor:
        raw_value, pk, sparse = decode_cursor(query.cursor)
        bound: Any = raw_value
        if column == "created_at":
            try:
                bound = dt.datetime.fromisoformat(str(raw_value))
            except ValueError:
                raise ValidationError({"cursor": "This cursor is not valid."}) from None
        after = _keyset(column, ascending, bound, pk)
        qs = qs.filter(after)
    limit = max(1, min(int(query.limit), 200))
    probed: list[User] | None = None
    if text and query.attributes:
        rows, sparse = _prefix_and_attributes_page(
            qs, column, ascending, text, query.attributes, after, sparse, limit + 1
        )
    else:
        sparse = False
        if text:
            # The same bounded walk: PostgreSQL can misjudge a narrow prefix's range (an
            # estimate of 3 rows for 16,667) and sort all of it instead of walking.
            probed = _probe_in_order(qs, column, ascending, text, {}, after, limit + 1)
        if probed is not None:
            rows = probed
        else:
            if text:
                qs = qs.filter(_prefix(column, text))
            if query.attributes:
                # Containment, served by the GIN index.
                qs = qs.filter(custom_attributes__contains=query.attributes)
            rows = list(qs.order_by(*_order(column, ascending))[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor(getattr(last, column), last.pk, sparse)
    return rows[:limit], next_cursor


def _keyed() -> QuerySet[User]:
    return User.objects.annotate(sort_email=Lower("email"), sort_name=Lower("display_name"))


def _order(column: str, ascending: bool) -> list[Any]:
    # Plain ASC / DESC: the (key, id) btree indexes read forwards or backwards.
    return [F(column).asc(), "pk"] if ascending else [F(column).desc(), "-pk"]


def _prefix_and_attributes_page(
    qs: QuerySet[User],
    column: str,
    ascending: bool,
    text: str,
    attributes: dict[str, Any],
    after: RawSQL | None,
    sparse: bool,
    size: int,
) -> tuple[list[User], bool]:
    """Up to `size` users of a prefix search with an attribute filter, in page order (see
    the module docstring): a bounded walk of the prefix in order, else the GIN index. The
    flag says the GIN index was used; when the previous page's cursor says so (`sparse`),
    the next page goes straight to it."""
    if not sparse:
        rows = _probe_in_order(qs, column, ascending, text, attributes, after, size)
        if rows is not None:
            return rows, False
    # Sparse matches: attribute and leading letters intersected in the GIN index, the
    # matching rows sorted. NULLS FIRST / LAST (no key here is NULL: each matched the
    # prefix) is the opposite of the btree's, so the planner cannot choose to walk that
    # index in order instead, through every user of the prefix.
    matches = _prefix_by_heads(qs, column, text).filter(custom_attributes__contains=attributes)
    order: list[Any] = (
        [F(column).asc(nulls_first=True), "pk"]
        if ascending
        else [F(column).desc(nulls_last=True), "-pk"]
    )
    return list(matches.order_by(*order)[:size]), True


def _probe_in_order(
    qs: QuerySet[User],
    column: str,
    ascending: bool,
    text: str,
    attributes: dict[str, Any],
    after: RawSQL | None,
    size: int,
) -> list[User] | None:
    """The page if the first PROBE_ROWS users of the prefix (in page order, after the
    cursor) hold it or are all the prefix holds; None when matches are sparser."""
    # 1. The PROBE_ROWS-th user from the start of the prefix (or the cursor), in page
    # order, whatever the other conditions: a walk of the (key, id) btree. The walk has
    # one bound only (not the prefix's end, not both the prefix's start and the cursor),
    # so the planner always walks: its estimate of a narrow range can be far too low
    # (`anna.k` among a million generated users: 3 rows for 16,667), and then it reads
    # and sorts the whole range instead. `inside` says whether that user is still in the
    # prefix; if not (or there is none), the probe covers the whole prefix.
    start, end = Q(**{f"{column}__gte": text}), Q(**{f"{column}__lt": _next_prefix(text)})
    probe = _keyed().filter(after if after is not None else start if ascending else end)
    inside = ExpressionWrapper(end if ascending else start, output_field=BooleanField())
    last = list(
        probe.annotate(inside=inside)
        .order_by(*_order(column, ascending))
        .values_list(column, "pk", "inside")[PROBE_ROWS - 1 : PROBE_ROWS]
    )
    whole_prefix = not last or not last[0][2]
    # 2. The page among those users: at most PROBE_ROWS rows read, whatever the filters.
    matches = qs.filter(_prefix(column, text), *_attributes_row_by_row(attributes))
    if last:
        value, pk, _ = last[0]
        matches = matches.filter(_keyset(column, ascending, value, pk, inclusive=True))
    rows = list(matches.order_by(*_order(column, ascending))[:size])
    if len(rows) == size or whole_prefix:
        return rows
    return None


def _attributes_row_by_row(attributes: dict[str, Any]) -> list[Any]:
    """The attribute filter as a test of each row: one equality per attribute (the same rows
    as containment, for the scalar values attributes hold). Containment would let the
    planner intersect the few rows in range with the attribute's whole GIN posting list,
    which costs more than testing them."""
    if not all(isinstance(v, str | int | float | bool) for v in attributes.values()):
        return [Q(custom_attributes__contains=attributes)]
    return [
        # Fixed SQL text; the attribute's name and JSON value are parameters.
        RawSQL(
            "(directory_user.custom_attributes -> %s) = %s::jsonb",
            [name, json.dumps(value)],
            output_field=BooleanField(),
        )
        for name, value in attributes.items()
    ]


def attribute_definitions() -> list[CustomAttribute]:
    return list(CustomAttribute.objects.order_by("name"))
