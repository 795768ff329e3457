"""The connector's functions inside a sandbox Lambda container (sandbox/containers.py), with the two ways the
fault suite (sandbox/chaos.py) kills a container. A kill is SIGKILL: nothing more runs in the process (no
`finally`, no flush of the write-back buffer, no lease release), as when Lambda ends an invocation at its
timeout, on an out-of-memory error or when its host fails.

- Sync: the NetSuite simulator marks its answer to a write it has already *committed* with KILL_HEADER; the
  container dies the instant that answer arrives. NetSuite has the record; DynamoDB and Zuora do not know.
- Dispatcher: with CHAOS_KILL_DISPATCHER_AT=<record type> in the container's environment, it dies right after
  its first SendMessageBatch of that type's messages: the earlier types are on the queue, this type is partly
  enqueued, the later ones are not reached.
"""

from __future__ import annotations

import importlib
import logging
import os
import signal
from collections.abc import Sequence
from typing import Any
from unittest import mock

from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter

from zuora_netsuite.adapters.queue import SqsSyncQueue
from zuora_netsuite.models.messages import SyncRequest

KILL_HEADER = "X-Sandbox-Chaos-Kill"
KILL_DISPATCHER_AT = "CHAOS_KILL_DISPATCHER_AT"
LOG_FILE = "CHAOS_LOG_FILE"  # the functions' JSON log lines go to this file (appended) instead of stdout

_adapter_send = HTTPAdapter.send
_queue_send = SqsSyncQueue.send


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _send_or_die(self: HTTPAdapter, request: PreparedRequest, *args: Any, **kwargs: Any) -> Response:
    response = _adapter_send(self, request, *args, **kwargs)
    if response.headers.get(KILL_HEADER):
        _die()
    return response


def _enqueue_or_die(self: SqsSyncQueue, requests: Sequence[SyncRequest]) -> int:
    sent = _queue_send(self, requests)
    if requests and requests[0].record_type.value == os.environ.get(KILL_DISPATCHER_AT):
        _die()
    return sent


def _route_logs(path: str) -> None:
    from zuora_netsuite.observability import logger

    handler = logging.FileHandler(path, mode="a", encoding="utf-8")
    handler.setFormatter(logger.registered_formatter)
    for existing in list(logger.handlers):
        logger.handlers.remove(existing)
    logger.handlers.append(handler)
    logging.getLogger("zuora_netsuite").addHandler(logging.FileHandler(path, mode="a", encoding="utf-8"))


_installed: list[bool] = []


def _install() -> None:
    """Once per container, on its first invocation (never in the process that only imports this module)."""
    if os.environ.get(LOG_FILE):
        _route_logs(os.environ[LOG_FILE])
    mock.patch.object(HTTPAdapter, "send", _send_or_die).start()
    mock.patch.object(SqsSyncQueue, "send", _enqueue_or_die).start()
    _installed.append(True)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """An SQS event goes to the sync function, anything else to the dispatcher (a scheduled event)."""
    if not _installed:
        _install()
    module = importlib.import_module("sync_handler" if "Records" in event else "dispatcher_handler")
    response: dict[str, Any] = module.handler(event, context)
    return response
