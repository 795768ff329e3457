"""With "Confirm success by parsing response content" on, a 200 answer succeeds only when its JSON body says
`"success": true`. Simulator-only by design (callout_receiver.py)."""

from __future__ import annotations

from sandbox.zuora_callouts import CalloutSettings, CalloutTemplate
from tests.contract.zuora.callout_receiver import CalloutEndpoint, callout_tenant, ok

BODY = '{"objectId": "{{DataSource.Account.Id}}"}'


def test_given_parsing_on_when_a_200_answer_says_success_false_then_zuora_retries_until_it_says_true():
    """
    https://docs.zuora.com/zuora-platform/extensibility/events-and-notifications/configure-callout-settings
    "Confirm success by parsing response content ... If enabled, Zuora parses the callout response body when the
    HTTP response code is 200 and the Content-Type header is set to application/json ... include the success
    field in the response body"."""
    # Given the option on, and an endpoint answering 200 with success false, then 200 without JSON, then true
    endpoint = CalloutEndpoint(
        answers=[ok({"success": False}), (200, {"Content-Type": "text/plain"}, b"OK"), ok({"success": True})]
    )
    settings = CalloutSettings(interval_seconds=0, confirm_success_by_parsing=True)
    with callout_tenant(lambda url: CalloutTemplate(url=url, body=BODY), settings, endpoint) as tenant:
        # When the account changes
        tenant.change_account_through_the_api(Notes="changed")

        # Then only the answer with success true ended the tries
        assert len(tenant.delivered()) == 3
        assert tenant.callouts.sent[0].delivered is True
