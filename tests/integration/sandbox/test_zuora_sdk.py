"""Zuora's own generated Python SDK (zuora-sdk on PyPI) against the sandbox's Zuora simulator.

If the SDK Zuora ships can get a token, page through a ZOQL query and update objects on the simulator, the
simulator speaks Zuora's wire format as Zuora's own client expects it: the SDK is generated from Zuora's OpenAPI
description, so its models (client id of exactly 36 characters, ProxyActionqueryResponse, SaveResult, ZObjectUpdate
with fieldsToNull, X-Zuora-WSDL-Version) are Zuora's contract, not ours.

Loading: the SDK's package __init__ imports all of its ~1,800 generated modules (about 25 s of CPU). The test
loads only what it uses: the package and its `models` and `api` subpackages are registered without running their
__init__, and a model is imported the first time the SDK's deserializer asks `zuora_sdk.models` for it.
Everything that then runs (ApiClient, Configuration, rest, OAuthApi, ActionsApi, the models) is the SDK's own code.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
import types
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox.zuora_simulator import ZuoraSimulator

SECRET = "sdk-secret"


def load_zuora_sdk_lazily() -> None:
    if "zuora_sdk" in sys.modules:
        return
    spec = importlib.util.find_spec("zuora_sdk")
    assert spec is not None, "zuora-sdk is in pyproject.toml's dev extra (requirements.lock)"
    assert spec.origin is not None
    root = Path(spec.origin).parent
    package = types.ModuleType("zuora_sdk")
    package.__path__ = [str(root)]
    models = types.ModuleType("zuora_sdk.models")
    models.__path__ = [str(root / "models")]
    where = dict(
        (name, module)
        for module, name in re.findall(
            r"from zuora_sdk\.models\.(\w+) import (\w+)", (root / "models" / "__init__.py").read_text()
        )
    )

    def model(name: str) -> Any:
        if name not in where:
            raise AttributeError(name)
        return getattr(importlib.import_module(f"zuora_sdk.models.{where[name]}"), name)

    models.__getattr__ = model  # type: ignore[method-assign]
    package.models = models  # type: ignore[attr-defined]
    api = types.ModuleType("zuora_sdk.api")  # its __init__ imports every API module, and they every model
    api.__path__ = [str(root / "api")]
    sys.modules["zuora_sdk"] = package
    sys.modules["zuora_sdk.models"] = models
    sys.modules["zuora_sdk.api"] = api


@pytest.fixture(scope="module")
def simulator() -> Iterator[ZuoraSimulator]:
    with ZuoraSimulator(str(uuid.uuid4()), SECRET, page_size=3) as sim:
        for n in range(7):
            sim.put("Account", {"AccountNumber": f"SDK-{n}", "Name": f"SDK Account {n}", "Status": "Active"})
        yield sim


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the generated models use pydantic's deprecated APIs
def test_given_zuoras_python_sdk_when_it_talks_to_the_simulator_then_token_query_more_and_update_work(
    simulator: ZuoraSimulator,
):
    load_zuora_sdk_lazily()
    from zuora_sdk.api.actions_api import ActionsApi
    from zuora_sdk.api.o_auth_api import OAuthApi
    from zuora_sdk.api_client import ApiClient
    from zuora_sdk.configuration import Configuration
    from zuora_sdk.models.proxy_actionquery_more_request import ProxyActionqueryMoreRequest
    from zuora_sdk.models.proxy_actionquery_request import ProxyActionqueryRequest
    from zuora_sdk.models.proxy_actionupdate_request import ProxyActionupdateRequest

    # Given the SDK pointed at the simulator, with the simulator's OAuth client (a UUID, as the SDK requires)
    client = ApiClient(Configuration(host=simulator.base_url))
    # When it gets a token
    token = OAuthApi(client).create_token(
        client_id=simulator.client_id, client_secret=SECRET, grant_type="client_credentials"
    )
    client.default_headers["Authorization"] = f"Bearer {token.access_token}"
    assert token.token_type.lower() == "bearer"
    actions = ActionsApi(client)
    # And pages through a ZOQL query with queryMore
    page = actions.action_post_query(
        ProxyActionqueryRequest(query_string="select Id, AccountNumber from Account where Status = 'Active'"),
        x_zuora_wsdl_version="79",
    )
    numbers = [record["AccountNumber"] for record in page.records]
    while not page.done:
        page = actions.action_postquery_more(ProxyActionqueryMoreRequest(query_locator=page.query_locator))
        numbers += [record["AccountNumber"] for record in page.records]
    # Then every account came once, 3 a page
    assert sorted(numbers) == [f"SDK-{n}" for n in range(7)]
    # When it updates two accounts, one clearing a field with fieldsToNull, one with a field Accounts lack
    first, second = (simulator.all("Account")[n]["Id"] for n in (0, 1))
    simulator.edit("Account", second, Notes="to be cleared")
    results = actions.action_postupdate(
        ProxyActionupdateRequest(
            type="Account",
            objects=[
                {"Id": first, "Notes": "set by zuora-sdk", "NoSuchField__c": "ignored"},
                {"Id": second, "fieldsToNull": ["Notes"]},
            ],
        )
    )
    # Then both succeed: the unknown field is ignored, the listed field is cleared
    assert [(result.id, result.success) for result in results] == [(first, True), (second, True)]
    assert simulator.get("Account", first)["Notes"] == "set by zuora-sdk"
    assert "Notes" not in (simulator.get("Account", second) or {})
