"""NetSuite token-based auth as the simulator checks it: requests-oauthlib signatures, nothing else."""

from __future__ import annotations

import time

import pytest
import requests
from requests_oauthlib import OAuth1

from sandbox.netsuite_auth import AuthFailure, TbaCredentials, TbaVerifier, expected_realm

ACCOUNT = "1234567_SB1"
CONSUMER_SECRET = "consumer-secret"
TOKEN_SECRET = "token-secret"
CREDS = TbaCredentials(ACCOUNT, "consumer-key", CONSUMER_SECRET, "token-id", TOKEN_SECRET)
URL = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/customer/eid:zuora-account-1"


def signed(
    method: str = "PUT",
    url: str = URL,
    *,
    consumer_secret: str = CONSUMER_SECRET,
    token_secret: str = TOKEN_SECRET,
    realm: str = ACCOUNT,
    signature_method: str = "HMAC-SHA256",
    json_body: object | None = None,
    form_body: dict[str, str] | None = None,
    **oauth_kwargs: str,
) -> requests.PreparedRequest:
    auth = OAuth1(
        "consumer-key",
        consumer_secret,
        "token-id",
        token_secret,
        signature_method=signature_method,
        realm=realm,
        **oauth_kwargs,
    )
    request = requests.Request(method, url, json=json_body, data=form_body, auth=auth)
    return request.prepare()


def verify(verifier: TbaVerifier, prepared: requests.PreparedRequest) -> None:
    body = prepared.body
    text = body.decode() if isinstance(body, bytes) else (body or "")
    assert prepared.url is not None
    # requests-oauthlib leaves the Authorization header as bytes; on the wire (and in WSGI) it is text
    headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in prepared.headers.items()}
    verifier.verify(uri=prepared.url, method=prepared.method or "GET", headers=headers, body=text)


def test_a_request_signed_by_requests_oauthlib_with_the_right_credentials_is_accepted():
    # Given the verifier of the account and a JSON PUT signed as the connector signs it
    verifier = TbaVerifier(CREDS)
    prepared = signed(json_body={"companyName": "Acme"})
    # When it is verified, Then nothing is raised
    verify(verifier, prepared)


def test_query_parameters_are_part_of_the_signature():
    verifier = TbaVerifier(CREDS)
    prepared = signed(
        "POST", "https://x.example/services/rest/query/v1/suiteql?limit=10&offset=20", json_body={"q": "x"}
    )
    verify(verifier, prepared)

    tampered = signed(
        "POST", "https://x.example/services/rest/query/v1/suiteql?limit=10&offset=20", json_body={"q": "x"}
    )
    assert tampered.url is not None
    tampered.url = tampered.url.replace("offset=20", "offset=30")
    with pytest.raises(AuthFailure, match="signature mismatch"):
        verify(verifier, tampered)


def test_a_form_encoded_body_is_signed_and_a_json_body_is_not():
    verifier = TbaVerifier(CREDS)
    verify(verifier, signed("POST", form_body={"a": "1"}))

    json_request = signed("POST", json_body={"a": 1})
    json_request.body = b'{"a": 2}'  # JSON bodies are outside the signature: a changed body still verifies
    verify(verifier, json_request)


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"consumer_secret": "wrong"}, "signature mismatch"),
        ({"token_secret": "wrong"}, "signature mismatch"),
        ({"realm": "7654321"}, "wrong realm"),
        ({"realm": "1234567_sb1"}, "wrong realm"),
        ({"signature_method": "HMAC-SHA1"}, "unsupported signature method"),
        ({"timestamp": lambda: str(int(time.time()) - 600)}, "timestamp"),
        ({"timestamp": lambda: str(int(time.time()) + 600)}, "timestamp"),
        ({"nonce": "abc"}, "nonce"),
    ],
)
def test_wrong_credentials_or_parameters_are_refused(kwargs, reason):
    # Given a request signed with something the account does not accept
    verifier = TbaVerifier(CREDS)
    # (a timestamp is taken when the test runs, not when it is collected: a loaded machine may run it minutes later)
    prepared = signed(**{key: value() if callable(value) else value for key, value in kwargs.items()})
    # When it is verified, Then it is refused with that reason
    with pytest.raises(AuthFailure, match=reason):
        verify(verifier, prepared)


def test_an_unknown_consumer_key_or_token_is_refused():
    verifier = TbaVerifier(CREDS)
    other = TbaVerifier(TbaCredentials(ACCOUNT, "other-key", "consumer-secret", "token-id", "token-secret"))
    with pytest.raises(AuthFailure, match="consumer key"):
        verify(other, signed())
    other_token = TbaVerifier(TbaCredentials(ACCOUNT, "consumer-key", "consumer-secret", "other", "token-secret"))
    with pytest.raises(AuthFailure, match="token"):
        verify(other_token, signed())
    verify(verifier, signed())


def test_a_replayed_request_is_refused_because_its_nonce_was_used():
    verifier = TbaVerifier(CREDS)
    prepared = signed()
    verify(verifier, prepared)
    with pytest.raises(AuthFailure, match="nonce already used"):
        verify(verifier, prepared)


def test_a_request_without_an_oauth_header_is_refused():
    verifier = TbaVerifier(CREDS)
    with pytest.raises(AuthFailure, match="missing"):
        verifier.verify(uri=URL, method="GET", headers={"Authorization": "Bearer abc"}, body="")


def test_the_realm_is_the_account_id_upper_case_with_underscores():
    assert expected_realm("1234567-sb1") == "1234567_SB1"
    verifier = TbaVerifier(TbaCredentials("1234567-sb1", "consumer-key", "consumer-secret", "token-id", "token-secret"))
    verify(verifier, signed(realm="1234567_SB1"))


def test_the_clock_decides_what_is_stale():
    verifier = TbaVerifier(CREDS, clock=lambda: time.time() + 301)
    with pytest.raises(AuthFailure, match="timestamp"):
        verify(verifier, signed())
