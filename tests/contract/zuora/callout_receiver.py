"""What the callout contract tests need: a Zuora tenant whose callouts can be watched, and an endpoint that
records every callout request and answers as each test scripts it.

Callouts cannot be triggered against a real tenant by a test alone (they need a notification configured in the
tenant and an endpoint Zuora can reach), so the callout contract tests are simulator-only by design: each one
changes a record through Zuora's public API (the connector's own client) and observes what arrives at the
endpoint. docs/contract-tests.md gives the manual check for a real tenant.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Request, Response

from sandbox.http_server import LoopbackServer
from sandbox.zuora_callouts import CalloutSettings, CalloutTemplate, ZuoraCallouts
from sandbox.zuora_simulator import ZuoraSimulator
from zuora_netsuite.adapters.zuora.client import ZuoraClient


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]  # names in lower case
    body: bytes
    path: str = "/callouts"

    def json(self) -> Any:
        return json.loads(self.body)


Answer = tuple[int, dict[str, str], bytes]  # status, headers, body


def ok(body: Mapping[str, Any] | None = None) -> Answer:
    return 200, {"Content-Type": "application/json"}, json.dumps(dict(body or {"success": True})).encode()


@dataclass
class CalloutEndpoint:
    """Records callouts; `answers` are given out in order, then `default`."""

    answers: list[Answer] = field(default_factory=list)
    default: Callable[[Received], Answer] = lambda received: ok()
    received: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        received = Received({k.lower(): v for k, v in request.headers.items()}, request.get_data(), request.path)
        with self._lock:
            self.received.append(received)
            status, headers, body = self.answers.pop(0) if self.answers else self.default(received)
        return Response(body, status=status, headers=headers)(environ, start_response)


@dataclass
class CalloutTenant:
    """A simulated tenant with one callout template on Account, the test account, and the public API client."""

    simulator: ZuoraSimulator
    callouts: ZuoraCallouts
    endpoint: CalloutEndpoint
    account_id: str
    client: ZuoraClient

    def change_account_through_the_api(self, **fields: Any) -> None:
        results = self.client.update("Account", [{"Id": self.account_id, **fields}])
        assert all(result.success for result in results)

    def delivered(self) -> list[Received]:
        self.callouts.wait_idle()
        return list(self.endpoint.received)


@contextmanager
def callout_tenant(
    template: Callable[[str], CalloutTemplate],  # given the endpoint's URL (its base URL + "/callouts")
    settings: CalloutSettings | None = None,
    endpoint: CalloutEndpoint | None = None,
    *,
    shuffle_seed: int | None = None,
) -> Iterator[CalloutTenant]:
    """template: builds the Account callout template for the endpoint's URL."""
    endpoint = endpoint or CalloutEndpoint()
    client_id, client_secret = str(uuid.uuid4()), "callout-contract-" + uuid.uuid4().hex
    simulator = ZuoraSimulator(client_id, client_secret)
    server = LoopbackServer(endpoint.app)
    url = server.start()
    simulator.start()
    account_id = simulator.put(
        "Account", {"AccountNumber": "CALLOUT-1", "Name": "Callout Contract", "Status": "Active", "Currency": "USD"}
    )
    callouts = ZuoraCallouts({"Account": template(f"{url}/callouts")}, settings, shuffle_seed=shuffle_seed)
    simulator.change_listeners.append(callouts.on_change)
    client = ZuoraClient(simulator.base_url, client_id, client_secret, max_attempts=1)
    try:
        yield CalloutTenant(simulator, callouts, endpoint, account_id, client)
    finally:
        client.close()
        callouts.stop()
        simulator.stop()
        server.stop()
