"""Open balances of a generated data set, as Zuora keeps them: what the applications and refunds leave open.

``settle_balances(objects, invoice_settlement=True)`` sets, from the parts the builders wrote:

- ``Invoice.Balance`` = Amount - payments applied (PaymentPart, or InvoicePayment on a legacy tenant) - credit memos
  applied (CreditMemoPart); ``DebitMemo.Balance`` likewise; never below 0 (a negative invoice keeps its Amount);
- ``CreditMemo.Balance`` = TotalAmount - applied (CreditMemoPart) - refunded (RefundPart);
- ``Payment.UnappliedAmount`` (Invoice Settlement) = Amount - AppliedAmount - refunded (RefundPart), and
  ``Payment.RefundAmount`` = refunded.

Zuora: "The sum of the applied amount and unapplied amount equals the payment amount"
(https://docs.zuora.com/en/zuora-payments/process-payments/manage-unapplied-payments/overview-of-unapplied-payments);
a credit memo refund takes only "the amount of unapplied part"
(https://developer.zuora.com/api-references/api/operation/POST_RefundCreditMemo/). Reconciliation compares these
with NetSuite's open amounts (zuora_netsuite/logic/balances.py), so the data set must carry them consistently.
``AppliedAmount`` is left as the builders wrote it: invalid records rely on it disagreeing with the parts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

ZERO = Decimal(0)


def _dec(value: Any) -> Decimal:
    return Decimal(str(value if value not in (None, "") else 0))


def _num(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _sums(rows: Iterable[dict[str, Any]], key: str) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        if row.get(key):
            sums[str(row[key])] += _dec(row.get("Amount"))
    return sums


def settle_balances(objects: dict[str, list[dict[str, Any]]], *, invoice_settlement: bool = True) -> None:
    """Set the open balances of every invoice, memo and payment from its applications and refunds."""
    processed_refunds = {str(r["Id"]) for r in objects.get("Refund", []) if r.get("Status") == "Processed"}
    refund_parts = [p for p in objects.get("RefundPart", []) if str(p.get("RefundId")) in processed_refunds]
    payment_parts = objects.get("PaymentPart" if invoice_settlement else "InvoicePayment", [])
    memo_parts = objects.get("CreditMemoPart", [])
    applied_to_invoice = _sums([*payment_parts, *memo_parts], "InvoiceId")
    applied_to_debit_memo = _sums([*payment_parts, *memo_parts], "DebitMemoId")
    for invoice in objects.get("Invoice", []):
        amount = _dec(invoice.get("Amount"))
        if amount > ZERO and invoice.get("Status") == "Posted":
            invoice["Balance"] = _num(max(ZERO, amount - applied_to_invoice.get(str(invoice["Id"]), ZERO)))
    for memo in objects.get("DebitMemo", []):
        total = _dec(memo.get("TotalAmount"))
        memo["Balance"] = _num(max(ZERO, total - applied_to_debit_memo.get(str(memo["Id"]), ZERO)))
    memo_applied = _sums(memo_parts, "CreditMemoId")
    memo_refunded = _sums(refund_parts, "CreditMemoId")
    for memo in objects.get("CreditMemo", []):
        memo_id = str(memo["Id"])
        total = _dec(memo.get("TotalAmount"))
        memo["Balance"] = _num(max(ZERO, total - memo_applied.get(memo_id, ZERO) - memo_refunded.get(memo_id, ZERO)))
    if not invoice_settlement:
        return
    payment_refunded = _sums(refund_parts, "PaymentId")
    for payment in objects.get("Payment", []):
        refunded = payment_refunded.get(str(payment["Id"]), ZERO)
        open_amount = _dec(payment.get("Amount")) - _dec(payment.get("AppliedAmount")) - refunded
        payment["RefundAmount"] = _num(refunded)
        payment["UnappliedAmount"] = _num(max(ZERO, open_amount))


__all__ = ["settle_balances"]
