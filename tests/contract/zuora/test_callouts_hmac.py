"""HMAC on a callout template signs the administrator's Data - text with merge fields, each item followed by a
line feed - not the request body, and puts the Value template (around {{ Data.HMAC.Signed }}) in the header
named by Signed Header Key. Simulator-only by design (callout_receiver.py)."""

from __future__ import annotations

import base64
import hashlib
import hmac

from sandbox.zuora_callouts import CalloutTemplate, HmacAuth
from tests.contract.zuora.callout_receiver import callout_tenant

KEY = "callout-hmac-key-0123456789"
BODY = '{"objectId": "{{DataSource.Account.Id}}", "at": "{{Event.Timestamp}}", "notes": "{{DataSource.Account.Notes}}"}'
DATA = "{{Event.Timestamp}}\nAccountUpdated\n{{DataSource.Account.Id}}\n"


def test_given_hmac_on_a_template_when_zuora_calls_out_then_the_header_signs_the_data_with_the_key():
    """
    https://docs.zuora.com/zuora-platform/extensibility/workflow/create-and-manage-workflow-definitions/workflow-reference/workflow-task-reference/notifications-callout/example-use-hmac-authentication-in-a-callout-task
    Algorithm SHA-256, Key, "Data: ... each item including the final item in the data needs to be followed by a new
    line (LF)", "Signed Header Key", "Value: ...{{ Data.HMAC.Signed }}";
    https://docs.zuora.com/zuora-platform/extensibility/events-and-notifications/callout-templates/callout-template-overview
    merge fields may be used in the HMAC authentication data."""
    # Given a template signing the timestamp, the event and the account id into X-Signature as "v1=<signature>"
    auth = HmacAuth(key=KEY, data=DATA, signed_header_key="X-Signature", value="v1={{ Data.HMAC.Signed }}")
    with callout_tenant(lambda url: CalloutTemplate(url=url, body=BODY, auth=auth)) as tenant:
        # When the account changes
        tenant.change_account_through_the_api(Notes="changed")

        # Then the header holds the HMAC-SHA256 of the Data rendered with the same merge fields as the body
        (received,) = tenant.delivered()
        body = received.json()
        data = f"{body['at']}\nAccountUpdated\n{tenant.account_id}\n".encode()
        expected = base64.b64encode(hmac.new(KEY.encode(), data, hashlib.sha256).digest()).decode()
        assert received.headers["x-signature"] == f"v1={expected}"
        # And it is not a signature of the body
        over_body = base64.b64encode(hmac.new(KEY.encode(), received.body, hashlib.sha256).digest()).decode()
        assert over_body not in received.headers["x-signature"]


def test_given_a_retried_hmac_callout_then_every_try_carries_the_same_data_and_signature():
    """
    https://docs.zuora.com/en/zuora-platform/extensibility/events-and-notifications/notifications/callout-notification-overview
    a retry belongs to the same notification (same Zuora-Notification-Id); the documentation is silent on whether
    merge fields are rendered again, the simulator keeps the first rendering (the stricter case for a receiver
    that checks the signed timestamp's age: it must accept the retries' older timestamp)."""
    from sandbox.zuora_callouts import CalloutSettings
    from tests.contract.zuora.callout_receiver import CalloutEndpoint

    endpoint = CalloutEndpoint(answers=[(500, {}, b"")])
    auth = HmacAuth(key=KEY, data=DATA)
    with callout_tenant(
        lambda url: CalloutTemplate(url=url, body=BODY, auth=auth), CalloutSettings(interval_seconds=0.01), endpoint
    ) as tenant:
        tenant.change_account_through_the_api(Notes="changed")
        first, second = tenant.delivered()
        assert first.body == second.body
        assert first.headers["x-zuora-signature"] == second.headers["x-zuora-signature"]
