"""The vendors' HTTP sessions read the environment's proxy settings only when there are some: requests otherwise
scans os.environ on every request for nothing."""

from __future__ import annotations

import pytest

from zuora_netsuite.adapters.http import ENVIRONMENT_SETTINGS, build_session


def test_given_no_proxy_or_ca_bundle_variable_when_a_session_is_built_then_it_does_not_read_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ENVIRONMENT_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    assert build_session().trust_env is False


@pytest.mark.parametrize("name", ["HTTPS_PROXY", "no_proxy", "REQUESTS_CA_BUNDLE"])
def test_given_a_proxy_or_ca_bundle_variable_when_a_session_is_built_then_it_is_honoured(
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
