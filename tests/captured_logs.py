"""The connector's log lines as a test sees them: Powertools' logger writes JSON (as in CloudWatch) and does not
propagate to pytest's caplog, so tests attach this handler to it."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from zuora_netsuite.observability import logger


class CapturedLog(logging.Handler):
    """The connector's log lines (JSON, as in CloudWatch), as text and parsed."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def entries(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines]


@contextmanager
def captured_connector_logs(level: str) -> Iterator[CapturedLog]:
    """Capture the connector's log lines at `level` or above (another test may have changed the shared logger's
    level: it is restored afterwards)."""
    captured = CapturedLog()
    captured.setFormatter(logger.registered_formatter)
    previous = logger.log_level
    logger.setLevel(level)
    logger.handlers.append(captured)
    try:
        yield captured
    finally:
        logger.handlers.remove(captured)
        logger.setLevel(previous)
