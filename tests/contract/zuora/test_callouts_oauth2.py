"""OAuth 2.0 on a callout: Zuora gets an access token from the OAuth 2.0 provider's Access Token Endpoint with the
Client Credentials grant and sends it as a bearer token. Simulator-only by design (callout_receiver.py)."""

from __future__ import annotations

from urllib.parse import parse_qs

from sandbox.zuora_callouts import CalloutSettings, CalloutTemplate, OAuth2Auth
from tests.contract.zuora.callout_receiver import CalloutEndpoint, Received, callout_tenant, ok

BODY = '{"objectId": "{{DataSource.Account.Id}}"}'


def token_or_callout(received: Received) -> tuple[int, dict[str, str], bytes]:
    if received.path == "/token":
        return ok({"access_token": "t0ken", "token_type": "bearer", "expires_in": 3600})
    return ok() if received.headers.get("authorization") == "Bearer t0ken" else (401, {}, b"")


def test_given_oauth2_on_a_template_when_zuora_calls_out_then_it_sends_a_client_credentials_token():
    """
    https://docs.zuora.com/en/zuora-platform/system-management/administrator-settings/add-an-oauth-2.0-provider
    (Grant Type Client Credentials, Client ID, Client Secret, Access Token Endpoint, Scope);
    https://docs.zuora.com/zuora-platform/extensibility/events-and-notifications/callout-templates/callout-template-overview
    (OAuth 2.0 is a callout authentication type)."""
    # Given a template authenticated with an OAuth 2.0 provider whose token endpoint is beside the receiver
    endpoint = CalloutEndpoint(default=token_or_callout)

    def template(url: str) -> CalloutTemplate:
        token_url = url.replace("/callouts", "/token")
        return CalloutTemplate(url=url, body=BODY, auth=OAuth2Auth(token_url, "zuora-client", "s3cret", "callouts"))

    with callout_tenant(template, CalloutSettings(interval_seconds=0), endpoint) as tenant:
        # When the account changes
        tenant.change_account_through_the_api(Notes="changed")

        # Then Zuora asked for a token with the client credentials, and called out with it as a bearer token
        token_request, callout = tenant.delivered()
        assert token_request.path == "/token"
        form = {name: values[0] for name, values in parse_qs(token_request.body.decode()).items()}
        assert form == {
            "grant_type": "client_credentials",
            "client_id": "zuora-client",
            "client_secret": "s3cret",
            "scope": "callouts",
        }
        assert callout.headers["authorization"] == "Bearer t0ken"
        assert tenant.callouts.sent[0].delivered is True
