"""The permission recorder translates an AWS call into the IAM requests AWS authorises for it.

https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/iam-policy-specific-table-indexes.html
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html
"""

from __future__ import annotations

from sandbox.aws_calls import AwsCallLog, iam_requests, invoked_as

REGION = "us-east-1"
TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/state"


def actions(service: str, operation: str, params: dict[str, object]) -> list[tuple[str, str]]:
    return [(r.action, r.resource) for r in iam_requests("Fn", service, REGION, operation, params)]


def test_a_query_of_an_index_is_authorised_on_the_index_arn():
    assert actions("dynamodb", "Query", {"TableName": "state", "IndexName": "errors-by-type"}) == [
        ("dynamodb:Query", f"{TABLE_ARN}/index/errors-by-type")
    ]
    assert actions("dynamodb", "Query", {"TableName": "state"}) == [("dynamodb:Query", TABLE_ARN)]


def test_item_writes_carry_their_partition_key_as_leading_keys():
    (request,) = iam_requests("Fn", "dynamodb", REGION, "PutItem", {"TableName": "state", "Item": {"pk": "N#1"}})
    assert request.condition_values() == {"dynamodb:LeadingKeys": ("N#1",)}
    (typed,) = iam_requests("Fn", "dynamodb", REGION, "GetItem", {"TableName": "state", "Key": {"pk": {"S": "R#2"}}})
    assert typed.condition_values() == {"dynamodb:LeadingKeys": ("R#2",)}


def test_batch_operations_need_their_single_message_action():
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/sync"
    queue = "arn:aws:sqs:us-east-1:123456789012:sync"
    assert actions("sqs", "SendMessageBatch", {"QueueUrl": url}) == [("sqs:SendMessage", queue)]
    assert actions("sqs", "DeleteMessageBatch", {"QueueUrl": url}) == [("sqs:DeleteMessage", queue)]
    assert actions("dynamodb", "BatchGetItem", {"RequestItems": {"state": {}}}) == [
        ("dynamodb:BatchGetItem", TABLE_ARN)
    ]


def test_a_call_made_outside_any_function_is_not_recorded_and_an_unknown_one_is_flagged():
    import boto3
    from botocore.stub import Stubber

    log = AwsCallLog()
    sqs = boto3.client("sqs", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    with log.recording(), Stubber(sqs) as stub:
        url = "https://sqs.us-east-1.amazonaws.com/123456789012/sync"
        stub.add_response("get_queue_attributes", {"Attributes": {}}, {"QueueUrl": url})
        stub.add_response("get_queue_attributes", {"Attributes": {}}, {"QueueUrl": url})
        stub.add_response("list_queues", {}, {})
        sqs.get_queue_attributes(QueueUrl=url)  # the sandbox's own call: no function
        with invoked_as("SyncFunction"):
            sqs.get_queue_attributes(QueueUrl=url)
            sqs.list_queues()
    assert [(r.function, r.action) for r in log.requests] == [("SyncFunction", "sqs:GetQueueAttributes")]
    assert list(log.unknown) == ["SyncFunction: sqs:ListQueues"]
