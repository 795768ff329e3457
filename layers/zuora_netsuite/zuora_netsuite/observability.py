"""Logger, Tracer and Metrics: created once per container, shared by every module."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "zuora-netsuite-connector"

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(namespace="ZuoraNetSuiteConnector", service=SERVICE)
