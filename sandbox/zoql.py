"""A small ZOQL (Zuora Object Query Language) engine: tokenizer, recursive-descent parser, evaluator.

The grammar ``POST /v1/action/query`` accepts, as Zuora documents it
(https://docs.zuora.com/en/zuora-platform/data/legacy-query-methods/zoql and
https://docs.zuora.com/en/zuora-platform/data/legacy-query-methods/zoql/filter-statements)::

    query      := "select" field ("," field)* "from" object ["where" or_expr]
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := condition ("and" condition)*      -- "and" binds tighter than "or"
    condition  := field op literal
    op         := "=" | "!=" | "<" | ">" | "<=" | ">=" | "like"   -- like: strings, % any run, _ one character
    literal    := 'single-quoted string' (backslash escapes \\' and \\\\) | number | null | true | false

Rules, following Zuora (each one is rejected with a ``ZoqlError`` carrying Zuora's fault code):
- no parentheses ("Parentheses to indicate order of operation are not supported in query() calls"): a
  where clause is an OR of ANDs;
- no IN, no joins, no comparison between two fields, no ORDER BY, no ``*``;
- at most 200 conditions in a where clause; a query string of at most 10,000 characters
  (https://docs.zuora.com/zuora-platform/integration/apis/soap-api/error-handling/faults);
- null checks are ``field = null`` / ``field != null``: ``is null`` is Export ZOQL's spelling
  ("Similar to SQL, Export ZOQL *also* supports the use of is null and is not null"), not ZOQL's;
- keywords are lower case ("All ZOQL keywords must be in lower case", Action_POSTquery); object and field
  names are matched case-insensitively ("In general, queries are not case sensitive") and answered in the
  schema's canonical spelling; an unknown field is an INVALID_FIELD fault, an unknown object INVALID_TYPE;
- a comparison with a null (missing) field is false (SQL semantics, the stricter reading), except ``= null``;
- datetime fields compare as instants (ISO-8601 literal with or without offset; naive means UTC;
  a date-only literal means midnight UTC); date fields compare as dates.

Everything here is pure: ``parse`` builds the syntax tree, ``compile_query`` checks it against a schema
and returns a ``CompiledQuery`` whose ``matches`` / ``project`` work on plain dict records.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

KEYWORDS = frozenset({"select", "from", "where", "and", "or", "like", "null", "true", "false"})
# Words of SQL that ZOQL does not have: named in the error instead of a bare "unexpected".
UNSUPPORTED = {
    "is": "null checks are written 'Field = null' / 'Field != null' ('is null' is Export ZOQL, not ZOQL)",
    "in": "ZOQL has no IN operator: write 'Field = 'a' or Field = 'b''",
    "not": "ZOQL has no NOT: use '!='",
    "order": "ZOQL does not support ORDER BY",
    "join": "ZOQL does not support joins",
    "limit": "ZOQL has no LIMIT",
}
OPERATORS = ("<=", ">=", "!=", "=", "<", ">")
MAX_CONDITIONS = 200  # "A maximum of 200 conditions are allowed in a WHERE clause of a query() call"
MAX_QUERY_LENGTH = 10_000  # "The maximum length of a query string in 10,000 characters" (MalformedQueryFault)

MALFORMED_QUERY = "MALFORMED_QUERY"
INVALID_FIELD = "INVALID_FIELD"
INVALID_TYPE = "INVALID_TYPE"
INVALID_VALUE = "INVALID_VALUE"


class ZoqlError(ValueError):
    """An invalid query. ``code`` is Zuora's fault code: MALFORMED_QUERY (syntax, limits), INVALID_FIELD
    (unknown field), INVALID_TYPE (unknown object) or INVALID_VALUE (a literal of the wrong type)."""

    def __init__(self, message: str, code: str = MALFORMED_QUERY) -> None:
        super().__init__(message)
        self.code = code


class FieldType(StrEnum):
    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"


Schema = Mapping[str, Mapping[str, FieldType]]  # object name -> field name -> type (canonical spelling)

# --------------------------------------------------------------------------------------------- tokens


class TokenKind(StrEnum):
    IDENT = "identifier"
    STRING = "string"
    NUMBER = "number"
    OP = "operator"
    COMMA = "','"
    END = "end of query"


@dataclass(frozen=True)
class Token:
    kind: TokenKind
    text: str  # identifier / operator text, string value (unescaped), number text
    pos: int  # 0-based offset in the query string

    def describe(self) -> str:
        if self.kind is TokenKind.END:
            return "end of query"
        if self.kind is TokenKind.STRING:
            return f"string '{self.text}'"
        return f"'{self.text}'"


def tokenize(text: str) -> list[Token]:
    """Split a ZOQL string into tokens; raises ZoqlError on an unexpected character or open string."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch.isalpha() or ch == "_":
            start = i
            while i < n and (text[i].isalnum() or text[i] == "_"):
                i += 1
            tokens.append(Token(TokenKind.IDENT, text[start:i], start))
        elif ch.isdigit() or (ch in "-+." and i + 1 < n and (text[i + 1].isdigit() or text[i + 1] == ".")):
            start = i
            i += 1
            while i < n and (text[i].isdigit() or text[i] == "."):
                i += 1
            literal = text[start:i]
            try:
                float(literal)
            except ValueError:
                raise ZoqlError(f"invalid number {literal!r} at position {start}") from None
            tokens.append(Token(TokenKind.NUMBER, literal, start))
        elif ch == "'":
            start = i
            i += 1
            chars: list[str] = []
            while True:
                if i >= n:
                    raise ZoqlError(f"unterminated string literal starting at position {start}")
                c = text[i]
                if c == "\\" and i + 1 < n:
                    chars.append(text[i + 1])
                    i += 2
                elif c == "'":
                    i += 1
                    break
                else:
                    chars.append(c)
                    i += 1
            tokens.append(Token(TokenKind.STRING, "".join(chars), start))
        elif ch == ",":
            tokens.append(Token(TokenKind.COMMA, ",", i))
            i += 1
        elif ch in "()":
            raise ZoqlError(
                f"parentheses are not supported in ZOQL (position {i}); 'and' binds tighter than 'or', "
                "so write the filter as an OR of ANDs"
            )
        elif ch == "*":
            raise ZoqlError(f"the wildcard '*' is not supported (position {i}); name every field")
        else:
            for op in OPERATORS:
                if text.startswith(op, i):
                    tokens.append(Token(TokenKind.OP, op, i))
                    i += len(op)
                    break
            else:
                raise ZoqlError(f"unexpected character {ch!r} at position {i}")
    tokens.append(Token(TokenKind.END, "", n))
    return tokens


# ----------------------------------------------------------------------------------------------- AST


@dataclass(frozen=True)
class Literal:
    value: str | int | float | bool | None  # None = the null literal
    is_string: bool = False


@dataclass(frozen=True)
class Comparison:
    field: str
    op: str  # one of OPERATORS, or "like"
    literal: Literal


@dataclass(frozen=True)
class NullCheck:
    field: str
    negated: bool  # True: "!= null"


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    operands: tuple[Expr, ...]


Expr = Comparison | NullCheck | BoolOp


@dataclass(frozen=True)
class Query:
    fields: tuple[str, ...]
    object_name: str
    where: Expr | None


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.i = 0

    # -- helpers
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def _at_end(self) -> bool:
        return self.tok.kind is TokenKind.END

    def _advance(self) -> Token:
        tok = self.tokens[self.i]
        if tok.kind is not TokenKind.END:
            self.i += 1
        return tok

    def _is_keyword(self, word: str) -> bool:
        tok = self.tok
        if tok.kind is not TokenKind.IDENT:
            return False
        if tok.text == word:
            return True
        if tok.text.lower() == word:
            raise ZoqlError(f"keywords must be lower case: {tok.text!r} at position {tok.pos}")
        return False

    def _refuse_unsupported(self) -> None:
        tok = self.tok
        if tok.kind is TokenKind.IDENT and tok.text.lower() in UNSUPPORTED:
            raise ZoqlError(f"{UNSUPPORTED[tok.text.lower()]} ('{tok.text}' at position {tok.pos})")

    def _expect_keyword(self, word: str) -> None:
        if not self._is_keyword(word):
            raise ZoqlError(f"expected '{word}' at position {self.tok.pos}, found {self.tok.describe()}")
        self._advance()

    def _expect(self, kind: TokenKind) -> Token:
        if self.tok.kind is not kind:
            raise ZoqlError(f"expected {kind.value} at position {self.tok.pos}, found {self.tok.describe()}")
        return self._advance()

    def _name(self, what: str) -> str:
        tok = self.tok
        if tok.kind is not TokenKind.IDENT:
            raise ZoqlError(f"expected {what} at position {tok.pos}, found {tok.describe()}")
        self._refuse_unsupported()
        if tok.text.lower() in KEYWORDS:
            if tok.text != tok.text.lower():
                raise ZoqlError(f"keywords must be lower case: {tok.text!r} at position {tok.pos}")
            raise ZoqlError(f"expected {what} at position {tok.pos}, found keyword '{tok.text}'")
        self._advance()
        return tok.text

    # -- grammar
    def query(self) -> Query:
        if self._at_end():
            raise ZoqlError("empty query")
        self._expect_keyword("select")
        fields = [self._name("a field name")]
        while self.tok.kind is TokenKind.COMMA:
            self._advance()
            fields.append(self._name("a field name"))
        self._expect_keyword("from")
        object_name = self._name("an object name")
        where: Expr | None = None
        if self._is_keyword("where"):
            self._advance()
            where = self.or_expr()
        if not self._at_end():
            self._refuse_unsupported()
            raise ZoqlError(f"unexpected {self.tok.describe()} at position {self.tok.pos}")
        return Query(tuple(fields), object_name, where)

    def or_expr(self) -> Expr:
        operands = [self.and_expr()]
        while self._is_keyword("or"):
            self._advance()
            operands.append(self.and_expr())
        return operands[0] if len(operands) == 1 else BoolOp("or", tuple(operands))

    def and_expr(self) -> Expr:
        operands = [self.primary()]
        while self._is_keyword("and"):
            self._advance()
            operands.append(self.primary())
        return operands[0] if len(operands) == 1 else BoolOp("and", tuple(operands))

    def primary(self) -> Expr:
        field = self._name("a field name")
        self._refuse_unsupported()
        if self._is_keyword("like"):
            self._advance()
            pattern = self.literal()
            if not pattern.is_string:
                raise ZoqlError(f"'like' needs a quoted pattern (field '{field}')")
            return Comparison(field, "like", pattern)
        if self.tok.kind is not TokenKind.OP:
            raise ZoqlError(
                f"expected a comparison operator after '{field}' at position {self.tok.pos}, "
                f"found {self.tok.describe()}"
            )
        op = self._advance().text
        literal = self.literal()
        if literal.value is None:
            if op == "=":
                return NullCheck(field, negated=False)
            if op == "!=":
                return NullCheck(field, negated=True)
            raise ZoqlError(f"operator '{op}' cannot be used with null (field '{field}')")
        return Comparison(field, op, literal)

    def literal(self) -> Literal:
        tok = self.tok
        if tok.kind is TokenKind.STRING:
            self._advance()
            return Literal(tok.text, is_string=True)
        if tok.kind is TokenKind.NUMBER:
            self._advance()
            number: int | float = float(tok.text) if "." in tok.text else int(tok.text)
            return Literal(number)
        for word, value in (("null", None), ("true", True), ("false", False)):
            if self._is_keyword(word):
                self._advance()
                return Literal(value)
        if tok.kind is TokenKind.IDENT and tok.text.lower() not in KEYWORDS:
            raise ZoqlError(
                f"expected a value at position {tok.pos}, found {tok.describe()}: "
                "ZOQL does not support comparing two fields (quote a string value)"
            )
        raise ZoqlError(f"expected a value at position {tok.pos}, found {tok.describe()}")


def count_conditions(expr: Expr | None) -> int:
    """The comparisons (null checks included) in a where clause."""
    if expr is None:
        return 0
    if isinstance(expr, BoolOp):
        return sum(count_conditions(operand) for operand in expr.operands)
    return 1


def parse(text: str) -> Query:
    """Parse a ZOQL query string into a syntax tree (no schema check). Raises ZoqlError."""
    if len(text) > MAX_QUERY_LENGTH:
        raise ZoqlError(f"the query string is {len(text)} characters long; the maximum is {MAX_QUERY_LENGTH}")
    query = _Parser(text).query()
    conditions = count_conditions(query.where)
    if conditions > MAX_CONDITIONS:
        raise ZoqlError(f"the where clause has {conditions} conditions; a ZOQL query allows at most {MAX_CONDITIONS}")
    return query


# ------------------------------------------------------------------------------------- typed values


def parse_datetime(text: str) -> datetime:
    """An ISO-8601 date or datetime as an aware UTC-comparable datetime (naive = UTC)."""
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def parse_date(text: str) -> date:
    """An ISO-8601 date; a datetime literal is accepted and its date part used."""
    value = text.strip()
    if len(value) > 10:
        return parse_datetime(value).date()
    return date.fromisoformat(value)


def format_datetime(value: datetime) -> str:
    """Zuora's wire format for datetimes: '2026-11-23T10:15:30.000+00:00' (UTC, second precision)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+00:00")


Comparable = str | float | bool | date | datetime


def coerce(value: Any, field_type: FieldType) -> Comparable:
    """A stored value or a literal as a Python value comparable for its field type (raises ValueError)."""
    if field_type is FieldType.DATETIME:
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day, tzinfo=UTC)
        return parse_datetime(str(value))
    if field_type is FieldType.DATE:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        return parse_date(str(value))
    if field_type is FieldType.NUMBER:
        if isinstance(value, bool):
            raise ValueError("boolean is not a number")
        return float(value)
    if field_type is FieldType.BOOLEAN:
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("true", "false"):
            return str(value).lower() == "true"
        raise ValueError(f"{value!r} is not a boolean")
    return str(value)


# ----------------------------------------------------------------------------------------- compile


@dataclass(frozen=True)
class _BoundComparison:
    field: str  # canonical
    field_type: FieldType
    op: str
    value: Comparable


@dataclass(frozen=True)
class _BoundNullCheck:
    field: str
    negated: bool


@dataclass(frozen=True)
class _BoundBoolOp:
    op: str
    operands: tuple[_Bound, ...]


_Bound = _BoundComparison | _BoundNullCheck | _BoundBoolOp


def _like(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern), re.DOTALL)


def _compare(left: Any, op: str, right: Any) -> bool:
    if op == "like":
        return _like(str(right)).fullmatch(str(left)) is not None
    if op == "=":
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    if op == "<":
        return bool(left < right)
    if op == ">":
        return bool(left > right)
    if op == "<=":
        return bool(left <= right)
    return bool(left >= right)


def _evaluate(expr: _Bound, record: Mapping[str, Any]) -> bool:
    if isinstance(expr, _BoundBoolOp):
        if expr.op == "and":
            return all(_evaluate(operand, record) for operand in expr.operands)
        return any(_evaluate(operand, record) for operand in expr.operands)
    value = record.get(expr.field)
    if isinstance(expr, _BoundNullCheck):
        return (value is not None) if expr.negated else (value is None)
    if value is None:
        return False  # SQL semantics: any comparison with null is false
    try:
        stored = coerce(value, expr.field_type)
    except (TypeError, ValueError):
        return False
    return _compare(stored, expr.op, expr.value)


@dataclass(frozen=True)
class CompiledQuery:
    """A query checked against a schema: canonical names, typed literals, ready to run on records."""

    object_name: str
    fields: tuple[str, ...]
    where: _Bound | None

    def matches(self, record: Mapping[str, Any]) -> bool:
        """Does this record (keyed by canonical field names) satisfy the where clause?"""
        return True if self.where is None else _evaluate(self.where, record)

    def project(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """The selected fields of a record, canonical names, null fields left out (as Zuora does)."""
        return {field: record[field] for field in self.fields if record.get(field) is not None}

    def run(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Filter and project, keeping the records' order."""
        return [self.project(record) for record in records if self.matches(record)]


def _canonical(names: Mapping[str, Any], name: str) -> str | None:
    lowered = name.lower()
    for candidate in names:
        if candidate.lower() == lowered:
            return candidate
    return None


def _bind(expr: Expr, object_name: str, fields: Mapping[str, FieldType]) -> _Bound:
    if isinstance(expr, BoolOp):
        return _BoundBoolOp(expr.op, tuple(_bind(operand, object_name, fields) for operand in expr.operands))
    field = _canonical(fields, expr.field)
    if field is None:
        raise ZoqlError(f"invalid field for query: {object_name}.{expr.field}", INVALID_FIELD)
    if isinstance(expr, NullCheck):
        return _BoundNullCheck(field, expr.negated)
    field_type = fields[field]
    raw = expr.literal.value
    if field_type in (FieldType.STRING, FieldType.DATE, FieldType.DATETIME) and not expr.literal.is_string:
        raise ZoqlError(f"invalid value for {field_type.value} field {field}: {raw!r} (quote it)", INVALID_VALUE)
    if expr.op == "like" and field_type is not FieldType.STRING:
        raise ZoqlError(f"'like' is only supported for string fields, not {field_type.value} field {field}")
    if field_type is FieldType.BOOLEAN and expr.op not in ("=", "!="):
        raise ZoqlError(f"operator '{expr.op}' is not supported for boolean field {field}")
    try:
        value = coerce(raw, field_type)
    except (TypeError, ValueError):
        raise ZoqlError(f"invalid value for {field_type.value} field {field}: {raw!r}", INVALID_VALUE) from None
    return _BoundComparison(field, field_type, expr.op, value)


def compile_query(text: str, schema: Schema) -> CompiledQuery:
    """Parse a query and check it against a schema. Raises ZoqlError naming the problem."""
    query = parse(text)
    object_name = _canonical(schema, query.object_name)
    if object_name is None:
        raise ZoqlError(f"invalid object for query: {query.object_name}", INVALID_TYPE)
    fields = schema[object_name]
    selected: list[str] = []
    for name in query.fields:
        canonical = _canonical(fields, name)
        if canonical is None:
            raise ZoqlError(f"invalid field for query: {object_name}.{name}", INVALID_FIELD)
        if canonical not in selected:
            selected.append(canonical)
    where = None if query.where is None else _bind(query.where, object_name, fields)
    return CompiledQuery(object_name, tuple(selected), where)
