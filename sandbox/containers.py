"""Lambda containers for the sandbox: one worker process per concurrent execution environment.

A handler module is imported once per container (its cold start) and then invoked warm, in its own
interpreter, exactly as Lambda keeps one execution environment per concurrent invocation. Compared with
invoking handlers on threads of the sandbox's own process, this keeps the simulators and moto from
competing with the functions for one interpreter lock, and lets a fault test kill a container mid-batch."""

from __future__ import annotations

import importlib
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from sandbox.aws_calls import AwsCallLog, IamRequest, deliver, invoked_as

_handlers: dict[str, Any] = {}
_container_log = AwsCallLog()  # the IAM requests of the container's current invocation
_recording = ExitStack()
_aws_calls: Counter[str] = Counter()  # "service:Operation" -> calls made by this container


@dataclass(frozen=True)
class Invocation:
    """What one invocation answered, and what it cost inside its container."""

    response: dict[str, Any]
    cpu_seconds: float  # the container's CPU time during the invocation (I/O waits excluded)
    cold_start_seconds: float  # importing the handler module, on the container's first invocation only
    aws_calls: dict[str, int]  # "service:Operation" -> AWS API calls the invocation made
    iam_requests: tuple[IamRequest, ...] = ()  # what IAM authorised for them (sandbox/aws_calls.py)


def _count_aws_call(model: Any, **_: Any) -> None:
    _aws_calls[f"{model.service_model.service_name}:{model.name}"] += 1


def _metrics() -> Any:
    from zuora_netsuite.observability import metrics

    return metrics


def _container_init(environment: Mapping[str, str]) -> None:
    os.environ.update(environment)
    import boto3

    boto3.setup_default_session()
    assert boto3.DEFAULT_SESSION is not None
    boto3.DEFAULT_SESSION.events.register("before-call", _count_aws_call)
    _recording.enter_context(_container_log.recording())  # for the container's whole life


def _invoke(module_name: str, event: dict[str, Any], context: Any) -> Invocation:
    cold = 0.0
    handler = _handlers.get(module_name)
    if handler is None:
        started = time.perf_counter()
        handler = importlib.import_module(module_name).handler
        cold = time.perf_counter() - started
        _handlers[module_name] = handler
    calls_before = Counter(_aws_calls)
    _container_log.requests.clear()
    cpu_started = time.process_time()
    try:
        with invoked_as(context.function_name):  # its AWS calls are made with that function's role
            response = handler(event, context)
    finally:
        _metrics().clear_metrics()  # disabled in the sandbox, so never flushed: see stack.lambda_invocation
    cpu = time.process_time() - cpu_started
    return Invocation(
        response=response,
        cpu_seconds=cpu,
        cold_start_seconds=cold,
        aws_calls=dict(_aws_calls - calls_before),
        iam_requests=tuple(_container_log.requests),
    )


class ContainerPool:
    """`size` containers; `invoke` runs a handler in whichever is free."""

    def __init__(self, size: int, environment: Mapping[str, str]) -> None:
        self._pool = ProcessPoolExecutor(
            max_workers=size,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_container_init,
            initargs=(dict(environment),),
        )

    def submit(self, module_name: str, event: dict[str, Any], context: Any) -> Future[Invocation]:
        return self._pool.submit(_invoke, module_name, event, context)

    def invoke(self, module_name: str, event: dict[str, Any], context: Any) -> Invocation:
        invocation = self.submit(module_name, event, context).result()
        deliver(invocation.iam_requests)  # into the logs recording in this process (the permission checks)
        return invocation

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ContainerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
