"""`reconcile` never cuts an amount (issue 13): at 80 columns every amount is printed whole, in a table when it
fits and one line per row when it does not; CSV carries the exact Decimal strings."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from rich.console import Console

from connector_cli import reconcile_view as view
from zuora_netsuite.logic.balances import BalanceLine
from zuora_netsuite.logic.reconciliation import Difference, Reconciliation, ReconciliationLine
from zuora_netsuite.models.record_types import RecordType

BIG = Decimal("123456789012.34")


def _result(customers: int = 2) -> Reconciliation:
    return Reconciliation(
        lines=[
            ReconciliationLine(RecordType.INVOICE, "USD", 12, Decimal("11787.45"), 12, Decimal("11787.45")),
            ReconciliationLine(RecordType.PAYMENT, "JPY", 3_000, BIG, 2_999, BIG - Decimal("0.01")),
        ],
        differences=[
            Difference(
                RecordType.PAYMENT,
                "8a8aa1b2c3d4e5f60718293a4b5c6d7e",
                "P-00012345",
                "JPY",
                Decimal("0.01"),
                None,
                "not in NetSuite: Customer 4711 has no deposit rule (sync config payments.deposit_rules)",
            ),
        ],
        balances=[
            BalanceLine(f"A-{n:08}-LONG-CUSTOMER", "EUR", BIG, BIG, Decimal("98765432.1"), Decimal("98765432.10"))
            for n in range(customers)
        ],
    )


def _printed(width: int) -> str:
    out = Console(width=width, file=io.StringIO(), force_terminal=False, color_system=None)
    result = _result()
    view.print_totals(out, result, "Reconciliation")
    view.print_balances(out, result.balances)
    view.print_differences(out, result.differences, "1 record(s) differ")
    assert isinstance(out.file, io.StringIO)
    return out.file.getvalue()


def test_at_80_columns_every_amount_is_printed_whole():
    # Given totals, balances and a difference with twelve-digit amounts
    # When printed on an 80-column terminal
    printed = _printed(80)
    # Then nothing is cut: no ellipsis, and every amount appears whole with its separators and minor units
    assert "…" not in printed
    for text in ("11,787.45", "123,456,789,012.34", "123,456,789,012.33", "98,765,432.10", "0.01", "3000", "2999"):
        assert text in printed, text
    # and the customers and the reason are all there
    assert "A-00000001-LONG-CUSTOMER" in printed
    assert "deposit rule" in " ".join(printed.split())


def test_a_table_that_fits_is_printed_as_a_table():
    # Given amounts that fit an 80-column table
    out = Console(width=80, file=io.StringIO(), color_system=None)
    result = Reconciliation(lines=[ReconciliationLine(RecordType.INVOICE, "USD", 12, Decimal("11787.45"), 12,
                                                      Decimal("11787.45"))])  # fmt: skip
    # When printed
    view.print_totals(out, result, "Reconciliation")
    # Then it is a table: a header row, the amounts in their columns
    assert isinstance(out.file, io.StringIO)
    printed = out.file.getvalue()
    assert "NetSuite" in printed
    assert "invoice USD: Zuora" not in printed
    assert printed.count("11,787.45") == 2


def test_a_table_too_wide_for_the_terminal_is_printed_one_line_per_row():
    # Given a terminal narrower than the balances table can be without cutting an amount
    printed = _printed(60)
    # Then the rows come as lines, each amount whole
    assert "…" not in printed
    joined = " ".join(printed.split())
    assert "invoice USD: Zuora 12 / 11,787.45; NetSuite 12 / 11,787.45; ok" in joined
    assert "open AR Zuora 123,456,789,012.34, NetSuite 123,456,789,012.34" in joined


def test_an_amount_shows_the_currency_minor_units_but_is_never_rounded():
    assert view.amount(Decimal("12.5"), "USD") == "12.50"
    assert view.amount(Decimal("1234.005"), "USD") == "1,234.005"  # never rounded to 1,234.00 / 1,234.01
    assert view.amount(Decimal("1500"), "JPY") == "1,500"
    assert view.amount(None, "USD") == "n/a"


def test_csv_carries_every_line_balance_and_difference_with_exact_amounts():
    # When the reconciliation is written as CSV
    stream = io.StringIO()
    view.write_csv(stream, _result(customers=1))
    rows = list(csv.DictReader(io.StringIO(stream.getvalue())))
    # Then each section is there, amounts as exact Decimal strings
    assert [r["section"] for r in rows] == ["total", "total", "balance", "difference"]
    assert rows[1]["zuora_amount"] == "123456789012.34"
    assert rows[1]["netsuite_amount"] == "123456789012.33"
    assert rows[1]["matches"] == "false"
    assert (rows[2]["zuora_open_ar"], rows[2]["zuora_unapplied"], rows[2]["netsuite_unapplied"]) == (
        "123456789012.34", "98765432.1", "98765432.10",
    )  # fmt: skip
    assert rows[3]["netsuite_amount"] == ""
    assert "deposit rule" in rows[3]["reason"]
