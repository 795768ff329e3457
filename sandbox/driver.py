"""Plays Lambda's SQS event source mapping against the sandbox queue: polls it, invokes the sync
handler with real SQS event shapes at the configured concurrency, deletes what succeeded and leaves
`batchItemFailures` on the queue to be delivered again. SQS itself (moto) moves a message to the DLQ
once it was received more than maxReceiveCount times, exactly as in AWS.

Differences, for speed: Lambda leaves a failed message invisible until the queue's visibility timeout ends
(6 minutes here); the driver shortens that to `retry_delay_seconds`. And it receives with a visibility
timeout of the function's timeout (60 s), so a batch whose receive or invocation was lost comes back in a
minute rather than six."""

from __future__ import annotations

import hashlib
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from sandbox.aws import REGION
from sandbox.aws_calls import invoked_as

log = logging.getLogger("sandbox.driver")
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@dataclass
class LambdaContext:
    """What a handler reads from Lambda's context object."""

    function_name: str
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"
    timeout_seconds: float = 60.0
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:123456789012:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return "sandbox"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self.started)) * 1000))


@dataclass
class DrainStats:
    invocations: int = 0
    messages: int = 0
    deleted: int = 0
    retried: int = 0
    handler_errors: int = 0


def sqs_event_record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    """An SQS message as Lambda hands it to a function."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": {
            name: {
                "stringValue": value.get("StringValue"),
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": value["DataType"],
            }
            for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message.get("MD5OfBody") or hashlib.md5(message["Body"].encode()).hexdigest(),  # noqa: S324
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }


class SqsEventSourceMapping:
    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        queue_arn: str,
        handler: Handler,
        *,
        function_name: str = "SyncFunction",
        batch_size: int = 10,
        max_concurrency: int = 4,
        retry_delay_seconds: int = 1,
        visibility_timeout_seconds: int = 60,
        batching_window_seconds: float = 0.0,
        shuffle_seed: int | None = None,
    ) -> None:
        self._sqs = sqs
        self._queue_url = queue_url
        self._queue_arn = queue_arn
        self._handler = handler
        self._function_name = function_name
        self._batch_size = batch_size
        self._max_concurrency = max_concurrency
        self._retry_delay = retry_delay_seconds
        self._visibility_timeout = visibility_timeout_seconds
        # A batch larger than one receive (10) is gathered over up to this long, as Lambda's batching window
        self._batching_window = batching_window_seconds
        # A standard queue's order is best effort (and moto's is first in, first out): with a seed, each drain
        # starts by putting what waits on the queue back in a random order, replayable from the seed.
        self._shuffle = random.Random(shuffle_seed) if shuffle_seed is not None else None
        self.shuffled = 0  # messages put back in a shuffled order, over every drain
        self._lock = threading.Lock()
        self._poll_lock = threading.Lock()
        self.stats = DrainStats()

    def queue_depth(self) -> int:
        with invoked_as(self._function_name):  # Lambda's poller uses the function's execution role
            attributes = self._sqs.get_queue_attributes(
                QueueUrl=self._queue_url,
                AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
            )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])

    def drain(
        self,
        *,
        on_batch: Callable[[int], None] | None = None,
        timeout_seconds: float = 600.0,
        until: Callable[[], bool] | None = None,
    ) -> DrainStats:
        """Process until the queue is empty (every message deleted or moved to the DLQ) and, with `until`, that
        says the producers are done (a mapping running alongside the function that fills its queue)."""
        deadline = time.monotonic() + timeout_seconds
        stop = threading.Event()
        if self._shuffle is not None:
            self.shuffled += shuffle_queue(self._sqs, self._queue_url, self._shuffle)

        def worker() -> None:
            while not stop.is_set():
                if time.monotonic() > deadline:
                    raise TimeoutError(f"queue not drained within {timeout_seconds} s")
                try:
                    polled = self._poll_once(on_batch)
                except (ClientError, BotoCoreError):
                    # An SQS call failed (as the Lambda service would, the poller carries on): the batch it
                    # held comes back when its visibility timeout ends, and is processed again then.
                    log.exception("SQS call of the event source mapping failed; the batch will be delivered again")
                    continue
                if not polled and (until is None or until()) and self.queue_depth() == 0:
                    stop.set()
                    return

        with ThreadPoolExecutor(max_workers=self._max_concurrency, thread_name_prefix="sync") as pool:
            futures = [pool.submit(worker) for _ in range(self._max_concurrency)]
            for future in futures:
                future.result()
        return self.stats

    def _receive_batch(self) -> list[dict[str, Any]]:
        """Up to `batch_size` messages: SQS gives at most 10 a receive, so a larger batch is gathered over the
        batching window (an empty queue at the first receive ends it at once)."""
        messages: list[dict[str, Any]] = []
        window_ends = time.monotonic() + self._batching_window
        while len(messages) < self._batch_size:
            answer = self._sqs.receive_message(
                QueueUrl=self._queue_url,
                MaxNumberOfMessages=min(10, self._batch_size - len(messages)),
                # The function's timeout, not the queue's 6 x that: a batch whose receive never reached us (SQS
                # delivers at least once) or whose invocation died comes back within a minute, not six.
                VisibilityTimeout=self._visibility_timeout,
                WaitTimeSeconds=0,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            received = answer.get("Messages", [])
            messages += received
            if not messages or time.monotonic() >= window_ends:
                break
            if not received:
                time.sleep(0.05)
        return messages

    def _poll_once(self, on_batch: Callable[[int], None] | None) -> bool:
        # One poller at a time, as Lambda's pollers hand batches to concurrent invocations; moto's SQS
        # also moves messages to the DLQ during a receive and is not safe for concurrent receives.
        with self._poll_lock, invoked_as(self._function_name):  # the poller receives with the function's role
            messages = self._receive_batch()
        if not messages:
            time.sleep(0.05)
            return False
        event = {"Records": [sqs_event_record(m, self._queue_arn) for m in messages]}
        by_id = {m["MessageId"]: m for m in messages}
        try:
            response = self._handler(event, LambdaContext(self._function_name))
            failed = {item["itemIdentifier"] for item in response.get("batchItemFailures", [])}
        except Exception:
            # A function error fails the whole batch, as on Lambda; the error is in the log.
            log.exception("Sync function invocation failed; the whole batch will be delivered again")
            with self._lock:
                self.stats.handler_errors += 1
            failed = set(by_id)
        succeeded = [m for mid, m in by_id.items() if mid not in failed]
        for start in range(0, len(succeeded), 10):
            chunk = succeeded[start : start + 10]
            with invoked_as(self._function_name):
                self._sqs.delete_message_batch(
                    QueueUrl=self._queue_url,
                    Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)],
                )
        retry = [mid for mid in sorted(failed) if mid in by_id]
        for start in range(0, len(retry), 10):
            # The sandbox's shortcut (not Lambda's: it leaves the message until its visibility timeout ends), so
            # it is made with no function's role and needs no permission in template.yaml.
            self._sqs.change_message_visibility_batch(
                QueueUrl=self._queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": by_id[mid]["ReceiptHandle"], "VisibilityTimeout": self._retry_delay}
                    for i, mid in enumerate(retry[start : start + 10])
                ],
            )
        with self._lock:
            self.stats.invocations += 1
            self.stats.messages += len(messages)
            self.stats.deleted += len(succeeded)
            self.stats.retried += len(failed)
        if on_batch:
            on_batch(len(succeeded))
        return True


def shuffle_queue(sqs: Any, queue_url: str, rng: random.Random) -> int:
    """Every visible message taken off the queue and sent again (body and attributes), in `rng`'s order (the same
    for the same messages and seed); returns how many. The sent copies are new messages (receive count 0): a
    shuffle never brings one nearer the DLQ. A sandbox shortcut, made with no function's role (it needs no
    permission in template.yaml)."""
    messages: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=300, MessageAttributeNames=["All"]
        ).get("Messages", [])
        if not batch:
            break
        messages += batch
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)],
        )
    # From the order of their bodies (record type and id first), not the queue's, which depends on how concurrent
    # sends interleaved: the same messages get the same order from the same seed.
    messages.sort(key=lambda m: str(m["Body"]))
    rng.shuffle(messages)
    for start in range(0, len(messages), 10):
        chunk = messages[start : start + 10]
        sqs.send_message_batch(
            QueueUrl=queue_url,
            Entries=[
                {"Id": str(i), "MessageBody": m["Body"], "MessageAttributes": m.get("MessageAttributes", {})}
                for i, m in enumerate(chunk)
            ],
        )
    return len(messages)


def sync_event_source_mapping(
    sqs: Any,
    queue_url: str,
    handler: Handler,
    *,
    queue_arn: str | None = None,
    max_concurrency: int = 4,
    retry_delay_seconds: int = 1,
    shuffle_seed: int | None = None,
) -> SqsEventSourceMapping:
    """SyncQueue -> SyncFunction, as template.yaml's SyncFunction event maps them: every driver of the sandbox (its
    scheduled cycles, the chaos suite, the operator CLI's `run` against `make sandbox`) builds the mapping here.
    queue_arn: looked up on the queue when the caller does not know it. shuffle_seed: each drain delivers what
    waits on the queue in a random order (`shuffle_queue`), the same for the same seed."""
    if queue_arn is None:
        attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]
        queue_arn = str(attributes["QueueArn"])
    return SqsEventSourceMapping(
        sqs,
        queue_url,
        queue_arn,
        handler,
        function_name="SyncFunction",
        max_concurrency=max_concurrency,
        retry_delay_seconds=retry_delay_seconds,
        shuffle_seed=shuffle_seed,
    )


# The sandbox gathers a write-back batch over 1 s by default, not the template's 5 s: shorter waits at the end of
# each test's cycle, smaller batches below ~50 statuses a second (the bench uses the template's 5 s).
WRITEBACK_BATCHING_WINDOW_SECONDS = 1.0


def writeback_event_source_mapping(
    sqs: Any,
    queue_url: str,
    queue_arn: str,
    handler: Handler,
    *,
    retry_delay_seconds: int = 1,
    batching_window_seconds: float = WRITEBACK_BATCHING_WINDOW_SECONDS,
) -> SqsEventSourceMapping:
    """WriteBackQueue -> WriteBackFunction, as template.yaml's WriteBackQueueEventSource maps them: batches of 50,
    at most 2 concurrent invocations."""
    return SqsEventSourceMapping(
        sqs,
        queue_url,
        queue_arn,
        handler,
        function_name="WriteBackFunction",
        batch_size=50,
        max_concurrency=2,
        retry_delay_seconds=retry_delay_seconds,
        batching_window_seconds=batching_window_seconds,
    )
