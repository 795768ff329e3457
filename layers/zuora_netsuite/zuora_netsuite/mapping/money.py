"""Money: Decimal from the Zuora JSON to the NetSuite JSON, never a float in between.

- Amounts are quantized to the currency's minor unit (2 decimals; 0 for JPY, KRW, ...; 3 for BHD, KWD, ...).
  A Zuora amount with more decimals than its currency has is a validation problem, not something to round.
- Line amounts always add up exactly to the Zuora total: a difference of at most half a minor unit per line
  (Zuora rounding each line) is put on the largest line; a larger one is a validation problem naming both sums.
- With multi-currency on, the Zuora currency must be a NetSuite currency; with it off, everything syncs in the
  configured base currency.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from zuora_netsuite.mapping.classifications import NetSuiteReferenceData
from zuora_netsuite.models.netsuite import RecordRef
from zuora_netsuite.settings import SyncConfig

# ISO 4217 minor units that are not 2.
_MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV"), 0),
    **dict.fromkeys(("XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}
ZERO = Decimal(0)


class MoneyProblem(ValueError):
    """An amount that cannot be synced exactly; the message is a reason a finance person can act on."""


def minor_units(currency: str) -> int:
    return _MINOR_UNITS.get(currency.upper(), 2)


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def amount(value: object, currency: str, what: str) -> Decimal:
    """A Zuora amount as an exact Decimal in the currency's minor unit. Floats are read through their
    shortest text (19.99, never 19.989999...). Raises MoneyProblem for a missing, non-numeric or
    over-precise amount."""
    if value is None:
        raise MoneyProblem(f"{what} is empty")
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)  # type: ignore[arg-type]
    except (InvalidOperation, TypeError, ValueError):
        raise MoneyProblem(f"{what} {value!r} is not a number") from None
    if not number.is_finite():
        raise MoneyProblem(f"{what} {value!r} is not a number")
    exact = number.quantize(quantum(currency), rounding=ROUND_HALF_EVEN)
    if exact != number:
        raise MoneyProblem(
            f"{what} {number} has more decimals than {currency} allows ({minor_units(currency)}); "
            "NetSuite would round it"
        )
    return exact


def lines_to_total(lines: Sequence[Decimal], total: Decimal, currency: str, what: str) -> list[Decimal]:
    """Line amounts adjusted to add up exactly to total, or MoneyProblem when they are not a rounding away."""
    if not lines:
        if total != ZERO:
            raise MoneyProblem(f"{what} has no lines but a total of {total} {currency}")
        return []
    difference = total - sum(lines, ZERO)
    if difference == ZERO:
        return list(lines)
    tolerance = quantum(currency) * len(lines) / 2
    if abs(difference) > tolerance:
        raise MoneyProblem(
            f"{what}: the lines add up to {sum(lines, ZERO)} {currency} but the total is {total} {currency}"
        )
    largest = max(range(len(lines)), key=lambda i: abs(lines[i]))
    adjusted = list(lines)
    adjusted[largest] += difference
    return adjusted


def currency_ref(
    code: str | None, reference: NetSuiteReferenceData, config: SyncConfig, problems: list[str]
) -> tuple[str, RecordRef | None]:
    """(the currency amounts are in, the NetSuite currency reference); a problem is added when NetSuite lacks it."""
    zuora_code = (code or "").strip().upper()
    netsuite_code = zuora_code if config.multi_currency else config.base_currency
    if not netsuite_code:
        problems.append("the account has no currency")
        return config.base_currency, None
    currency_id = reference.currency_id(netsuite_code)
    if currency_id is None:
        problems.append(
            f'currency "{netsuite_code}" does not exist in NetSuite; add it in NetSuite (Lists > Accounting > '
            "Currencies) or turn multi-currency off"
        )
        return zuora_code or netsuite_code, None
    return zuora_code or netsuite_code, RecordRef(id=currency_id)
