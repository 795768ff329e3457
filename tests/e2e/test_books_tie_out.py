"""Books that tie out (issue 13): a ledger with every books case syncs (taxes under two codes, discounts, payments by
method and currency, unapplied cash, refunds of unapplied parts and of a credit memo); then invoices change in Zuora
(one written off, two reversed - one with a discount charge -, one cancelled) and an unapplied payment is applied to
an invoice; after the next run `reconcile` agrees
with NetSuite to the cent, per record type and currency and per customer (open AR, unapplied cash and credit),
except for what it must report: the data set's invalid records. The cancelled invoice is credited in NetSuite by a
credit memo dated the run date (after_sync.canceled_invoice "credit_memo", the default; docs/mapping.md, "Changes
after sync"), so it ties out too.

Zuora pages: write-off "a credit memo is created and applied to the invoice"
(https://developer.zuora.com/v1-api-reference/api/operation/PUT_WriteOffInvoice); reverse creates a credit memo
(https://developer.zuora.com/api-references/api/operation/PUT_ReverseInvoice); cancel = unpost to Draft, then
Canceled (https://docs.zuora.com/zuora-platform/data-management/data-loader/data-dictionary-for-data-loader/update/invoices/unpost-invoice-update-fields);
apply an unapplied payment later: https://developer.zuora.com/v1-api-reference/api/operation/PUT_ApplyPayment/ .
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from sandbox.dataset import generate_dataset
from sandbox.dataset_books import add_books_cases
from sandbox.dataset_transactions import add_transactions
from sandbox.environment import patched_environ
from sandbox.stack import Sandbox, SandboxOptions
from sandbox.zuora_mutations import cancel_invoice
from tests.e2e.zuora_user import zuora_put
from zuora_netsuite import wiring
from zuora_netsuite.logic.reconciliation import Reconciliation, reconcile
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.settings import load_settings

pytestmark = pytest.mark.slow


@dataclass
class Changed:
    written_off: str = ""
    reversed: str = ""
    cancelled: str = ""
    applied_later: tuple[str, str, Decimal] = ("", "", Decimal(0))  # (payment, invoice, amount)
    memos: dict[str, str] = field(default_factory=dict)  # invoice id -> the credit memo Zuora created for it


@dataclass
class Books:
    sandbox: Sandbox
    changed: Changed
    first: Reconciliation
    after: Reconciliation


def _reconcile() -> Reconciliation:
    return reconcile(wiring.zuora_client(), wiring.netsuite_client(), load_settings().sync_config)


def _payments_applied_later(sandbox: Sandbox) -> str:
    """The sandbox's sync config for a tenant whose payments are applied after they synced."""
    config = sandbox.sync_config
    return json.dumps({**config, "zuora": {**config["zuora"], "payments_applied_later": True}})


@pytest.fixture(scope="module")
def books() -> Iterator[Books]:
    # Given a small ledger with every books case (sandbox/dataset_books.py: taxes under two codes, discounts,
    # payments by method and currency, unapplied cash, refunds of unapplied parts and of a credit memo) synced once
    dataset = generate_dataset(seed=13, accounts=10, charges=6)
    add_transactions(dataset, invoices=20)
    cases = add_books_cases(dataset, invoices=6)
    with (
        Sandbox(SandboxOptions(seed=13), dataset=dataset) as sandbox,
        sandbox.function_environment(),
        patched_environ({"SYNC_CONFIG": _payments_applied_later(sandbox)}),
    ):
        wiring.reset()
        sandbox.run_cycle()
        first = _reconcile()
        # When, in Zuora, one synced invoice is written off, one reversed (one with a discount charge too: a credit
        # memo and a debit memo) and one cancelled
        changed = Changed(written_off=cases.to_write_off[0], reversed=cases.to_reverse[0], cancelled=cases.to_cancel[0])
        answer = zuora_put(sandbox, f"/v1/invoices/{changed.written_off}/write-off", {"comment": "bad debt"})
        changed.memos[changed.written_off] = str(answer["creditMemo"]["id"])
        for invoice_id in cases.to_reverse:
            answer = zuora_put(sandbox, f"/v1/invoices/{invoice_id}/reverse", {"applyEffectiveDate": None})
            changed.memos[invoice_id] = str(answer["creditMemo"]["id"])
        cancel_invoice(sandbox.zuora, changed.cancelled)
        # and an unapplied payment is applied to an open invoice of its account
        changed.applied_later = cases.to_apply_later[0]
        payment_id, invoice_id, amount = changed.applied_later
        body = {"invoices": [{"invoiceId": invoice_id, "amount": float(amount)}]}  # a JSON number, as Zuora reads it
        zuora_put(sandbox, f"/v1/payments/{payment_id}/apply", body)
        # and the connector runs again
        sandbox.run_cycle()
        yield Books(sandbox, changed, first, _reconcile())


def _explained(books: Books) -> set[str]:
    """Zuora ids whose differences are expected: the data set's invalid records."""
    dataset = books.sandbox.dataset
    return set(dataset.expected_reasons) | set(dataset.expected_invalid)


def test_the_first_run_ties_out_but_for_the_invalid_records(books: Books) -> None:
    invalid = set(books.sandbox.dataset.expected_reasons) | set(books.sandbox.dataset.expected_invalid)
    assert [d for d in books.first.differences if d.zuora_id not in invalid] == []
    assert books.first.balances, "open balances per customer are reconciled"


def test_write_off_and_reversal_memos_reach_netsuite_and_close_the_invoices(books: Books) -> None:
    # Then each memo Zuora created is a NetSuite credit memo applied to its invoice, which is paid in full
    netsuite = books.sandbox.netsuite
    invoices = {str(r.get("externalId")): r for r in netsuite.records("invoice")}
    memos = {str(r.get("externalId")): r for r in netsuite.records("creditMemo")}
    for invoice_id, memo_id in books.changed.memos.items():
        memo = memos.get(f"zuora-creditmemo-{memo_id}")
        assert memo is not None, f"credit memo {memo_id} (for invoice {invoice_id}) not in NetSuite"
        invoice = invoices[f"zuora-invoice-{invoice_id}"]
        applied = {str(line["doc"]["id"]) for line in (memo.get("apply") or {}).get("items", [])}
        assert str(invoice["id"]) in applied
    rows = {
        str(row["externalid"]): Decimal(str(row["foreignamountunpaid"]))
        for row in wiring.netsuite_client().suiteql(
            "SELECT externalid, foreignamountunpaid FROM transaction WHERE type = 'CustInvc'"
        )
    }
    for invoice_id in books.changed.memos:
        assert rows[f"zuora-invoice-{invoice_id}"] == 0


def test_a_payment_applied_later_is_applied_in_netsuite_once(books: Books) -> None:
    # Then the NetSuite payment applies exactly what Zuora applied later: the invoice is paid, nothing is left over
    payment_id, invoice_id, amount = books.changed.applied_later
    rows = {
        str(row["externalid"]): row
        for row in wiring.netsuite_client().suiteql(
            "SELECT externalid, foreignamountunpaid, foreignpaymentamountunused FROM transaction"
        )
    }
    assert amount > 0
    assert Decimal(str(rows[f"zuora-invoice-{invoice_id}"]["foreignamountunpaid"])) == 0
    assert Decimal(str(rows[f"zuora-payment-{payment_id}"]["foreignpaymentamountunused"])) == 0
    assert Decimal(str(books.sandbox.zuora.get("Payment", payment_id)["UnappliedAmount"])) == 0  # type: ignore[index]


def test_after_the_changes_reconcile_agrees_to_the_cent_but_for_what_it_must_report(books: Books) -> None:
    after = books.after
    explained = _explained(books)
    # Then no record differs but the invalid ones: the cancelled invoice and its cancellation match on both sides
    assert [d for d in after.differences if d.zuora_id not in explained] == []
    lines = {(line.record_type, line.currency): line for line in after.lines}
    cancellations = [line for (kind, _), line in lines.items() if kind is RecordType.INVOICE_CANCELLATION]
    assert [(line.zuora_count, line.netsuite_count) for line in cancellations] == [(1, 1)]
    assert all(line.matches for line in cancellations)
    # and every customer's open AR and unapplied amounts agree, but the customers of those records
    accounts = {str(a["Id"]): str(a["AccountNumber"]) for a in books.sandbox.dataset.zuora_objects["Account"]}
    owners = _owners(books.sandbox)
    owners.update({account_id: account_id for account_id in accounts})
    expected_off = {accounts[owners[zuora_id]] for zuora_id in explained if zuora_id in owners}
    differing = {b.customer for b in after.balances if not b.matches}
    assert differing <= expected_off


def test_a_cancelled_invoice_is_credited_in_netsuite_and_keeps_its_link_in_zuora(books: Books) -> None:
    # Then NetSuite has one credit memo for the cancellation, of the invoice's amount, applied to the invoice,
    # which has nothing open
    cancelled = books.changed.cancelled
    netsuite = books.sandbox.netsuite
    invoice = next(r for r in netsuite.records("invoice") if r.get("externalId") == f"zuora-invoice-{cancelled}")
    memos = [r for r in netsuite.records("creditMemo") if r.get("externalId") == f"zuora-invoicecancel-{cancelled}"]
    assert len(memos) == 1
    [memo] = memos
    assert Decimal(str(memo["total"])) == Decimal(str(invoice["total"]))
    applied = [(str(line["doc"]["id"]), Decimal(str(line["amount"]))) for line in memo["apply"]["items"]]
    assert applied == [(str(invoice["id"]), Decimal(str(invoice["total"])))]
    assert Decimal(str(invoice["amountRemaining"])) == 0  # open AR 0, as the cancelled invoice's Balance in Zuora
    # and Zuora's invoice still names the NetSuite invoice (never the credit memo)
    zuora_invoice = books.sandbox.zuora.get("Invoice", cancelled)
    assert zuora_invoice is not None
    assert (zuora_invoice["Status"], zuora_invoice["IntegrationId__NS"]) == ("Canceled", str(invoice["id"]))


def _owners(sandbox: Sandbox) -> dict[str, str]:
    """Zuora transaction id -> its account id."""
    return {
        str(record["Id"]): str(record.get("AccountId"))
        for name in ("Invoice", "Payment", "CreditMemo", "DebitMemo", "Refund")
        for record in sandbox.zuora.all(name)
        if record.get("AccountId")
    }
