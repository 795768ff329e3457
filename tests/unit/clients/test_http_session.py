"""The vendors' HTTP sessions read the environment's proxy settings per request only when there are some (requests
otherwise scans os.environ on every request for nothing); a CA bundle variable alone is read once."""

from __future__ import annotations

import pytest

from zuora_netsuite.adapters.http import ENVIRONMENT_SETTINGS, build_session


def test_given_no_proxy_or_ca_bundle_variable_when_a_session_is_built_then_it_does_not_read_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ENVIRONMENT_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    assert build_session().trust_env is False


@pytest.mark.parametrize("name", ["HTTPS_PROXY", "no_proxy"])
def test_given_a_proxy_variable_when_a_session_is_built_then_it_is_honoured(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    for other in ENVIRONMENT_SETTINGS:
        monkeypatch.delenv(other, raising=False)
    monkeypatch.setenv(name, "http://proxy.example:3128")
    session = build_session()
    assert session.trust_env is True
    if name == "HTTPS_PROXY":
        assert session.merge_environment_settings("https://rest.zuora.com/v1", {}, None, None, None)["proxies"] == {
            "https": "http://proxy.example:3128"
        }


@pytest.mark.parametrize("name", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_given_only_a_ca_bundle_variable_when_a_session_is_built_then_every_request_verifies_with_it(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    # Given a CA bundle named in the environment, and no proxy variable
    for other in ENVIRONMENT_SETTINGS:
        monkeypatch.delenv(other, raising=False)
    monkeypatch.setenv(name, "/etc/ssl/corporate-ca.pem")

    # When a session is built
    session = build_session()

    # Then its requests verify with that bundle, read once, without scanning the environment per request
    assert session.trust_env is False
    settings = session.merge_environment_settings("https://rest.zuora.com/v1", {}, None, None, None)
    assert settings["verify"] == "/etc/ssl/corporate-ca.pem"
