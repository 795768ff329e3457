"""The small subset of SuiteQL the simulator understands.

    SELECT <* | col [AS alias], ...> FROM <table> [alias]
      [WHERE <cond> [AND <cond>]...]
      [ORDER BY col [ASC|DESC], ...]

    cond := col = 'v' | col = 42 | col != 'v' | col <> 'v' | col [NOT] IN ('a', 'b') | col IS [NOT] NULL
          | col > 42 | col >= 42 | col < 42 | col <= 42 | col [NOT] LIKE 'zuora-%'

``LIKE`` takes ``%`` (any run of characters) and ``_`` (one character) and is case-sensitive, as in Oracle
SQL; ``<``/``>`` compare numbers as numbers (``id > 99`` is keyset paging), other values as text.

Keywords and column names are case-insensitive; columns come back lower case, as SuiteQL returns
them; a null column is left out of its row (as SuiteQL does). Values are strings; booleans are
``'T'`` / ``'F'``. Anything else -> 400 ``INVALID_PARAMETER`` "Invalid search query".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sandbox.netsuite_errors import INVALID_PARAMETER, NetSuiteApiError, bad_request

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>-?\d+(?:\.\d+)?)|(?P<ident>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)"
    r"|(?P<op><>|!=|>=|<=|=|>|<|\(|\)|,|\*|;))"
)
_KEYWORDS = frozenset(
    {"select", "from", "where", "and", "or", "in", "not", "is", "null", "order", "by", "asc", "desc", "as", "like"}
)


@dataclass(frozen=True)
class Condition:
    column: str
    op: str  # "=", "!=", "in", "not in", "is null", "is not null", ">", ">=", "<", "<=", "like", "not like"
    values: tuple[str, ...] = ()

    def matches(self, row: Mapping[str, str]) -> bool:
        value = row.get(self.column)
        if self.op == "is null":
            return value is None
        if self.op == "is not null":
            return value is not None
        if value is None:
            return False  # SQL: a comparison with NULL is never true
        if self.op == "=":
            return _equal(value, self.values[0])
        if self.op == "!=":
            return not _equal(value, self.values[0])
        if self.op in (">", ">=", "<", "<="):
            order = _compare(value, self.values[0])
            return {">": order > 0, ">=": order >= 0, "<": order < 0, "<=": order <= 0}[self.op]
        if self.op in ("like", "not like"):
            hit = _like(self.values[0]).fullmatch(value) is not None
            return hit if self.op == "like" else not hit
        hit = any(_equal(value, v) for v in self.values)
        return hit if self.op == "in" else not hit


@dataclass(frozen=True)
class SelectQuery:
    columns: tuple[tuple[str, str], ...] | None  # (source column, output name); None = *
    table: str
    where: tuple[Condition, ...] = ()
    order_by: tuple[tuple[str, bool], ...] = ()  # (column, descending)

    def run(self, rows: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
        selected = [row for row in rows if all(c.matches(row) for c in self.where)]
        for column, descending in reversed(self.order_by):
            present = [r for r in selected if r.get(column) is not None]
            missing = [r for r in selected if r.get(column) is None]
            present.sort(key=_column_key(column), reverse=descending)
            selected = present + missing  # NULLS LAST
        out: list[dict[str, str]] = []
        for row in selected:
            if self.columns is None:
                out.append(dict(row))
            else:
                out.append({alias: row[src] for src, alias in self.columns if row.get(src) is not None})
        return out


def invalid_query(reason: str) -> NetSuiteApiError:
    return bad_request(
        INVALID_PARAMETER,
        f"Invalid search query. Detailed unprocessed description follows. {reason}",
    )


def parse(q: str) -> SelectQuery:
    """Parse one SELECT statement; raises NetSuiteApiError (400 INVALID_PARAMETER)."""
    return _Parser(_tokenize(q)).parse()


def to_suiteql_value(value: Any) -> str | None:
    """How SuiteQL renders a stored field: booleans 'T'/'F', references their internal id."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "T" if value else "F"
    if isinstance(value, Mapping):
        if "id" in value:
            return str(value["id"])
        items = value.get("items")
        if isinstance(items, list) and all(isinstance(i, Mapping) and "id" in i for i in items):
            return ", ".join(str(i["id"]) for i in items)
        return None
    if isinstance(value, list):
        return None
    return str(value)


def _equal(value: str, literal: str) -> bool:
    if value == literal:
        return True
    try:
        return Decimal(value) == Decimal(literal)
    except InvalidOperation:
        return False


def _compare(value: str, literal: str) -> int:
    try:
        left, right = Decimal(value), Decimal(literal)
    except InvalidOperation:
        return (value > literal) - (value < literal)
    return (left > right) - (left < right)


def _like(pattern: str) -> re.Pattern[str]:
    parts = ["." if ch == "_" else ".*" if ch == "%" else re.escape(ch) for ch in pattern]
    return re.compile("".join(parts), re.DOTALL)


def _column_key(column: str) -> Callable[[Mapping[str, str]], tuple[int, Decimal, str]]:
    return lambda row: _sort_key(row[column])


def _sort_key(value: str) -> tuple[int, Decimal, str]:
    try:
        return (0, Decimal(value), "")
    except InvalidOperation:
        return (1, Decimal(0), value)


def _tokenize(q: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = q.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise invalid_query(f"Unexpected character at position {pos}: {text[pos : pos + 20]!r}")
        kind = match.lastgroup or ""
        raw = match.group(kind)
        if kind == "string":
            tokens.append(("string", raw[1:-1].replace("''", "'")))
        elif kind == "ident" and raw.lower() in _KEYWORDS:
            tokens.append(("kw", raw.lower()))
        elif kind == "ident":
            tokens.append(("ident", raw.lower()))
        else:
            tokens.append((kind, raw))
        pos = match.end()
    while tokens and tokens[-1] == ("op", ";"):
        tokens.pop()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self._tokens = tokens
        self._pos = 0

    def parse(self) -> SelectQuery:
        self._expect_kw("select")
        columns = self._select_list()
        self._expect_kw("from")
        table = self._ident()
        if self._peek()[0] == "ident":  # table alias
            self._pos += 1
        where: list[Condition] = []
        if self._accept_kw("where"):
            where.append(self._condition())
            while self._accept_kw("and"):
                where.append(self._condition())
            if self._peek() == ("kw", "or"):
                raise invalid_query("OR is not supported by the simulator.")
        order: list[tuple[str, bool]] = []
        if self._accept_kw("order"):
            self._expect_kw("by")
            while True:
                column = self._ident()
                descending = False
                if self._accept_kw("desc"):
                    descending = True
                else:
                    self._accept_kw("asc")
                order.append((column, descending))
                if not self._accept_op(","):
                    break
        if self._pos != len(self._tokens):
            raise invalid_query(f"Unexpected token {self._tokens[self._pos][1]!r}.")
        return SelectQuery(columns, table, tuple(where), tuple(order))

    def _select_list(self) -> tuple[tuple[str, str], ...] | None:
        if self._accept_op("*"):
            return None
        columns: list[tuple[str, str]] = []
        while True:
            source = self._ident()
            alias = source
            if self._accept_kw("as") or self._peek()[0] == "ident":
                alias = self._ident()
            columns.append((source, alias))
            if not self._accept_op(","):
                return tuple(columns)

    def _condition(self) -> Condition:
        column = self._ident()
        if self._accept_op("="):
            return Condition(column, "=", (self._literal(),))
        if self._accept_op("!=") or self._accept_op("<>"):
            return Condition(column, "!=", (self._literal(),))
        for op in (">=", "<=", ">", "<"):
            if self._accept_op(op):
                return Condition(column, op, (self._literal(),))
        if self._accept_kw("is"):
            negated = self._accept_kw("not")
            self._expect_kw("null")
            return Condition(column, "is not null" if negated else "is null")
        negated = self._accept_kw("not")
        if self._accept_kw("like"):
            pattern = self._literal()
            return Condition(column, "not like" if negated else "like", (pattern,))
        self._expect_kw("in")
        if not self._accept_op("("):
            raise invalid_query("Expected '(' after IN.")
        values = [self._literal()]
        while self._accept_op(","):
            values.append(self._literal())
        if not self._accept_op(")"):
            raise invalid_query("Expected ')' to close IN (...).")
        return Condition(column, "not in" if negated else "in", tuple(values))

    def _peek(self) -> tuple[str, str]:
        return self._tokens[self._pos] if self._pos < len(self._tokens) else ("eof", "")

    def _ident(self) -> str:
        kind, value = self._peek()
        if kind != "ident":
            raise invalid_query(f"Expected a name, found {value or 'end of query'!r}.")
        self._pos += 1
        return value.rsplit(".", 1)[-1]  # t.col -> col

    def _literal(self) -> str:
        kind, value = self._peek()
        if kind not in ("string", "number"):
            raise invalid_query(f"Expected a value, found {value or 'end of query'!r}.")
        self._pos += 1
        return value

    def _accept_kw(self, keyword: str) -> bool:
        if self._peek() == ("kw", keyword):
            self._pos += 1
            return True
        return False

    def _expect_kw(self, keyword: str) -> None:
        if not self._accept_kw(keyword):
            raise invalid_query(f"Expected {keyword.upper()}, found {self._peek()[1] or 'end of query'!r}.")

    def _accept_op(self, op: str) -> bool:
        if self._peek() == ("op", op):
            self._pos += 1
            return True
        return False
