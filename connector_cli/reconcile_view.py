"""How a reconciliation is shown: tables for people that never cut an amount, and CSV for spreadsheets.

Every amount is printed whole: the money columns do not wrap and are as wide as their longest amount; when a table
cannot fit the terminal so, it is printed as one line per row instead (the narrow layout), never with an ellipsis.
`python -m connector_cli reconcile` and `make run` (sandbox/__main__.py) print through here; `--json` and `--csv`
carry the exact Decimal strings.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import IO, TYPE_CHECKING

from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from zuora_netsuite.mapping.money import quantum

if TYPE_CHECKING:
    from zuora_netsuite.logic.balances import BalanceLine
    from zuora_netsuite.logic.reconciliation import Difference, Reconciliation, ReconciliationLine

NOT_COMPARED = "n/a"
_UNBOUNDED = 100_000


def amount(value: Decimal | None, currency: str = "") -> str:
    """An amount with thousands separators and the currency's minor units (12.5 USD: 12.50); never rounded."""
    if value is None:
        return NOT_COMPARED
    if len(currency) == 3 and currency.isalpha():
        with_minor_units = value.quantize(quantum(currency))
        if with_minor_units == value:
            value = with_minor_units
    return f"{value:,}"


def _state(matches: bool) -> Text:
    return Text("ok", style="green") if matches else Text("differs", style="bold red")


def _table(title: str, columns: Sequence[tuple[str, str]], rows: Iterable[Sequence[str | Text]]) -> Table:
    """columns: (header, kind) with kind "text" (may fold), "key" (left, kept whole) or "money" (right, whole)."""
    rows = [list(row) for row in rows]
    table = Table(title=title, expand=False, box=box.SIMPLE_HEAD)
    for index, (header, kind) in enumerate(columns):
        longest = max([*(len(part) for part in header.split("\n")), *(len(str(row[index])) for row in rows)])
        if kind == "text":
            table.add_column(header, overflow="fold")
        else:
            table.add_column(
                header, justify="right" if kind == "money" else "left", no_wrap=True, overflow="fold", min_width=longest
            )
    for row in rows:
        table.add_row(*(cell if isinstance(cell, Text) else Text(cell) for cell in row))
    return table


def print_fitting(out: Console, table: Table, narrow_lines: Callable[[], list[str]]) -> None:
    """The table when its amounts fit the console whole, otherwise one line per row (the narrow layout)."""
    # measured without the console's width (a measure within it is clamped to it): the width the table needs
    if Measurement.get(out, out.options.update(max_width=_UNBOUNDED), table).minimum <= out.width:
        out.print(table)
        return
    if table.title:
        out.print(Text(str(table.title), style="italic"))
    for line in narrow_lines():
        out.print(Text(line))


def print_totals(out: Console, result: Reconciliation, title: str) -> None:
    """Per record type and currency: count and total on both sides."""
    columns = (("type", "key"), ("cur.", "key"), ("Zuora\ncount", "money"), ("Zuora\ntotal", "money"),
               ("NetSuite\ncount", "money"), ("NetSuite\ntotal", "money"), ("", "key"))  # fmt: skip

    def cells(line: ReconciliationLine) -> tuple[str, str, str, str, str, str]:
        return (line.record_type.value, line.currency, str(line.zuora_count), amount(line.zuora_total, line.currency),
                str(line.netsuite_count), amount(line.netsuite_total, line.currency))  # fmt: skip

    def narrow() -> list[str]:
        lines = []
        for line in result.lines:
            kind, currency, z_count, z_total, n_count, n_total = cells(line)
            state = "ok" if line.matches else "DIFFERS"
            lines.append(f"{kind} {currency}: Zuora {z_count} / {z_total}; NetSuite {n_count} / {n_total}; {state}")
        return lines

    rows = [(*cells(line), _state(line.matches)) for line in result.lines]
    print_fitting(out, _table(title, columns, rows), narrow)


def print_balances(
    out: Console, balances: Sequence[BalanceLine], title: str = "Open balances per customer and currency"
) -> None:
    """Per customer and currency: open AR and unapplied cash/credit on both sides."""
    columns = (("customer", "key"), ("cur.", "key"), ("Zuora\nopen AR", "money"), ("NetSuite\nopen AR", "money"),
               ("Zuora\nunapplied", "money"), ("NetSuite\nunapplied", "money"), ("", "key"))  # fmt: skip

    def cells(b: BalanceLine) -> tuple[str, str, str, str, str, str]:
        return (b.customer, b.currency, amount(b.zuora_open_ar, b.currency), amount(b.netsuite_open_ar, b.currency),
                amount(b.zuora_unapplied, b.currency), amount(b.netsuite_unapplied, b.currency))  # fmt: skip

    def narrow() -> list[str]:
        lines = []
        for b in balances:
            customer, currency, z_ar, n_ar, z_un, n_un = cells(b)
            state = "ok" if b.matches else "DIFFERS"
            lines.append(
                f"{customer} {currency}: open AR Zuora {z_ar}, NetSuite {n_ar}; unapplied Zuora {z_un}, "
                f"NetSuite {n_un}; {state}"
            )
        return lines

    rows = [(*cells(b), _state(b.matches)) for b in balances]
    print_fitting(out, _table(title, columns, rows), narrow)


def print_differences(out: Console, differences: Sequence[Difference], title: str) -> None:
    """Every record that differs, with both amounts and why."""
    columns = (("type", "key"), ("Zuora id", "text"), ("number", "key"), ("cur.", "key"), ("Zuora", "money"),
               ("NetSuite", "money"), ("why", "text"))  # fmt: skip

    def cells(d: Difference) -> tuple[str, str, str, str, str, str, str]:
        return (d.record_type.value, d.zuora_id, d.number, d.currency, amount(d.zuora_amount, d.currency),
                amount(d.netsuite_amount, d.currency), d.reason)  # fmt: skip

    def narrow() -> list[str]:
        lines = []
        for d in differences:
            kind, zuora_id, number, currency, z_amount, n_amount, reason = cells(d)
            lines.append(f"{kind} {number} ({zuora_id}) {currency}: Zuora {z_amount}, NetSuite {n_amount}: {reason}")
        return lines

    print_fitting(out, _table(title, columns, [cells(d) for d in differences]), narrow)


def print_balances_summary(out: Console, result: Reconciliation) -> None:
    """The balances table when some customer differs; one line when all agree (data sets have many customers)."""
    differing = [b for b in result.balances if not b.matches]
    if differing:
        print_balances(out, differing, f"{len(differing)} customer balance(s) differ")
    else:
        out.print(f"Open AR and unapplied amounts agree for all {len(result.balances)} customer/currency pairs.")


CSV_COLUMNS = ("section", "record_type", "currency", "customer", "zuora_id", "number", "zuora_count",
               "netsuite_count", "zuora_amount", "netsuite_amount", "zuora_open_ar", "netsuite_open_ar",
               "zuora_unapplied", "netsuite_unapplied", "matches", "reason")  # fmt: skip


def _csv_amount(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def csv_rows(result: Reconciliation) -> list[dict[str, str]]:
    """One row per total line ("total"), customer balance ("balance") and differing record ("difference")."""
    rows = [
        {"section": "total", "record_type": line.record_type.value, "currency": line.currency,
         "zuora_count": str(line.zuora_count), "netsuite_count": str(line.netsuite_count),
         "zuora_amount": str(line.zuora_total), "netsuite_amount": str(line.netsuite_total),
         "matches": str(line.matches).lower()}
        for line in result.lines
    ]  # fmt: skip
    rows += [
        {"section": "balance", "customer": b.customer, "currency": b.currency,
         "zuora_open_ar": str(b.zuora_open_ar), "netsuite_open_ar": str(b.netsuite_open_ar),
         "zuora_unapplied": _csv_amount(b.zuora_unapplied), "netsuite_unapplied": _csv_amount(b.netsuite_unapplied),
         "matches": str(b.matches).lower()}
        for b in result.balances
    ]  # fmt: skip
    rows += [
        {"section": "difference", "record_type": d.record_type.value, "currency": d.currency, "zuora_id": d.zuora_id,
         "number": d.number, "zuora_amount": _csv_amount(d.zuora_amount),
         "netsuite_amount": _csv_amount(d.netsuite_amount), "matches": "false", "reason": d.reason}
        for d in result.differences
    ]  # fmt: skip
    return rows


def write_csv(stream: IO[str], result: Reconciliation) -> None:
    writer = csv.DictWriter(stream, fieldnames=CSV_COLUMNS, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(csv_rows(result))


__all__ = [
    "amount",
    "csv_rows",
    "print_balances",
    "print_balances_summary",
    "print_differences",
    "print_fitting",
    "print_totals",
    "write_csv",
]
