"""A whole cycle against a NetSuite that answers the way REST folds its errors: records changed or locked by a
workflow mid-write (USER_ERROR, reason only in the detail) still end synced; an invalid reference ends in error
with a reason that says what to fix (Oracle NetSuite help, "Error Handling in REST Web Services",
https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156570709583.html)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sandbox.report import dlq_messages
from sandbox.stack import Sandbox, SandboxOptions
from tests.e2e.conftest import running_sandbox
from zuora_netsuite.models.record_types import RecordType, external_id

pytestmark = pytest.mark.slow

INVALID_TERMS = "Error while accessing a resource. Invalid Field Value 42 for the following field: terms"


@pytest.fixture(scope="module")
def cycle() -> Iterator[tuple[Sandbox, str]]:
    options = SandboxOptions(seed=3, accounts=12, charges=4, retry_delay_seconds=0, max_receive_count=2)
    with running_sandbox(options) as sandbox:
        # Given a NetSuite where the next writes meet a record changed by someone else and a workflow lock
        sandbox.netsuite.fail_next_record_changed(3)
        sandbox.netsuite.fail_next_workflow_locked(3)
        # and one valid account whose customer NetSuite refuses for a reference to nothing
        # (not a parent account: its children would fail with it, naming it)
        parents = {account.get("ParentId") for account in sandbox.dataset.accounts}
        refused = sorted(sandbox.dataset.expected_synced("Account") - parents)[0]
        sandbox.netsuite.reject_external_id(external_id(RecordType.CUSTOMER, refused), INVALID_TERMS)
        # When one scheduled cycle runs
        sandbox.run_cycle()
        yield sandbox, refused


def test_records_changed_or_locked_mid_write_end_synced_without_duplicates(cycle: Any) -> None:
    sandbox, refused = cycle
    # Then NetSuite did answer those USER_ERRORs
    assert sandbox.netsuite.stats.errors_by_code.get("USER_ERROR", 0) >= 6
    # and every other valid account is in NetSuite once and Sync Complete in Zuora
    expected = sandbox.dataset.expected_synced("Account") - {refused}
    customers = [c["externalId"] for c in sandbox.netsuite.records("customer")]
    for account_id in expected:
        assert customers.count(external_id(RecordType.CUSTOMER, account_id)) == 1
        assert sandbox.zuora.get("Account", account_id)["IntegrationStatus__NS"] == "Sync Complete"


def test_an_invalid_reference_ends_in_error_saying_what_to_fix(cycle: Any) -> None:
    sandbox, refused = cycle
    # Then the refused account is in error in Zuora, with NetSuite's words and what to do
    account = sandbox.zuora.get("Account", refused)
    assert account["IntegrationStatus__NS"].startswith("Error")
    assert "Invalid Field Value 42 for the following field: terms" in account["IntegrationError__c"]
    # and its DLQ message carries the whole reason, advice included
    assert sandbox.resources is not None
    messages = dlq_messages(sandbox.aws.client("sqs"), sandbox.resources.dlq_url)
    [letter] = [m for m in messages if refused in str(m)]
    assert "NetSuite has no terms 42" in str(letter)
    assert "create or reactivate it in NetSuite" in str(letter)
