"""Reconciliation of open balances per customer and currency (issue 13): what customers still owe and the cash and
credit not applied yet, Zuora (Invoice.Balance, Payment.UnappliedAmount, memo balance) versus NetSuite (SuiteQL
foreignamountunpaid / foreignpaymentamountunused); and a synced invoice cancelled in Zuora is reported, never silent.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.fakes import FakeZuora
from tests.unit.logic.test_reconciliation_suiteql import SuiteQLTables
from zuora_netsuite.logic.reconciliation import reconcile
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.settings import AfterSyncConfig, SyncConfig, ZuoraTenant

SYNCED = {"TransferredToAccounting": "Yes", "Status": "Posted"}


def _zuora(invoice_status: str = "Posted") -> FakeZuora:
    return FakeZuora(
        {
            "Account": [{"Id": "A1", "AccountNumber": "ACC-1", "Currency": "EUR", "IntegrationId__NS": "77"}],
            "Invoice": [
                {"Id": "I1", "AccountId": "A1", "Amount": 100, "Balance": 40, "InvoiceNumber": "INV-1",
                 "InvoiceDate": "2026-01-05", "IntegrationId__NS": "301", **SYNCED, "Status": invoice_status},
            ],
            "Payment": [
                {"Id": "P1", "AccountId": "A1", "Amount": 130, "AppliedAmount": 60, "UnappliedAmount": 70,
                 "PaymentNumber": "P-1", "EffectiveDate": "2026-01-06", "IntegrationId__NS": "302", **SYNCED,
                 "Status": "Processed"},
            ],
        }
    )  # fmt: skip


def _netsuite(payment_unused: str = "70") -> SuiteQLTables:
    def row(internal_id: str, eid: str, kind: str, total: str, **balances: str) -> dict[str, Any]:
        return {"id": internal_id, "externalid": eid, "type": kind, "foreigntotal": total, "currency": "2",
                "entity": "77", **balances}  # fmt: skip

    return SuiteQLTables(
        {
            "currency": [{"id": "2", "symbol": "EUR"}],
            "transaction": [
                row("301", "zuora-invoice-I1", "CustInvc", "100", foreignamountunpaid="40"),
                row("302", "zuora-payment-P1", "CustPymt", "130", foreignpaymentamountunused=payment_unused),
            ],
        }
    )


CONFIG = SyncConfig(
    enabled_types=frozenset({RecordType.CUSTOMER, RecordType.ITEM, RecordType.INVOICE, RecordType.PAYMENT})
)


def test_given_open_ar_and_unapplied_cash_equal_on_both_sides_then_the_customer_balances():
    # Given an invoice of 100 with 40 open and a payment of 130 with 70 unapplied, the same in NetSuite
    # When reconciled
    result = reconcile(_zuora(), _netsuite(), CONFIG)
    # Then the customer's open AR and unapplied cash agree, and the books tie out
    [balance] = result.balances
    assert (balance.customer, balance.currency) == ("ACC-1", "EUR")
    assert (balance.zuora_open_ar, balance.netsuite_open_ar) == (Decimal(40), Decimal(40))
    assert (balance.zuora_unapplied, balance.netsuite_unapplied) == (Decimal(70), Decimal(70))
    assert result.balanced


def test_given_netsuite_applied_more_of_a_payment_than_zuora_then_the_unapplied_cash_differs():
    # Given the same totals, but NetSuite shows 50 of the payment unapplied where Zuora shows 70
    result = reconcile(_zuora(), _netsuite(payment_unused="50"), CONFIG)
    # Then totals match record by record, yet the customer's unapplied cash differs and the books do not tie out
    assert not result.differences
    assert all(line.matches for line in result.lines)
    [balance] = result.balances
    assert (balance.zuora_unapplied, balance.netsuite_unapplied) == (Decimal(70), Decimal(50))
    assert not balance.matches
    assert not result.balanced


def _cancelled() -> FakeZuora:
    zuora = _zuora(invoice_status="Canceled")
    zuora.get("Invoice", "I1")["Balance"] = 0
    return zuora


REPORT = SyncConfig(enabled_types=CONFIG.enabled_types, after_sync=AfterSyncConfig(canceled_invoice="report"))
CREDIT = SyncConfig(enabled_types=CONFIG.enabled_types, after_sync=AfterSyncConfig(canceled_invoice="credit_memo"))


def test_given_a_synced_invoice_cancelled_in_zuora_with_the_report_policy_then_reconciliation_says_so():
    # Given an invoice synced to NetSuite, then cancelled in Zuora (Status Canceled, Balance 0), and the policy "report"
    zuora = _cancelled()
    # When reconciled
    result = reconcile(zuora, _netsuite(), REPORT)
    # Then the invoice is a difference that names the cancellation and what to do, and its open AR differs
    [difference] = result.differences
    assert (difference.record_type, difference.number) == (RecordType.INVOICE, "INV-1")
    assert "canceled in Zuora after it synced" in difference.reason
    assert "credit memo" in difference.reason
    [balance] = result.balances
    assert (balance.zuora_open_ar, balance.netsuite_open_ar) == (Decimal(0), Decimal(40))
    assert not result.balanced


def test_on_a_legacy_tenant_unapplied_amounts_are_not_compared():
    # Given a tenant without Invoice Settlement (no Payment.UnappliedAmount) and NetSuite showing unapplied cash
    zuora = _zuora()
    zuora.invoice_settlement = False
    legacy = CONFIG.model_copy(update={"zuora": ZuoraTenant(invoice_settlement=False)})
    # When reconciled
    result = reconcile(zuora, _netsuite(), legacy)
    # Then open AR is compared and the unapplied column says "not compared" on both sides
    [balance] = result.balances
    assert (balance.zuora_open_ar, balance.netsuite_open_ar) == (Decimal(40), Decimal(40))
    assert (balance.zuora_unapplied, balance.netsuite_unapplied) == (None, None)
    assert result.balanced


def _credited(netsuite: SuiteQLTables, applied: str, unapplied: str) -> SuiteQLTables:
    """NetSuite with the cancellation's credit memo of 100: `applied` closes that much of the invoice."""
    invoice = next(r for r in netsuite.tables["transaction"] if r["externalid"] == "zuora-invoice-I1")
    invoice["foreignamountunpaid"] = str(Decimal(invoice["foreignamountunpaid"]) - Decimal(applied))
    netsuite.tables["transaction"].append(
        {"id": "303", "externalid": "zuora-invoicecancel-I1", "type": "CustCred", "foreigntotal": "-100",
         "currency": "2", "entity": "77", "foreignpaymentamountunused": unapplied}
    )  # fmt: skip
    return netsuite


def test_given_a_cancelled_invoice_credited_in_netsuite_with_the_credit_memo_policy_then_the_books_tie_out():
    # Given an invoice of 100 synced with 40 open, cancelled in Zuora, and the connector's credit memo of 100 in
    # NetSuite applied to the 40 still open (60 had been paid: Zuora's payment part of 60 was unapplied first, so the
    # payment shows 130 unapplied in Zuora and NetSuite holds 70 on the payment plus 60 on the credit memo)
    zuora = _cancelled()
    zuora.get("Payment", "P1").update(AppliedAmount=0, UnappliedAmount=130)
    netsuite = _credited(_netsuite(payment_unused="70"), applied="40", unapplied="60")
    # When reconciled
    result = reconcile(zuora, netsuite, CREDIT)
    # Then the invoice counts on both sides, the cancellation matches its credit memo, open AR is 0 on both sides,
    # and the 60 left on the credit memo is named on the cancellation (NetSuite-side cash to refund or apply)
    lines = {line.record_type: line for line in result.lines}
    assert lines[RecordType.INVOICE].matches
    assert lines[RecordType.INVOICE_CANCELLATION].matches
    [difference] = result.differences
    assert (difference.record_type, difference.number) == (RecordType.INVOICE_CANCELLATION, "INV-1")
    assert "left 60 unapplied" in difference.reason
    [balance] = result.balances
    assert (balance.zuora_open_ar, balance.netsuite_open_ar) == (Decimal(0), Decimal(0))
    assert (balance.zuora_unapplied, balance.netsuite_unapplied) == (Decimal(130), Decimal(130))


def test_given_a_cancelled_unpaid_invoice_credited_in_full_then_nothing_differs():
    # Given an unpaid invoice of 100 (100 open), cancelled in Zuora, and the credit memo applying 100 to it
    zuora = _cancelled()
    zuora.get("Payment", "P1").update(AppliedAmount=0, UnappliedAmount=130)
    netsuite = _netsuite(payment_unused="130")
    next(r for r in netsuite.tables["transaction"] if r["id"] == "301")["foreignamountunpaid"] = "100"
    result = reconcile(zuora, _credited(netsuite, applied="100", unapplied="0"), CREDIT)
    # Then the books tie out to the cent
    assert result.differences == []
    assert result.balanced


def test_given_a_cancelled_invoice_not_credited_yet_then_its_cancellation_is_missing_in_netsuite():
    # Given the credit memo policy and a cancelled invoice whose credit memo did not reach NetSuite
    result = reconcile(_cancelled(), _netsuite(), CREDIT)
    # Then the cancellation is a difference ("not in NetSuite") and the customer's open AR differs (0 vs 40)
    [difference] = result.differences
    assert difference.record_type is RecordType.INVOICE_CANCELLATION
    assert difference.reason.startswith("not in NetSuite")
    assert not result.balanced
