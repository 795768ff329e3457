"""Open balances per customer and currency, for reconciliation: what customers still owe (open AR) and the cash and
credit they have not applied yet (unapplied), in Zuora versus NetSuite.

Zuora: open AR is the ``Balance`` of posted invoices and debit memos; unapplied is a payment's ``UnappliedAmount``
(Invoice Settlement: "the sum of the applied amount and unapplied amount equals the payment amount",
https://docs.zuora.com/en/zuora-payments/process-payments/manage-unapplied-payments/overview-of-unapplied-payments)
and a credit memo's ``balance``. A negative invoice (a credit, NetSuite credit memo) counts as unapplied credit.
NetSuite: ``transaction.foreignamountunpaid`` of invoices and ``foreignpaymentamountunused`` of payments and credit
memos (SuiteQL, the transaction's currency; Records Catalog, see docs/contract-tests.md), grouped by ``entity`` and
matched to the Zuora account whose ``IntegrationId__NS`` is that customer.

Both sides read the same records as the per-type comparison (the connector's transactions in scope), so a
record in one side only shows here too, next to its own difference. A legacy tenant (no Invoice Settlement) has no
unapplied amounts in Zuora: the unapplied column is not compared there (None).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from zuora_netsuite.models.record_types import RecordType

ZERO = Decimal(0)
_OPEN_AR_TYPES = frozenset({RecordType.INVOICE, RecordType.DEBIT_MEMO})
_UNAPPLIED_TYPES = frozenset({RecordType.PAYMENT, RecordType.CREDIT_MEMO})


@dataclass
class BalanceLine:
    """One customer in one currency: open AR and unapplied amounts on both sides (None: not compared)."""

    customer: str  # the Zuora account number (or "NetSuite customer <id>" when no Zuora account has that customer)
    currency: str
    zuora_open_ar: Decimal = ZERO
    netsuite_open_ar: Decimal = ZERO
    zuora_unapplied: Decimal | None = ZERO
    netsuite_unapplied: Decimal | None = ZERO

    @property
    def matches(self) -> bool:
        return self.zuora_open_ar == self.netsuite_open_ar and self.zuora_unapplied == self.netsuite_unapplied


@dataclass(frozen=True)
class ZuoraAccount:
    number: str
    currency: str
    netsuite_id: str | None  # IntegrationId__NS: the NetSuite customer's internal id


@dataclass
class BalanceTally:
    """Balances being summed, keyed by (customer, currency)."""

    compare_unapplied: bool = True
    lines: dict[tuple[str, str], BalanceLine] = field(default_factory=dict)
    by_netsuite_customer: dict[str, ZuoraAccount] = field(default_factory=dict)

    def know(self, account: ZuoraAccount) -> None:
        if account.netsuite_id:
            self.by_netsuite_customer.setdefault(account.netsuite_id, account)

    def line(self, customer: str, currency: str) -> BalanceLine:
        key = (customer, currency)
        if key not in self.lines:
            unapplied = ZERO if self.compare_unapplied else None
            self.lines[key] = BalanceLine(customer, currency, zuora_unapplied=unapplied, netsuite_unapplied=unapplied)
        return self.lines[key]

    def add_zuora(self, record_type: RecordType, account: ZuoraAccount, balance: Decimal | None) -> None:
        """A Zuora transaction's open balance (Invoice/DebitMemo Balance, Payment UnappliedAmount, memo balance)."""
        if balance is None or not balance:
            self.line(account.number, account.currency)  # the customer is listed, with nothing open
            return
        line = self.line(account.number, account.currency)
        if record_type in _OPEN_AR_TYPES and balance > ZERO:
            line.zuora_open_ar += balance
        elif record_type in _OPEN_AR_TYPES or record_type in _UNAPPLIED_TYPES:
            credit = -balance if record_type in _OPEN_AR_TYPES else balance  # a negative invoice is a credit
            if line.zuora_unapplied is not None:
                line.zuora_unapplied += credit

    def add_netsuite(self, entity: str | None, currency: str, open_ar: Decimal, unapplied: Decimal) -> None:
        """A NetSuite transaction's foreignamountunpaid (invoices) / foreignpaymentamountunused (payments, memos)."""
        account = self.by_netsuite_customer.get(entity or "")
        customer = account.number if account else f"NetSuite customer {entity or '?'}"
        line = self.line(customer, currency)
        line.netsuite_open_ar += open_ar
        if line.netsuite_unapplied is not None:
            line.netsuite_unapplied += unapplied

    def result(self) -> list[BalanceLine]:
        return [self.lines[key] for key in sorted(self.lines)]


__all__ = ["BalanceLine", "BalanceTally", "ZuoraAccount"]
