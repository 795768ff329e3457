"""Every callout carries Zuora-Notification-Id (the same on every retry of one notification) and
Zuora-Request-Id (a new uuid without hyphens on every request). Simulator-only by design (callout_receiver.py)."""

from __future__ import annotations

import re

from sandbox.zuora_callouts import CalloutSettings, CalloutTemplate
from tests.contract.zuora.callout_receiver import CalloutEndpoint, callout_tenant, ok

BODY = '{"objectId": "{{DataSource.Account.Id}}"}'


def test_given_a_failed_callout_when_zuora_retries_then_the_notification_id_stays_and_the_request_id_changes():
    """
    https://docs.zuora.com/en/zuora-platform/extensibility/events-and-notifications/notifications/callout-notification-overview
    "Zuora-Request-Id: uuid without hyphen ... A different Zuora-Request-Id value is used in any type of
    retrials"; "Zuora-Notification-Id ... The same Zuora-Notification-Id value is used in any type of retrials
    for the same notification context"."""
    # Given an endpoint that fails the first try
    endpoint = CalloutEndpoint(answers=[(503, {}, b"")])
    with callout_tenant(
        lambda url: CalloutTemplate(url=url, body=BODY), CalloutSettings(interval_seconds=0), endpoint
    ) as tenant:
        # When the account changes and Zuora retries the callout
        tenant.change_account_through_the_api(Notes="changed")
        first, second = tenant.delivered()

        # Then both tries carry the same notification id, and each its own request id
        assert first.headers["zuora-notification-id"] == second.headers["zuora-notification-id"]
        assert first.headers["zuora-request-id"] != second.headers["zuora-request-id"]
        for received in (first, second):
            assert re.fullmatch(r"[0-9a-f]{32}", received.headers["zuora-request-id"])
        # And a second change is a new notification
        endpoint.default = lambda received: ok()
        tenant.change_account_through_the_api(Notes="changed again")
        third = tenant.delivered()[-1]
        assert third.headers["zuora-notification-id"] != first.headers["zuora-notification-id"]
