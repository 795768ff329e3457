"""Done when: an edit in the Zuora sandbox reaches NetSuite through the webhook path with no scheduled run, and a
record enqueued by both the webhook and a scheduled run is synced once."""

from __future__ import annotations

import pytest

from sandbox.stack import SandboxOptions
from tests.e2e.conftest import running_sandbox

pytestmark = pytest.mark.slow


def test_an_edit_in_zuora_reaches_netsuite_through_the_webhook_without_a_scheduled_run():
    with running_sandbox(SandboxOptions(accounts=10, charges=3, retry_delay_seconds=0)) as sandbox:
        # Given Zuora's callouts pointed at the local API Gateway
        callouts = sandbox.enable_callouts()
        account = next(a for a in sandbox.zuora.all("Account") if a.get("Status") == "Active")
        external_id = f"zuora-account-{account['Id']}"

        # When a user renames the account in Zuora, and the sync function drains the queue (no dispatcher)
        sandbox.zuora.edit("Account", account["Id"], Name="Renamed Through The Webhook")
        callouts.wait_idle()
        drained = sandbox.drain_sync_queue()

        # Then NetSuite has the customer with the new name, and no dispatcher run happened
        customer = sandbox.netsuite.get_by_external_id("customer", external_id)
        assert customer is not None
        assert customer["companyName"] == "Renamed Through The Webhook"
        assert drained.messages == 1
        assert sandbox.dispatcher_runs() == 0
        # And Zuora got 200 for its callout, and the integration fields were written back
        assert callouts.sent[-1].attempts == [200]
        assert sandbox.zuora.get("Account", account["Id"])["IntegrationStatus__NS"] == "Sync Complete"


def test_a_record_enqueued_by_the_webhook_and_the_schedule_is_written_to_netsuite_once():
    with running_sandbox(SandboxOptions(accounts=10, charges=3, retry_delay_seconds=0)) as sandbox:
        # Given everything synced by a first scheduled cycle, and Zuora's callouts pointed at the local API
        sandbox.run_cycle()
        callouts = sandbox.enable_callouts()
        account = next(a for a in sandbox.zuora.all("Account") if a.get("IntegrationStatus__NS") == "Sync Complete")
        # And an edit whose callout put the account on the queue
        sandbox.zuora.edit("Account", account["Id"], Name="Edited Once")
        callouts.wait_idle()
        writes_before = sandbox.netsuite.stats.writes("customer")

        # When the next scheduled cycle enqueues the same account again and both messages are processed
        result = sandbox.run_cycle()

        # Then both messages were handled, but NetSuite was written once: the second found the payload unchanged
        assert result.summary["types"][0]["enqueued"] >= 1
        assert result.drain.messages >= 2
        assert sandbox.netsuite.stats.writes("customer") - writes_before == 1
        customer = sandbox.netsuite.get_by_external_id("customer", f"zuora-account-{account['Id']}")
        assert customer is not None
        assert customer["companyName"] == "Edited Once"
