"""Zuora calls out on every change of a watched object, including changes made through the API: so a
connector's own write-backs (action/update) cause callouts too. Simulator-only by design (callout_receiver.py)."""

from __future__ import annotations

from sandbox.zuora_callouts import CalloutTemplate
from tests.contract.zuora.callout_receiver import callout_tenant

BODY = '{"objectId": "{{DataSource.Account.Id}}", "status": "{{DataSource.Account.IntegrationStatus__NS}}"}'


def test_given_a_callout_on_account_when_the_account_is_updated_through_the_api_then_zuora_calls_out():
    """
    https://docs.zuora.com/en/zuora-platform/extensibility/events-and-notifications/notifications/callout-notification-overview
    callouts are event-based calls Zuora makes when records change, whatever made the change (UI or API);
    https://docs.zuora.com/zuora-platform/extensibility/events-and-notifications/callout-templates/callout-template-overview
    merge fields in the body take the values of the changed object."""
    # Given a callout template on Account changes, with merge fields in its body
    with callout_tenant(lambda url: CalloutTemplate(url=url, body=BODY)) as tenant:
        # When an integration updates the account through the API (as the connector's write-back does)
        tenant.change_account_through_the_api(IntegrationStatus__NS="Sync Complete")

        # Then Zuora calls out once, with the merge fields of the changed account
        delivered = tenant.delivered()
        assert len(delivered) == 1
        assert delivered[0].json() == {"objectId": tenant.account_id, "status": "Sync Complete"}
