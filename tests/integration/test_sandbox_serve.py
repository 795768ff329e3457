"""`make sandbox`: the sandbox in the foreground, its endpoints and credentials as one JSON line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import requests
from requests_oauthlib import OAuth1

from zuora_netsuite.adapters.zuora import zoql
from zuora_netsuite.adapters.zuora.client import ZuoraClient

REPO = Path(__file__).resolve().parents[2]
KEYS = {
    "aws_endpoint", "zuora_url", "zuora_client_id", "zuora_client_secret", "netsuite_url", "netsuite_account",
    "netsuite_consumer_key", "netsuite_consumer_secret", "netsuite_token_id", "netsuite_token_secret",
}  # fmt: skip


def test_serve_prints_one_json_line_whose_endpoints_and_credentials_work() -> None:
    # Given the sandbox started as `make sandbox` starts it
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(REPO / p) for p in ("layers/zuora_netsuite", "."))}
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "serve", "--accounts", "5", "--charges", "2"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        endpoints = json.loads(line)
        # Then it names every endpoint and credential
        assert endpoints.keys() >= KEYS
        # And a Zuora OAuth client, a NetSuite TBA signature and an AWS SDK all work against them
        token = requests.post(
            endpoints["zuora_url"] + "/oauth/token",
            data={
                "client_id": endpoints["zuora_client_id"],
                "client_secret": endpoints["zuora_client_secret"],
                "grant_type": "client_credentials",
            },
            timeout=10,
        )
        assert token.status_code == 200
        auth = OAuth1(
            endpoints["netsuite_consumer_key"],
            endpoints["netsuite_consumer_secret"],
            endpoints["netsuite_token_id"],
            endpoints["netsuite_token_secret"],
            signature_method="HMAC-SHA256",
            realm=endpoints["netsuite_account"],
        )
        suiteql = requests.post(
            endpoints["netsuite_url"] + "/query/v1/suiteql",
            json={"q": "SELECT id, fullname FROM subsidiary"},
            headers={"Prefer": "transient"},
            auth=auth,
            timeout=10,
        )
        assert suiteql.status_code == 200
        assert suiteql.json()["items"]
        sqs = boto3.client(
            "sqs",
            endpoint_url=endpoints["aws_endpoint"],
            region_name="us-east-1",
            aws_access_key_id="sandbox",
            aws_secret_access_key="sandbox",
        )
        assert any(url.endswith("-sync-dlq") for url in sqs.list_queues()["QueueUrls"])
    finally:
        process.terminate()
        process.wait(timeout=20)


@contextmanager
def served(*args: str) -> Iterator[dict[str, Any]]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(REPO / p) for p in ("layers/zuora_netsuite", "."))}
    process = subprocess.Popen(  # noqa: S603 - this interpreter, options written in the tests
        [sys.executable, "-m", "sandbox", "serve", "--accounts", "6", "--charges", "4", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield json.loads(process.stdout.readline())
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_serve_holds_the_data_set_make_run_syncs_all_seven_record_types() -> None:
    # Given the sandbox started as `make sandbox` starts it
    with served("--invoices", "8") as endpoints:
        zuora = ZuoraClient(endpoints["zuora_url"], endpoints["zuora_client_id"], endpoints["zuora_client_secret"])
        # Then Zuora holds every record type the connector syncs, as after `make run`'s start
        for zuora_object in ("Account", "ProductRatePlanCharge", "Invoice", "Payment", "Refund"):
            assert list(zuora.query(zoql.select(zuora_object, ("Id",)))), zuora_object
        for resource in ("credit-memos", "debit-memos"):
            assert list(zuora.object_query(resource, fields=("id",))), resource
        # And the connector is configured for Invoice Settlement, as `make run` is by default
        assert json.loads(endpoints["sync_config"])["zuora"]["invoice_settlement"] is True


def test_serve_legacy_tenant_is_the_tenant_make_run_legacy_tenant_syncs() -> None:
    with served("--invoices", "4", "--legacy-tenant") as endpoints:
        config = json.loads(endpoints["sync_config"])
        assert config["zuora"]["invoice_settlement"] is False
        assert "credit_memo" not in config["enabled_types"]
        zuora = ZuoraClient(endpoints["zuora_url"], endpoints["zuora_client_id"], endpoints["zuora_client_secret"])
        assert list(zuora.query("select Id from Invoice"))
