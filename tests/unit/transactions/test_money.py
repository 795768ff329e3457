"""Money: exact Decimal amounts, lines that add up to the total, currencies NetSuite must know."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zuora_netsuite.mapping.money import MoneyProblem, amount, lines_to_total


def test_a_float_from_the_zuora_json_becomes_the_decimal_it_was_written_as() -> None:
    assert amount(19.99, "USD", "Amount") == Decimal("19.99")
    assert amount(1234.1, "EUR", "Amount") == Decimal("1234.10")
    assert amount(Decimal("1200"), "JPY", "Amount") == Decimal("1200")


def test_an_amount_with_more_decimals_than_its_currency_is_refused_not_rounded() -> None:
    with pytest.raises(MoneyProblem, match=r"10\.005 has more decimals than USD allows \(2\)"):
        amount(Decimal("10.005"), "USD", "Amount")
    with pytest.raises(MoneyProblem, match="JPY allows"):
        amount(Decimal("10.5"), "JPY", "Amount")


def test_lines_rounded_one_by_one_are_adjusted_to_add_up_exactly_to_the_total() -> None:
    # Given three lines of 33.33 for a total of 100.00 (Zuora rounded each line)
    lines = [Decimal("33.33")] * 3
    # When they are fitted to the total
    fitted = lines_to_total(lines, Decimal("100.00"), "USD", "Invoice")
    # Then they add up to it exactly, the cent going to one line
    assert sum(fitted) == Decimal("100.00")
    assert sorted(fitted) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]


def test_lines_that_do_not_add_up_to_the_total_are_a_problem_naming_both_sums() -> None:
    with pytest.raises(MoneyProblem, match=r"add up to 90.00 EUR but the total is 100.00 EUR"):
        lines_to_total([Decimal("90.00")], Decimal("100.00"), "EUR", "Invoice")
