"""The connector against a strictly configured NetSuite account (the simulator over HTTP, the connector's own
client): OneWorld items shared with child subsidiaries, tax codes on every line, preferred forms with mandatory
custom fields, invoices numbered by NetSuite without Allow Override. With the sync configuration that account needs,
customer, item and invoice sync; without it, the reason names the setting to change."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from sandbox.dataset import ZUORA_ERROR_FIELD
from sandbox.netsuite_account import AccountConfiguration, CustomForm
from sandbox.netsuite_simulator import NetSuiteSimulator
from tests.unit.logic.conftest import REFERENCE
from tests.unit.transactions.conftest import ACCOUNT_ID, INVOICE_ID, Ledger
from zuora_netsuite.adapters.netsuite.client import NetSuiteClient
from zuora_netsuite.mapping.classifications import NetSuiteReferenceData
from zuora_netsuite.models.messages import SyncRequest
from zuora_netsuite.models.record_types import RecordType, external_id
from zuora_netsuite.models.state import SyncOutcome
from zuora_netsuite.settings import SyncConfig

KEYS = ("ck", "cs", "tid", "ts")


def strict_account() -> AccountConfiguration:
    account = AccountConfiguration(tax_codes_required=True)
    account.add_form(CustomForm("145", "customer", "Zuora Customer", {"custentity_region": "Region"}), preferred=True)
    account.add_form(
        CustomForm("171", "invoice", "Zuora Invoice", {"custbody_source": "Source", "custcol_channel": "Channel"}),
        preferred=True,
    )
    account.numbering["invoice"] = "reject"
    return account


class StrictAccountLedger(Ledger):
    """A Ledger whose NetSuite is the simulator, reached through the connector's own client."""

    def __init__(self, simulator: NetSuiteSimulator, client: NetSuiteClient) -> None:
        super().__init__()
        self.simulator = simulator
        self.netsuite = client  # type: ignore[assignment]
        self.reference = NetSuiteReferenceData(client)


@pytest.fixture
def ledger() -> Iterator[StrictAccountLedger]:
    reference: dict[str, Any] = {
        **REFERENCE,
        "account": [{"id": "400", "acctnumber": "4000", "fullname": "Sales"}],
        "salestaxitem": [{"id": "7", "itemid": "S-GB", "name": "S-GB"}],
    }
    simulator = NetSuiteSimulator("1234567_SB1", *KEYS, reference_data=reference, account=strict_account())
    with simulator as base_url:
        client = NetSuiteClient(base_url, "1234567_SB1", *KEYS, max_attempts=1)
        yield StrictAccountLedger(simulator, client)
        client.close()


def configure(ledger: StrictAccountLedger, **settings: Any) -> None:
    tax_item = ledger.simulator.seed_record(
        "serviceSaleItem",
        {
            "itemId": "Tax",
            "incomeAccount": {"id": "400"},
            "subsidiary": {"items": [{"id": "1"}]},
            "includeChildren": True,
        },
    )
    ledger.config = SyncConfig.model_validate(
        {
            "classification_defaults": {"subsidiary": "Parent Co"},
            "item_income_account_id": "400",
            "tax_item_id": tax_item,
            "zuora": {"error_field": ZUORA_ERROR_FIELD},
            **settings,
        }
    )


NEEDED = {
    "item_subsidiaries": ["Parent Co"],
    "item_include_children": True,
    "default_tax_code_id": "7",
    "constant_fields": {
        "customer": {"custentity_region": "EMEA"},
        "invoice": {"custbody_source": "Zuora", "custcol_channel": "web"},
    },
    "send_document_numbers": {"invoice": False},
}


def sync(ledger: StrictAccountLedger, record_type: RecordType, record_id: str) -> SyncOutcome:
    record_sync = ledger.record_sync()
    outcome = record_sync.sync(SyncRequest(record_type=record_type, record_id=record_id, run_id="run-1"), "m1")
    record_sync.write_backs.flush()
    return outcome


def test_with_the_settings_the_account_needs_a_child_subsidiary_customers_invoice_syncs(
    ledger: StrictAccountLedger,
) -> None:
    # Given a customer of the child subsidiary "Parent Co : Europe", an invoice with tax, and the settings
    configure(ledger, **NEEDED)
    ledger.zuora.put("Account", {**ledger.zuora.get("Account", ACCOUNT_ID), "Subsidiary__NS": "Parent Co : Europe"})
    ledger.add_invoice(amounts=(Decimal("90.00"),), Amount=Decimal("108.00"), TaxAmount=Decimal("18.00"))
    # When the invoice syncs (customer and item first)
    outcome = sync(ledger, RecordType.INVOICE, INVOICE_ID)
    # Then NetSuite holds it on its form, with its fields, tax codes, and a number of its own
    assert outcome is SyncOutcome.SYNCED, ledger.zuora.get("Invoice", INVOICE_ID).get("IntegrationError__c")
    invoice = ledger.simulator.get_by_external_id("invoice", external_id(RecordType.INVOICE, INVOICE_ID)) or {}
    assert (invoice["customForm"]["id"], invoice["custbody_source"]) == ("171", "Zuora")
    assert [line["taxCode"]["id"] for line in invoice["item"]["items"]] == ["7", "7"]
    assert [line["custcol_channel"] for line in invoice["item"]["items"]] == ["web", "web"]
    assert invoice["tranId"].startswith("INV")


@pytest.mark.parametrize(
    ("left_out", "record_type", "named"),
    [
        ("constant_fields", RecordType.CUSTOMER, "constant_fields.customer"),
        ("send_document_numbers", RecordType.INVOICE, "send_document_numbers.invoice"),
        ("default_tax_code_id", RecordType.INVOICE, "tax_codes"),
        ("item_include_children", RecordType.INVOICE, "item_subsidiaries"),
    ],
)
def test_without_a_setting_the_account_needs_the_reason_names_it(
    ledger: StrictAccountLedger, left_out: str, record_type: RecordType, named: str
) -> None:
    # Given the settings the account needs but one, and a customer of a child subsidiary with an invoice
    configure(ledger, **{k: v for k, v in NEEDED.items() if k != left_out})
    ledger.zuora.put("Account", {**ledger.zuora.get("Account", ACCOUNT_ID), "Subsidiary__NS": "Parent Co : Europe"})
    ledger.add_invoice(amounts=(Decimal("100"),))
    if record_type is RecordType.INVOICE:
        assert sync(ledger, RecordType.CUSTOMER, ACCOUNT_ID) is SyncOutcome.SYNCED
    # When the record syncs
    record_id = ACCOUNT_ID if record_type is RecordType.CUSTOMER else INVOICE_ID
    outcome = sync(ledger, record_type, record_id)
    # Then it fails, and the reason names the setting to change
    assert outcome in (SyncOutcome.ERROR, SyncOutcome.WARNING)
    zuora_object = "Account" if record_type is RecordType.CUSTOMER else "Invoice"
    assert named in ledger.zuora.get(zuora_object, record_id)["IntegrationError__c"]
