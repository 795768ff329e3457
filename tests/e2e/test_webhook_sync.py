"""Done when: an edit in the Zuora sandbox reaches NetSuite through the webhook path with no scheduled run, a
record enqueued by both the webhook and a scheduled run is synced once, and the callouts Zuora sends for the
connector's own write-backs (callouts fire on API changes too) make no further NetSuite write or write-back."""

from __future__ import annotations

import pytest

from sandbox.stack import Sandbox, SandboxOptions
from tests.e2e.conftest import running_sandbox

pytestmark = pytest.mark.slow


def _settle(sandbox: Sandbox) -> int:
    """Deliver every pending callout and drain the queue, until neither has anything left; messages processed."""
    assert sandbox.callouts is not None
    messages = 0
    for _ in range(10):
        sandbox.callouts.wait_idle()
        drained = sandbox.drain_sync_queue()
        messages += drained.messages
        sandbox.callouts.wait_idle()
        if drained.messages == 0:
            return messages
    raise AssertionError("callouts and syncs kept triggering each other")


def test_an_edit_in_zuora_reaches_netsuite_through_the_webhook_without_a_scheduled_run():
    with running_sandbox(SandboxOptions(accounts=10, charges=3, retry_delay_seconds=0)) as sandbox:
        # Given Zuora's callouts pointed at the local API Gateway
        callouts = sandbox.enable_callouts()
        account = next(a for a in sandbox.zuora.all("Account") if a.get("Status") == "Active")
        external_id = f"zuora-account-{account['Id']}"

        # When a user renames the account in Zuora, and the sync function drains the queue (no dispatcher)
        sandbox.zuora.edit("Account", account["Id"], Name="Renamed Through The Webhook")
        callouts.wait_idle()
        edit_callout = callouts.sent[0]
        _settle(sandbox)

        # Then NetSuite has the customer with the new name, written once, and no dispatcher run happened
        customer = sandbox.netsuite.get_by_external_id("customer", external_id)
        assert customer is not None
        assert customer["companyName"] == "Renamed Through The Webhook"
        assert sandbox.netsuite.stats.writes("customer") == 1
        assert sandbox.dispatcher_runs() == 0
        # And Zuora got 200 with success true for its callout, and the integration fields were written back
        assert edit_callout.attempts == [200]
        assert edit_callout.answer["success"] is True
        assert sandbox.zuora.get("Account", account["Id"])["IntegrationStatus__NS"] == "Sync Complete"


def test_the_callouts_of_the_connectors_own_write_backs_cause_no_further_write_anywhere():
    with running_sandbox(SandboxOptions(accounts=12, charges=4, retry_delay_seconds=0)) as sandbox:
        # Given Zuora's callouts on (delivered in no particular order, as Zuora guarantees none), held back while a
        # scheduled cycle syncs everything (valid and invalid records)
        callouts = sandbox.enable_callouts(shuffle_seed=3)
        callouts.pause()
        first = sandbox.run_cycle()
        assert first.drain.messages > 0
        netsuite_writes = sandbox.netsuite.stats.writes()
        zuora_updates = sandbox.zuora.stats.objects_updated
        assert netsuite_writes > 0
        assert zuora_updates > 0

        # When Zuora delivers the callouts of that cycle's write-backs (in-progress marks, Sync Complete, errors)
        # and the sync function processes everything they enqueue
        callouts.resume()
        second_round = _settle(sandbox)

        # Then the write-backs did call out, and every callout was acknowledged with 200
        assert len(callouts.sent) >= zuora_updates
        assert all(n.attempts == [200] for n in callouts.sent)
        assert second_round >= len(callouts.sent) // 2
        # And the second round wrote nothing to NetSuite and nothing back to Zuora: no loop
        assert sandbox.netsuite.stats.writes() == netsuite_writes
        assert sandbox.zuora.stats.objects_updated == zuora_updates
        assert sandbox.dispatcher_runs() == 1


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
        _settle(sandbox)

        # Then both messages were handled, but NetSuite was written once: the second found the payload unchanged
        assert result.summary["types"][0]["enqueued"] >= 1
        assert result.drain.messages >= 2
        assert sandbox.netsuite.stats.writes("customer") - writes_before == 1
        customer = sandbox.netsuite.get_by_external_id("customer", f"zuora-account-{account['Id']}")
        assert customer is not None
        assert customer["companyName"] == "Edited Once"
