"""Zuora does not guarantee that callout notifications arrive in the order of the changes. Simulator-only by
design (callout_receiver.py): the simulator shuffles when asked, so receivers are tested against it."""

from __future__ import annotations

from sandbox.zuora_callouts import CalloutTemplate
from tests.contract.zuora.callout_receiver import callout_tenant

BODY = '{"notes": "{{DataSource.Account.Notes}}"}'


def test_given_several_changes_when_callouts_are_shuffled_then_they_arrive_out_of_order():
    """
    https://knowledgecenter.zuora.com/Central_Platform/Events_and_Notifications/C_Configure_Callout_Notifications
    "due to certain conditions, such as callout retry, concurrency, and network latency, Zuora does not guarantee
    that the callout notifications will be delivered in order"."""
    # Given callouts held while five changes happen, and a shuffling sender
    with callout_tenant(lambda url: CalloutTemplate(url=url, body=BODY), shuffle_seed=7) as tenant:
        tenant.callouts.pause()
        changes = [f"change {n}" for n in range(5)]
        for notes in changes:
            tenant.change_account_through_the_api(Notes=notes)
        # When they are delivered
        tenant.callouts.resume()
        arrived = [received.json()["notes"] for received in tenant.delivered()]

        # Then all five arrived, in another order than they happened
        assert sorted(arrived) == sorted(changes)
        assert arrived != changes
