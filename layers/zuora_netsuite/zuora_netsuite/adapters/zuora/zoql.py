"""Building ZOQL where-clauses that Zuora accepts.

ZOQL has no parentheses, no IN and no NOT; ``and`` binds tighter than ``or``; a where clause holds at most 200
conditions and a query string at most 10,000 characters:

- https://docs.zuora.com/en/zuora-platform/data/legacy-query-methods/zoql (limitations, 200 conditions)
- https://docs.zuora.com/en/zuora-platform/data/legacy-query-methods/zoql/filter-statements (operators, null)
- https://docs.zuora.com/zuora-platform/integration/apis/soap-api/error-handling/faults (10,000 characters)

So every filter is kept in disjunctive normal form: a ``Filter`` is an OR of AND-groups of ``Condition``s, and it
renders without a single parenthesis. ``all_of`` distributes AND over OR (the number of conditions multiplies:
it is counted and a query over 200 is refused before it is sent); ``any_of`` concatenates groups.
``in_chunks`` turns "field is one of these values" into as few queries as the limits allow.

Null checks are written ``Field = null`` / ``Field != null`` (the form the ZOQL pages document; ``is null`` is
Export ZOQL's). A comparison with a field that is null is false in Zuora, so "not 'No'" must be spelled
``Field = null or Field != 'No'`` when nulls count: ``is_null_or_not`` does that.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Literal

MAX_CONDITIONS = 200
MAX_QUERY_LENGTH = 10_000

Operator = Literal["=", "!=", "<", "<=", ">", ">="]
Value = str | int | Decimal | bool | date | datetime | None


class ZoqlLimitError(ValueError):
    """A filter Zuora would refuse (too many conditions, too long): split it, e.g. with ``in_chunks``."""


def _literal(value: Value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return "'" + moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+00:00") + "'"
    if isinstance(value, date):
        return f"'{value.isoformat()}'"
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _check_field(name: str) -> str:
    if not name or not (name[0].isalpha() and name.replace("_", "").isalnum()):
        raise ValueError(f"not a Zuora field name: {name!r}")
    return name


@dataclass(frozen=True)
class Condition:
    """``field op value``; ``value=None`` is a null check (only ``=`` and ``!=``)."""

    field: str
    op: Operator
    value: Value

    def __post_init__(self) -> None:
        _check_field(self.field)
        if self.value is None and self.op not in ("=", "!="):
            raise ValueError(f"{self.field} {self.op} null: only = null and != null are ZOQL")

    def render(self) -> str:
        return f"{self.field} {self.op} {_literal(self.value)}"


Group = tuple[Condition, ...]  # conditions joined by "and"


@dataclass(frozen=True)
class Filter:
    """An OR of AND-groups (disjunctive normal form). ``Filter(())`` matches nothing; ``ALL`` matches all."""

    groups: tuple[Group, ...]

    @property
    def conditions(self) -> int:
        """What Zuora counts against its 200-condition limit."""
        return sum(len(group) for group in self.groups)

    def render(self) -> str:
        """The where-clause text: no parentheses, ``and`` inside groups, ``or`` between them."""
        if not self.groups:
            raise ValueError("an empty filter matches nothing: do not send the query")
        if any(not group for group in self.groups):
            raise ValueError("a filter with an always-true group has no where clause; use where(None)")
        text = " or ".join(" and ".join(c.render() for c in group) for group in self.groups)
        if self.conditions > MAX_CONDITIONS:
            raise ZoqlLimitError(
                f"this ZOQL filter has {self.conditions} conditions; Zuora allows at most {MAX_CONDITIONS}"
            )
        return text

    @property
    def matches_all(self) -> bool:
        return any(not group for group in self.groups)


ALL = Filter(((),))  # no condition: every record
NOTHING = Filter(())


def cond(field: str, op: Operator, value: Value) -> Filter:
    return Filter(((Condition(field, op, value),),))


def eq(field: str, value: Value) -> Filter:
    return cond(field, "=", value)


def ne(field: str, value: Value) -> Filter:
    return cond(field, "!=", value)


def is_null(field: str) -> Filter:
    return cond(field, "=", None)


def not_null(field: str) -> Filter:
    return cond(field, "!=", None)


def any_of(*filters: Filter) -> Filter:
    """OR: the groups of every filter, duplicates dropped (order kept)."""
    groups: dict[Group, None] = {}
    for f in filters:
        if f.matches_all:
            return ALL
        groups.update(dict.fromkeys(f.groups))
    return Filter(tuple(groups))


def all_of(*filters: Filter) -> Filter:
    """AND: every combination of one group from each filter (AND distributed over OR)."""
    result: tuple[Group, ...] = ((),)
    for f in filters:
        result = tuple(_merge(left, right) for left in result for right in f.groups)
    return any_of(Filter(result))


def _merge(left: Group, right: Group) -> Group:
    return left + tuple(c for c in right if c not in left)


def one_of(field: str, values: Iterable[Value]) -> Filter:
    """``field = v1 or field = v2 ...`` (ZOQL has no IN)."""
    return any_of(*(eq(field, value) for value in values))


def is_null_or_not(field: str, value: Value) -> Filter:
    """Null or different from ``value``: in Zuora ``field != value`` alone is false when the field is null."""
    return any_of(is_null(field), ne(field, value))


def select(object_name: str, fields: Sequence[str], where: Filter | None = None) -> str:
    """A complete query string; refused (ZoqlLimitError) when Zuora would refuse it."""
    _check_field(object_name)
    names = list(dict.fromkeys(_check_field(name) for name in fields))
    if not names:
        raise ValueError("select at least one field (ZOQL has no '*')")
    query = f"select {', '.join(names)} from {object_name}"  # noqa: S608 - names checked, values quoted
    if where is not None and not where.matches_all:
        query += f" where {where.render()}"
    if len(query) > MAX_QUERY_LENGTH:
        raise ZoqlLimitError(f"this ZOQL query is {len(query)} characters long; Zuora allows {MAX_QUERY_LENGTH}")
    return query


def in_chunks(
    object_name: str,
    fields: Sequence[str],
    field: str,
    values: Iterable[Value],
    *,
    where: Filter = ALL,
    max_conditions: int = MAX_CONDITIONS,
) -> Iterator[str]:
    """Queries for "``where`` and ``field`` is one of ``values``", each within Zuora's limits.

    Each value costs one condition per AND-group of ``where`` plus that group's own conditions (AND distributes
    over OR), so a chunk holds as many values as keep the whole where clause within ``max_conditions`` and the
    query string within 10,000 characters. Duplicate values are sent once.
    """
    wanted = list(dict.fromkeys(values))
    if not wanted or not where.groups:
        return
    per_value = sum(len(group) + 1 for group in where.groups)
    if per_value > max_conditions:
        raise ZoqlLimitError(f"the base filter alone needs {per_value} conditions per value; split it first")
    start = 0
    while start < len(wanted):
        end = min(len(wanted), start + max(1, max_conditions // per_value))
        query = _try_select(object_name, fields, all_of(where, one_of(field, wanted[start:end])))
        if query is None:  # too long: the most values that fit (binary search)
            fits, too_many = start, end
            while too_many - fits > 1:
                middle = (fits + too_many) // 2
                candidate = _try_select(object_name, fields, all_of(where, one_of(field, wanted[start:middle])))
                if candidate is None:
                    too_many = middle
                else:
                    fits, query = middle, candidate
            if query is None:
                raise ZoqlLimitError(f"one {field} value alone makes the query too long for Zuora")
            end = fits
        yield query
        start = end


def _try_select(object_name: str, fields: Sequence[str], where: Filter) -> str | None:
    try:
        return select(object_name, fields, where)
    except ZoqlLimitError:
        return None
