"""Only HTTP 200 is a successful callout; anything else (another 2xx included) fails and is retried, up to the
tenant's Maximum Number of Delivery Attempts (3 by default, at most 5). Simulator-only by design
(callout_receiver.py)."""

from __future__ import annotations

import pytest

from sandbox.zuora_callouts import CalloutSettings, CalloutTemplate
from tests.contract.zuora.callout_receiver import CalloutEndpoint, callout_tenant

BODY = '{"objectId": "{{DataSource.Account.Id}}"}'


@pytest.mark.parametrize("status", [202, 204, 400, 401, 404, 500, 503])
def test_given_an_endpoint_that_never_answers_200_when_zuora_calls_out_then_it_tries_three_times(status: int):
    """
    https://docs.zuora.com/zuora-platform/extensibility/events-and-notifications/callout-templates/create-a-callout-template
    "The customer API response to the Zuora callout must be HTTP status code 200, or the system considers the
    callout as a failure";
    https://docs.zuora.com/zuora-platform/extensibility/events-and-notifications/configure-callout-settings
    Maximum Number of Delivery Attempts, default 3."""
    # Given an endpoint that answers something other than 200
    endpoint = CalloutEndpoint(default=lambda received: (status, {}, b"{}"))
    with callout_tenant(
        lambda url: CalloutTemplate(url=url, body=BODY), CalloutSettings(interval_seconds=0), endpoint
    ) as tenant:
        # When the account changes
        tenant.change_account_through_the_api(Notes="changed")

        # Then Zuora tried three times, and the notification is not delivered
        assert len(tenant.delivered()) == 3
        assert tenant.callouts.sent[0].delivered is False


def test_given_an_endpoint_that_answers_200_when_zuora_calls_out_then_it_does_not_retry():
    """https://docs.zuora.com/zuora-platform/extensibility/events-and-notifications/callout-templates/create-a-callout-template"""
    # Given an endpoint that answers 200
    with callout_tenant(lambda url: CalloutTemplate(url=url, body=BODY), CalloutSettings(interval_seconds=0)) as tenant:
        # When the account changes
        tenant.change_account_through_the_api(Notes="changed")
        # Then one request was enough
        assert len(tenant.delivered()) == 1
        assert tenant.callouts.sent[0].delivered is True


def test_the_number_of_tries_is_configurable_up_to_five_and_no_further():
    """
    https://docs.zuora.com/zuora-platform/extensibility/events-and-notifications/configure-callout-settings
    Maximum Number of Delivery Attempts: default 3, maximum 5; Minimum Interval between Delivery Attempts:
    default 30 minutes, at most 1,440."""
    # Given a tenant configured for 5 tries and an endpoint that is down
    endpoint = CalloutEndpoint(default=lambda received: (500, {}, b""))
    with callout_tenant(
        lambda url: CalloutTemplate(url=url, body=BODY), CalloutSettings(max_attempts=5, interval_seconds=0), endpoint
    ) as tenant:
        # When the account changes, then Zuora tries 5 times
        tenant.change_account_through_the_api(Notes="changed")
        assert len(tenant.delivered()) == 5
    # And more than 5 tries, or an interval over 24 hours, cannot be configured
    with pytest.raises(ValueError, match="max_attempts"):
        CalloutSettings(max_attempts=6)
    with pytest.raises(ValueError, match="interval"):
        CalloutSettings(interval_seconds=1441 * 60)
