"""openapi/webhook.yaml stays true to the handler, its models and the template."""

from __future__ import annotations

import re
from typing import Any

from openapi_spec_validator import validate

import webhook_handler
from tests.infrastructure.templates import load_sam_template
from tests.unit.webhook.conftest import Webhook, notification
from tests.unit.webhook.openapi_contract import check_answer_is_documented, openapi_document, resolve
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.webhook import NOTIFICATION_ID_PATTERN, CalloutNotification, ErrorAnswer, WebhookAnswer


def _operations(paths: dict[str, Any]) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in paths.items() for method in item if method != "parameters"}


def test_the_document_is_valid_openapi():
    validate(openapi_document())


def test_the_document_has_exactly_the_routes_of_the_handler_and_of_the_template():
    # Given the routes the handler serves (Powertools' own schema of the resolver) and the template's Api events
    handler_paths = webhook_handler.app.get_openapi_schema().paths or {}
    handler_routes = {
        (method, path.replace("{record_type}", "{type}").replace("{record_id}", "{id}"))
        for method, path in _operations({p: item.model_dump(exclude_none=True) for p, item in handler_paths.items()})
    }
    events = load_sam_template()["Resources"]["WebhookFunction"]["Properties"]["Events"]
    template_routes = {(e["Properties"]["Method"].upper(), e["Properties"]["Path"]) for e in events.values()}

    # Then the document describes those and no others
    documented = _operations(openapi_document()["paths"])
    assert documented == handler_routes == template_routes


def test_the_documented_callout_body_is_the_model_the_webhook_validates():
    documented = resolve(openapi_document()["components"]["schemas"]["CalloutNotification"])
    model = CalloutNotification.model_json_schema(by_alias=True)

    assert documented["properties"].keys() == model["properties"].keys()
    assert set(documented["required"]) == set(model["required"])
    for name, field in model["properties"].items():
        patterns = {field.get("pattern")} | {option.get("pattern") for option in field.get("anyOf", [])}
        assert documented["properties"][name].get("pattern") in patterns, name
        assert documented["properties"][name].get("maxLength") == field.get("maxLength"), name


def test_the_documented_answers_are_the_models_the_webhook_returns():
    schemas = openapi_document()["components"]["schemas"]
    assert schemas["ErrorAnswer"]["properties"].keys() == ErrorAnswer.model_fields.keys()
    answer_fields = {info.serialization_alias or name for name, info in WebhookAnswer.model_fields.items()}
    assert schemas["WebhookAnswer"]["properties"].keys() == answer_fields
    statuses = {s.value for s in WebhookAnswer.model_fields["status"].annotation}  # type: ignore[union-attr]
    assert set(schemas["WebhookAnswer"]["properties"]["status"]["enum"]) == statuses


def test_the_documented_parameters_match_the_validation():
    operations = openapi_document()["paths"]
    header = next(
        p for p in operations["/webhooks/zuora"]["post"]["parameters"] if p["name"] == "Zuora-Notification-Id"
    )
    assert header["schema"]["pattern"] == NOTIFICATION_ID_PATTERN
    type_pattern = next(p for p in operations["/sync/{type}/{id}"]["post"]["parameters"] if p["name"] == "type")
    assert all(re.match(type_pattern["schema"]["pattern"], t.value) for t in RecordType)


def test_each_kind_of_answer_is_documented(webhook: Webhook):
    # Given one request of each outcome
    answers = [
        webhook.callout(notification(), notification_id="n-1"),  # 200 enqueued
        webhook.callout(notification(), notification_id="n-1"),  # 200 duplicate
        webhook.callout(notification(objectType="Subscription"), notification_id="n-2"),  # 200 ignored
        webhook.callout(notification(objectId="a b")),  # 400
        webhook.callout(notification(), key="wrong-key-0123456789abcdef"),  # 401
        webhook.callout(notification(eventType="x" * 9000)),  # 413
        webhook.callout(notification(), content_type="text/xml"),  # 415
    ]
    # Then each status and body is the one the document describes
    for answer in answers:
        check_answer_is_documented("POST", "/webhooks/zuora", answer.status, answer.body)
    assert sorted({a.status for a in answers}) == [200, 400, 401, 413, 415]
    for record_type, record_id, status in (("customer", "a" * 32, 202), ("nope", "a", 400)):
        answer = webhook.manual(record_type, record_id)
        assert answer.status == status
        check_answer_is_documented("POST", "/sync/{type}/{id}", answer.status, answer.body)
