"""SuiteQL over tables that can outgrow one query: keyset paging by internal id.

A SuiteQL query through REST returns at most 100,000 results, in pages of at most 1000 (``limit``/``offset``),
and offset paging is only stable with a unique sort order (Oracle NetSuite help, "Executing SuiteQL Queries
Through REST Web Services", https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_157909186990.html,
and "Using SuiteQL with SuiteTalk REST Web Services", section_158394344595). :func:`keyset_rows` therefore runs
the query in chunks ``... WHERE <filters> AND id > <last id seen> ORDER BY id``, each far below the cap and each
offset-paged in id order: every row comes exactly once, whatever the table's size, and a row inserted while
the scan runs is either seen once or not at all.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator, Sequence
from typing import Any

from zuora_netsuite.failures import FailureKind, NetSuiteError
from zuora_netsuite.ports import NetSuiteApi

KEYSET_CHUNK_ROWS = 50_000  # rows per query: half NetSuite's 100,000 cap, a multiple of the 1000-row page
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def keyset_rows(
    netsuite: NetSuiteApi,
    *,
    columns: Sequence[str],
    table: str,
    where: Sequence[str] = (),
    chunk_rows: int = KEYSET_CHUNK_ROWS,
) -> Iterator[dict[str, Any]]:
    """Every row of ``SELECT <columns> FROM <table> WHERE <where...>`` in ascending internal id, once each.

    ``where`` holds SuiteQL conditions joined with AND (the caller quotes its literals); ``columns`` must
    include ``id``. Each query asks for at most ``chunk_rows`` rows before the next one starts after the last
    id seen, so no query comes near NetSuite's 100,000-result cap."""
    if "id" not in columns:
        raise ValueError("keyset paging needs the id column")
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be at least 1")
    for name in (table, *columns):
        if not _NAME.fullmatch(name):
            raise ValueError(f"not a SuiteQL name: {name!r}")
    last_id: int | None = None
    while True:
        conditions = [*where, *([f"id > {last_id}"] if last_id is not None else [])]
        query = f"SELECT {', '.join(columns)} FROM {table}"  # noqa: S608 - names checked above, literals the caller's
        if conditions:
            query += " WHERE " + " AND ".join(conditions)
        query += " ORDER BY id"
        last_id, taken = yield from _chunk(netsuite, query, last_id, chunk_rows)
        if taken < chunk_rows:
            return


def _chunk(
    netsuite: NetSuiteApi, query: str, last_id: int | None, chunk_rows: int
) -> Generator[dict[str, Any], None, tuple[int | None, int]]:
    """The rows of one keyset query, at most `chunk_rows`; returns the last id seen and how many rows came."""
    taken = 0
    rows = netsuite.suiteql(query)
    try:
        for row in rows:
            row_id = _row_id(row, query)
            if last_id is not None and row_id <= last_id:
                raise NetSuiteError(
                    f"NetSuite SuiteQL answered id {row_id} after {last_id} although the query orders by id: "
                    f"keyset paging cannot go on. Query: {query}",
                    code="SUITEQL_ORDER",
                    kind=FailureKind.TRANSIENT,
                )
            last_id = row_id
            taken += 1
            yield row
            if taken >= chunk_rows:
                break
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()
    return last_id, taken


def _row_id(row: dict[str, Any], query: str) -> int:
    value = row.get("id")
    try:
        return int(str(value))
    except ValueError:
        raise NetSuiteError(
            f"NetSuite SuiteQL row without a numeric id ({value!r}). Query: {query}",
            code="INVALID_RESPONSE",
            kind=FailureKind.TRANSIENT,
        ) from None


__all__ = ["KEYSET_CHUNK_ROWS", "keyset_rows"]
