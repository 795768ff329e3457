"""Basic authentication on a callout: by default Zuora sends the Authorization header only in the request that
follows a 401 answer with a `WWW-Authenticate` Basic realm challenge; with Enable Preemptive Authentication on,
in the first request. Simulator-only by design (callout_receiver.py)."""

from __future__ import annotations

import base64

from sandbox.zuora_callouts import BasicAuth, CalloutSettings, CalloutTemplate
from tests.contract.zuora.callout_receiver import CalloutEndpoint, Received, callout_tenant, ok

BODY = '{"objectId": "{{DataSource.Account.Id}}"}'
CREDENTIALS = "Basic " + base64.b64encode(b"zuora:callout-password").decode()


def challenge_then_check(received: Received) -> tuple[int, dict[str, str], bytes]:
    if received.headers.get("authorization") != CREDENTIALS:
        return 401, {"WWW-Authenticate": 'Basic realm="callouts"'}, b""
    return ok()


def test_given_basic_auth_when_zuora_calls_out_then_credentials_follow_a_401_challenge_only():
    """
    https://knowledgecenter.zuora.com/Central_Platform/Events_and_Notifications/C_Configure_Callout_Notifications
    "Zuora does not provide the Authorization field in the first HTTP request by default ... The callout receiver
    responds to Zuora with a 401 response. The response must contain a WWW-Authenticate header field with a
    realm value ... Then, Zuora sends a second HTTP request ... with the Authorization field"."""
    # Given a template with Basic authentication (not preemptive) and an endpoint that challenges
    endpoint = CalloutEndpoint(default=challenge_then_check)
    template = lambda url: CalloutTemplate(url=url, body=BODY, auth=BasicAuth("zuora", "callout-password"))  # noqa: E731
    with callout_tenant(template, CalloutSettings(interval_seconds=0), endpoint) as tenant:
        # When the account changes
        tenant.change_account_through_the_api(Notes="changed")

        # Then the first request had no credentials, the second had them, and that was one successful try
        first, second = tenant.delivered()
        assert "authorization" not in first.headers
        assert second.headers["authorization"] == CREDENTIALS
        assert tenant.callouts.sent[0].delivered is True


def test_given_preemptive_basic_auth_when_zuora_calls_out_then_the_first_request_has_the_credentials():
    """
    https://knowledgecenter.zuora.com/Central_Platform/Events_and_Notifications/C_Configure_Callout_Notifications
    "If you want Zuora to provide the Authorization field in the first HTTP request, enable the Enable Preemptive
    Authentication setting"."""
    endpoint = CalloutEndpoint(default=challenge_then_check)
    auth = BasicAuth("zuora", "callout-password", preemptive=True)
    with callout_tenant(
        lambda url: CalloutTemplate(url=url, body=BODY, auth=auth), CalloutSettings(interval_seconds=0), endpoint
    ) as tenant:
        tenant.change_account_through_the_api(Notes="changed")
        (only,) = tenant.delivered()
        assert only.headers["authorization"] == CREDENTIALS


def test_given_a_401_without_a_basic_challenge_then_zuora_does_not_send_credentials_and_the_try_fails():
    """
    https://knowledgecenter.zuora.com/Central_Platform/Events_and_Notifications/C_Configure_Callout_Notifications
    the 401 "must contain a WWW-Authenticate header field with a realm value"."""
    endpoint = CalloutEndpoint(default=lambda received: (401, {}, b""))
    with callout_tenant(
        lambda url: CalloutTemplate(url=url, body=BODY, auth=BasicAuth("zuora", "callout-password")),
        CalloutSettings(max_attempts=1, interval_seconds=0),
        endpoint,
    ) as tenant:
        tenant.change_account_through_the_api(Notes="changed")
        (only,) = tenant.delivered()
        assert "authorization" not in only.headers
        assert tenant.callouts.sent[0].delivered is False
