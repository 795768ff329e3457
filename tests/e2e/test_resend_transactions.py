"""Re-sending every synced transaction (an operator reset of each, then a sync) leaves NetSuite's money as it
was: the same line count and total on every invoice and credit memo, the same applications on every payment,
credit memo and refund, and no Auto Apply of NetSuite's own.

NetSuite merges an update's sublist lines into the stored record: item lines are appended unless the write says
?replace=item (Oracle help, "Updating a Sublist" / "Replacing a Sublist",
https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545297048.html). Every re-send here is a
real NetSuite write (the reset forgets the payload the connector last sent)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from sandbox.netsuite_ledger import Shape, netsuite_shapes, shape_differences, zuora_shapes
from sandbox.stack import Sandbox, SandboxOptions
from tests.e2e.conftest import running_sandbox
from zuora_netsuite import wiring
from zuora_netsuite.logic.reconciliation import reconcile
from zuora_netsuite.logic.recovery import RecordReset
from zuora_netsuite.models.record_types import RECORD_TYPES, TRANSACTION_TYPES, RecordType, external_id
from zuora_netsuite.settings import load_settings

pytestmark = pytest.mark.slow

APPLYING = ("customerPayment", "creditMemo", "customerRefund")


def applications(sandbox: Sandbox) -> dict[str, list[tuple[str, Decimal]]]:
    """External id -> sorted (applied document's external id, amount) of every payment, credit memo, refund."""
    eid_of = {
        str(r["id"]): str(r.get("externalId"))
        for t in ("invoice", "creditMemo", "customerPayment")
        for r in sandbox.netsuite.records(t)
    }
    return {
        str(record["externalId"]): sorted(
            (eid_of[str(line["doc"]["id"])], Decimal(str(line["amount"])))
            for line in (record.get("apply") or {}).get("items", [])
            if line.get("apply", True)
        )
        for t in APPLYING
        for record in sandbox.netsuite.records(t)
    }


def synced_transactions(sandbox: Sandbox) -> list[tuple[RecordType, str]]:
    return [
        (record_type, str(record["Id"]))
        for record_type in TRANSACTION_TYPES
        for record in sandbox.dataset.zuora_objects.get(RECORD_TYPES[record_type].zuora_object, [])
        if (sandbox.zuora.get(RECORD_TYPES[record_type].zuora_object, str(record["Id"])) or {}).get(
            "IntegrationStatus__NS"
        )
        == "Sync Complete"
    ]


@pytest.fixture(scope="module")
def resent() -> Iterator[tuple[Sandbox, dict[str, Shape], dict[str, Shape], dict[str, Any], dict[str, Any], int]]:
    # Given a ledger synced once: invoices (some with tax), negative invoices, debit and credit memos, partial
    # and multi-invoice payments, refunds
    with running_sandbox(SandboxOptions(seed=31, accounts=25, charges=10, invoices=45)) as sandbox:
        sandbox.run_cycle()
        netsuite = wiring.netsuite_client()
        before, applied_before = netsuite_shapes(netsuite), applications(sandbox)
        # When every synced transaction is reset and synced again (its whole body re-sent to NetSuite)
        settings = load_settings()
        reset = RecordReset(
            wiring.zuora_client(), wiring.state_store(), wiring.sync_queue(), settings.sync_config.zuora
        )
        transactions = synced_transactions(sandbox)
        writes = sandbox.netsuite.stats.writes()
        for record_type, record_id in transactions:
            reset.reset(record_type, record_id, enqueue=True)
        sandbox.drain_sync_queue()
        rewritten = sandbox.netsuite.stats.writes() - writes
        after, applied_after = netsuite_shapes(netsuite), applications(sandbox)
        yield sandbox, before, after, applied_before, applied_after, (rewritten, len(transactions))


def test_the_synced_transactions_were_written_to_netsuite_again(resent: Any) -> None:
    sandbox, *_, (rewritten, reset) = resent
    assert reset > 40
    assert len(synced_transactions(sandbox)) == reset  # all synced again
    # Nearly every one was a NetSuite write again; the others are parents another record synced first while
    # their own batch had marked them in progress: found by external id and re-linked without a write.
    assert reset * 0.8 <= rewritten <= reset


def test_invoices_and_credit_memos_keep_their_line_counts_and_totals(resent: Any) -> None:
    sandbox, before, after, *_ = resent
    documents = [eid for eid in zuora_shapes(sandbox.dataset.zuora_objects) if eid in before]
    assert len(documents) > 20
    assert shape_differences(before, after, documents) == []
    # And they still are what Zuora says: one line per Zuora item (plus tax) and the Zuora total
    assert shape_differences(zuora_shapes(sandbox.dataset.zuora_objects), after, documents) == []


def test_payments_credit_memos_and_refunds_keep_exactly_their_applications(resent: Any) -> None:
    sandbox, _, _, applied_before, applied_after, _ = resent
    assert any(eid.startswith("zuora-payment-") and lines for eid, lines in applied_after.items())
    assert any(eid.startswith("zuora-refund-") and lines for eid, lines in applied_after.items())
    assert applied_after == applied_before
    # And no payment applies more than Zuora applied (NetSuite's Auto Apply never stepped in)
    for payment in sandbox.dataset.zuora_objects["Payment"]:
        lines = applied_after.get(external_id(RecordType.PAYMENT, str(payment["Id"])))
        if lines:
            assert sum(amount for _, amount in lines) == Decimal(str(payment["AppliedAmount"]))


def test_reconcile_agrees_to_the_cent_after_the_resend(resent: Any) -> None:
    sandbox, *_ = resent
    result = reconcile(wiring.zuora_client(), wiring.netsuite_client(), load_settings().sync_config)
    invalid = set(sandbox.dataset.expected_reasons) | set(sandbox.dataset.expected_invalid)
    assert [d for d in result.differences if d.zuora_id not in invalid or d.netsuite_amount is not None] == []
