"""Webhook Lambda behind API Gateway (REST API): Zuora callouts and operators' manual sync triggers.

POST /webhooks/zuora      authenticate (HMAC or Basic), validate, enqueue, dedupe; answers within Zuora's timeout
POST /sync/{type}/{id}    IAM-authenticated by API Gateway; enqueues one record

The routes only translate between API Gateway and the logic in zuora_netsuite.logic.webhook.intake.
"""

from __future__ import annotations

import base64
import binascii
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from zuora_netsuite import wiring
from zuora_netsuite.logic.webhook.intake import Reply, rejected
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.webhook import ZUORA_ID_PATTERN
from zuora_netsuite.observability import WebhookMetric, add_webhook_request, logger, metrics, tracer

app = APIGatewayRestResolver(enable_validation=True)

# Route parameter names as the OpenAPI document (and API Gateway) call them.
_PATH_NAMES = {"record_type": "type", "record_id": "id"}


def _response(reply: Reply) -> Response[Any]:
    return Response(
        status_code=reply.status,
        content_type=content_types.APPLICATION_JSON,
        body=reply.json_body(),
        headers=dict(reply.headers),
    )


@app.post("/webhooks/zuora")
def zuora_callout() -> Response[Any]:
    event = app.current_event
    headers = {name.lower(): value for name, value in (event.headers or {}).items()}
    try:
        body = (
            base64.b64decode(event.body or "", validate=True)
            if event.is_base64_encoded
            else (event.body or "").encode("utf-8", "surrogatepass")
        )
    except (binascii.Error, ValueError):
        return _response(rejected(HTTPStatus.BAD_REQUEST, "invalid_body", "the body is not valid base64", "body"))
    return _response(wiring.callout_intake().receive(headers, body))


@app.post("/sync/<record_type>/<record_id>")
def manual_sync(
    record_type: Annotated[RecordType, Path(description="A record type of record_types.RecordType")],
    record_id: Annotated[str, Path(pattern=ZUORA_ID_PATTERN, description="The Zuora id of the record")],
) -> Response[Any]:
    caller = app.current_event.request_context.identity.user_arn
    return _response(wiring.manual_sync_trigger().trigger(record_type, record_id, caller))


@app.exception_handler(RequestValidationError)  # type: ignore[untyped-decorator]  # Powertools leaves it untyped
def invalid_request(error: RequestValidationError) -> Response[Any]:
    problems = list(error.errors())
    locations = [tuple(str(part) for part in problem.get("loc", ())) for problem in problems]
    fields = [_PATH_NAMES.get(loc[-1], loc[-1]) if loc else "request" for loc in locations]
    message = "; ".join(f"{name}: {p.get('msg', 'invalid')}" for name, p in zip(fields, problems, strict=True))
    field = fields[0] if fields else None
    return _response(rejected(HTTPStatus.BAD_REQUEST, "invalid_request", message or "invalid request", field))


@app.not_found
def no_such_route(error: NotFoundError) -> Response[Any]:
    return _response(
        rejected(HTTPStatus.NOT_FOUND, "not_found", "POST /webhooks/zuora and POST /sync/{type}/{id} are the routes")
    )


@app.exception_handler(Exception)  # type: ignore[untyped-decorator]
def server_error(error: Exception) -> Response[Any]:
    # Not the caller's fault (a misconfigured secret, the queue or table unreachable): logged with the traceback,
    # answered 500 so that Zuora retries; the scheduled run picks the record up in any case.
    logger.exception("Webhook failed; answered 500", extra={"error_type": type(error).__name__})
    add_webhook_request(WebhookMetric.ERROR)
    return Response(
        status_code=int(HTTPStatus.INTERNAL_SERVER_ERROR),
        content_type=content_types.APPLICATION_JSON,
        body={"success": False, "error": "internal_error", "message": "the request could not be enqueued; retry later"},
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
