"""Payments and refunds for books that tie out (issue 13): unapplied cash, the deposit account and payment method
chosen by configuration, refunds of credit memos and of several sources."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from tests.unit.transactions.conftest import ACCOUNT_ID, CHARGE_ID, PAYMENT_ID, STAMP, Ledger, payment
from tests.unit.transactions.test_invoice_sync import sync
from zuora_netsuite.mapping import mappings_for
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.state import SyncOutcome
from zuora_netsuite.settings import DepositRule, PaymentsConfig

INVOICE = "1" * 32
MEMO_ID, REFUND_ID, METHOD_ID = "4" * 32, "6" * 32, "7" * 32

RULES = PaymentsConfig(
    deposit_rules=(
        DepositRule(payment_method_type="CreditCard", gateway="Stripe", account_id="3", netsuite_payment_method_id="5"),
        DepositRule(payment_method_type="Check", undeposited=True),
        DepositRule(payment_method_type="WireTransfer", currency="USD", account_id="1"),
    ),
    refund_account_rules=(DepositRule(payment_method_type="Check", account_id="1"),),
)


def configured(ledger: Ledger) -> None:
    ledger.config = ledger.config.model_copy(update={"payments": RULES})


def last_body(ledger: Ledger, record_type: str) -> dict[str, Any]:
    found: dict[str, Any] = next(body for kind, _, body in reversed(ledger.netsuite.writes) if kind == record_type)
    return found


def reason(ledger: Ledger, object_type: str, record_id: str) -> str:
    return str(ledger.zuora.get(object_type, record_id)["IntegrationError__c"])


def paid_by(ledger: Ledger, method_type: str, **fields: Any) -> None:
    ledger.zuora.put("PaymentMethod", {"Id": METHOD_ID, "AccountId": ACCOUNT_ID, "Type": method_type, **STAMP})
    ledger.zuora.put("Payment", payment(AppliedAmount=0, UnappliedAmount=100, PaymentMethodId=METHOD_ID, **fields))


def test_an_unapplied_payment_syncs_as_a_customer_payment_applied_to_nothing(ledger: Ledger) -> None:
    # Given a processed payment of 100 applied to nothing
    ledger.zuora.put("Payment", payment(AppliedAmount=0, UnappliedAmount=100))
    # When it syncs
    assert sync(ledger, RecordType.PAYMENT, PAYMENT_ID) is SyncOutcome.SYNCED
    # Then NetSuite has a payment of 100 with no apply line (all unapplied), Auto Apply off, apply replaced
    body = last_body(ledger, "customerPayment")
    assert body["payment"] == Decimal(100)
    assert body["apply"] == {"items": []}
    assert body["autoApply"] is False
    assert ledger.netsuite.replaced[-1] == ("apply",)


def test_a_payment_whose_applications_do_not_add_up_to_its_applied_amount_is_refused_naming_both(
    ledger: Ledger,
) -> None:
    ledger.zuora.put("Payment", payment(AppliedAmount=100))  # says 100 applied, but no part
    assert sync(ledger, RecordType.PAYMENT, PAYMENT_ID) is SyncOutcome.WARNING
    assert "add up to 0 USD but its AppliedAmount is 100 USD" in reason(ledger, "Payment", PAYMENT_ID)


@pytest.mark.parametrize(
    ("method_type", "gateway", "expected"),
    [
        ("CreditCard", "Stripe", {"account": {"id": "3"}, "undepFunds": False, "paymentMethod": {"id": "5"}}),
        ("creditcard", "STRIPE", {"account": {"id": "3"}, "undepFunds": False, "paymentMethod": {"id": "5"}}),
        ("Check", None, {"undepFunds": True}),
        ("WireTransfer", None, {"account": {"id": "1"}, "undepFunds": False}),
    ],
)
def test_the_first_matching_deposit_rule_gives_the_account_or_undeposited_funds_and_the_method(
    ledger: Ledger, method_type: str, gateway: str | None, expected: dict[str, Any]
) -> None:
    configured(ledger)
    paid_by(ledger, method_type, **({"Gateway": gateway} if gateway else {}))
    assert sync(ledger, RecordType.PAYMENT, PAYMENT_ID) is SyncOutcome.SYNCED
    body = last_body(ledger, "customerPayment")
    assert {key: body.get(key) for key in ("account", "undepFunds", "paymentMethod") if key in body} == expected


def test_on_an_account_with_payment_instruments_the_method_goes_in_payment_option(ledger: Ledger) -> None:
    # Given payments.payment_method_field paymentOption (NetSuite's Payment Instruments feature)
    ledger.config = ledger.config.model_copy(
        update={"payments": RULES.model_copy(update={"payment_method_field": "paymentOption"})}
    )
    paid_by(ledger, "CreditCard", Gateway="Stripe")
    # When the payment syncs
    assert sync(ledger, RecordType.PAYMENT, PAYMENT_ID) is SyncOutcome.SYNCED
    # Then the rule's method is sent as paymentOption, and paymentMethod not at all
    body = last_body(ledger, "customerPayment")
    assert body.get("paymentOption") == {"id": "5"}
    assert "paymentMethod" not in body


def test_a_payment_no_deposit_rule_matches_is_refused_naming_type_gateway_and_currency(ledger: Ledger) -> None:
    configured(ledger)
    paid_by(ledger, "PayPal", Gateway="Adyen")
    assert sync(ledger, RecordType.PAYMENT, PAYMENT_ID) is SyncOutcome.WARNING
    assert "no deposit rule for PayPal / Adyen / USD" in reason(ledger, "Payment", PAYMENT_ID)
    assert "payments.deposit_rules" in reason(ledger, "Payment", PAYMENT_ID)


def test_without_deposit_rules_a_payment_carries_no_account_as_before(ledger: Ledger) -> None:
    paid_by(ledger, "CreditCard", Gateway="Stripe")
    assert sync(ledger, RecordType.PAYMENT, PAYMENT_ID) is SyncOutcome.SYNCED
    assert not {"account", "undepFunds", "paymentMethod"} & set(last_body(ledger, "customerPayment"))


def test_a_deposit_rule_names_an_account_or_undeposited_funds_not_both_nor_neither() -> None:
    with pytest.raises(ValidationError):
        DepositRule(account_id="1", undeposited=True)
    with pytest.raises(ValidationError):
        DepositRule(payment_method_type="Check")
    with pytest.raises(ValidationError):
        PaymentsConfig(refund_account_rules=(DepositRule(undeposited=True),))


def _credit_memo(ledger: Ledger, total: int) -> None:
    ledger.zuora.put(
        "CreditMemo",
        {"Id": MEMO_ID, "AccountId": ACCOUNT_ID, "MemoNumber": "CM00001", "MemoDate": "2026-11-10",
         "Status": "Posted", "TotalAmount": total, **STAMP},
    )  # fmt: skip
    ledger.zuora.put(
        "CreditMemoItem",
        {"Id": f"{MEMO_ID[:30]}i1", "CreditMemoId": MEMO_ID, "ProductRatePlanChargeId": CHARGE_ID,
         "ChargeName": "Pro Monthly", "Amount": total, **STAMP},
    )  # fmt: skip


def _refund(ledger: Ledger, amount: int, **fields: Any) -> None:
    ledger.zuora.put(
        "Refund",
        {"Id": REFUND_ID, "AccountId": ACCOUNT_ID, "RefundNumber": "R-00001", "RefundDate": "2026-11-12",
         "Status": "Processed", "Amount": amount, **STAMP, **fields},
    )  # fmt: skip


def test_a_refund_of_a_credit_memo_applies_to_its_netsuite_credit_memo_synced_first(ledger: Ledger) -> None:
    # Given a credit memo of 30 and a refund whose only part draws 30 from it, paid by check
    configured(ledger)
    _credit_memo(ledger, 30)
    _refund(ledger, 30, MethodType="Check")
    ledger.zuora.put("RefundPart", {"Id": "rp1", "RefundId": REFUND_ID, "CreditMemoId": MEMO_ID, "Amount": 30})
    # When the refund syncs
    assert sync(ledger, RecordType.REFUND, REFUND_ID) is SyncOutcome.SYNCED
    # Then the credit memo synced first and the refund applies 30 to it, paid from the configured bank account
    memo_id = ledger.netsuite.records["creditMemo"][f"zuora-creditmemo-{MEMO_ID}"]["id"]
    body = last_body(ledger, "customerRefund")
    assert body["apply"]["items"] == [{"doc": {"id": memo_id}, "apply": True, "amount": Decimal(30)}]
    assert body["account"] == {"id": "1"}


def test_a_refund_drawn_from_a_payment_and_a_credit_memo_has_one_apply_line_for_each(ledger: Ledger) -> None:
    _credit_memo(ledger, 30)
    ledger.zuora.put("Payment", payment(AppliedAmount=0, UnappliedAmount=100))
    _refund(ledger, 50)
    ledger.zuora.put("RefundPart", {"Id": "rp1", "RefundId": REFUND_ID, "CreditMemoId": MEMO_ID, "Amount": 30})
    ledger.zuora.put("RefundPart", {"Id": "rp2", "RefundId": REFUND_ID, "PaymentId": PAYMENT_ID, "Amount": 20})
    assert sync(ledger, RecordType.REFUND, REFUND_ID) is SyncOutcome.SYNCED
    memo_id = ledger.netsuite.records["creditMemo"][f"zuora-creditmemo-{MEMO_ID}"]["id"]
    payment_id = ledger.netsuite.records["customerPayment"][f"zuora-payment-{PAYMENT_ID}"]["id"]
    lines = {line["doc"]["id"]: line["amount"] for line in last_body(ledger, "customerRefund")["apply"]["items"]}
    assert lines == {memo_id: Decimal(30), payment_id: Decimal(20)}


def test_a_refund_whose_parts_do_not_add_up_to_its_amount_is_refused(ledger: Ledger) -> None:
    _credit_memo(ledger, 30)
    _refund(ledger, 50)
    ledger.zuora.put("RefundPart", {"Id": "rp1", "RefundId": REFUND_ID, "CreditMemoId": MEMO_ID, "Amount": 30})
    assert sync(ledger, RecordType.REFUND, REFUND_ID) is SyncOutcome.WARNING
    assert "parts add up to 30 USD but its Amount is 50" in reason(ledger, "Refund", REFUND_ID)


def test_a_refund_no_refund_account_rule_matches_is_refused_naming_the_setting(ledger: Ledger) -> None:
    configured(ledger)
    _credit_memo(ledger, 30)
    _refund(ledger, 30, MethodType="CreditCard")
    ledger.zuora.put("RefundPart", {"Id": "rp1", "RefundId": REFUND_ID, "CreditMemoId": MEMO_ID, "Amount": 30})
    assert sync(ledger, RecordType.REFUND, REFUND_ID) is SyncOutcome.WARNING
    assert "payments.refund_account_rules" in reason(ledger, "Refund", REFUND_ID)


def test_a_synced_payment_applied_later_in_zuora_is_pending_again_and_resent_with_its_whole_apply_set(
    ledger: Ledger,
) -> None:
    # Given a tenant whose payments are applied later, an unapplied payment of 100, synced (transferred to
    # accounting), and an open invoice of 60
    tenant = ledger.config.zuora.model_copy(update={"payments_applied_later": True})
    ledger.config = ledger.config.model_copy(update={"zuora": tenant})
    ledger.add_invoice(INVOICE, amounts=(60,), Amount=60)
    ledger.zuora.put("Payment", payment(AppliedAmount=0, UnappliedAmount=100))
    assert sync(ledger, RecordType.PAYMENT, PAYMENT_ID) is SyncOutcome.SYNCED
    assert ledger.zuora.get("Payment", PAYMENT_ID)["TransferredToAccounting"] == "Yes"
    watermark = datetime(2026, 11, 25, tzinfo=UTC)
    mapping = mappings_for(ledger.config.zuora)[RecordType.PAYMENT]
    assert PAYMENT_ID not in [row["Id"] for row in mapping.pending(ledger.zuora, watermark)]
    # When Zuora applies 60 of it to the invoice later (the same payment record, UpdatedDate moves)
    ledger.zuora.put("PaymentPart", {"Id": "pp1", "PaymentId": PAYMENT_ID, "InvoiceId": INVOICE, "Amount": 60})
    changed = {"AppliedAmount": 60, "UnappliedAmount": 40, "UpdatedDate": "2026-11-26T09:00:00.000+00:00"}
    ledger.zuora.put("Payment", {**ledger.zuora.get("Payment", PAYMENT_ID), **changed})
    # Then the payment is pending again (not without the setting), and its re-sync sends the whole current apply
    # set, replacing NetSuite's
    assert PAYMENT_ID in [row["Id"] for row in mapping.pending(ledger.zuora, watermark)]
    once = mappings_for(ledger.config.zuora.model_copy(update={"payments_applied_later": False}))[RecordType.PAYMENT]
    assert PAYMENT_ID not in [row["Id"] for row in once.pending(ledger.zuora, watermark)]
    assert sync(ledger, RecordType.PAYMENT, PAYMENT_ID) is SyncOutcome.SYNCED
    invoice_id = ledger.netsuite.records["invoice"][f"zuora-invoice-{INVOICE}"]["id"]
    assert last_body(ledger, "customerPayment")["apply"]["items"] == [
        {"doc": {"id": invoice_id}, "apply": True, "amount": Decimal(60)}
    ]
    assert ledger.netsuite.replaced[-1] == ("apply",)
    # And a second run over the unchanged payment writes nothing to NetSuite
    writes = len(ledger.netsuite.writes)
    assert sync(ledger, RecordType.PAYMENT, PAYMENT_ID) is SyncOutcome.UNCHANGED
    assert len(ledger.netsuite.writes) == writes
