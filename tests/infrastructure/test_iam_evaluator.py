"""The IAM evaluator of the permission test (iam_policy.py) decides as AWS documents, on the pages' own examples.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/iam-policy-specific-table-indexes.html
"""

from __future__ import annotations

import pytest

from tests.infrastructure.iam_policy import Decision, Request, Resolver, UnsupportedPolicy, evaluate

TABLE = "arn:aws:dynamodb:us-west-2:123456789012:table/Books"


def allow(action: str | list[str], resource: str | list[str], **extra: object) -> dict[str, object]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def test_a_request_no_statement_allows_is_implicitly_denied():
    assert evaluate([], Request("dynamodb:GetItem", TABLE)) is Decision.IMPLICIT_DENY
    assert evaluate([allow("dynamodb:GetItem", TABLE)], Request("dynamodb:PutItem", TABLE)) is Decision.IMPLICIT_DENY


def test_an_explicit_deny_wins_over_any_allow():
    statements = [allow("dynamodb:*", "*"), {"Effect": "Deny", "Action": "dynamodb:DeleteItem", "Resource": TABLE}]
    assert evaluate(statements, Request("dynamodb:DeleteItem", TABLE)) is Decision.EXPLICIT_DENY
    assert evaluate(statements, Request("dynamodb:GetItem", TABLE)) is Decision.ALLOWED


def test_actions_match_case_insensitively_with_wildcards():
    assert evaluate([allow("DynamoDB:getitem", TABLE)], Request("dynamodb:GetItem", TABLE)) is Decision.ALLOWED
    assert evaluate([allow("dynamodb:Get*", TABLE)], Request("dynamodb:GetItem", TABLE)) is Decision.ALLOWED
    assert evaluate([allow("dynamodb:?etItem", TABLE)], Request("dynamodb:GetItem", TABLE)) is Decision.ALLOWED
    assert evaluate([allow("sqs:Get*", TABLE)], Request("dynamodb:GetItem", TABLE)) is Decision.IMPLICIT_DENY


def test_an_index_is_a_resource_of_its_own():
    # Given a Query allowed on the table only, then on the table and its indexes (the DynamoDB guide's example)
    query_index = Request("dynamodb:Query", f"{TABLE}/index/by-author")
    assert evaluate([allow("dynamodb:Query", TABLE)], query_index) is Decision.IMPLICIT_DENY
    assert evaluate([allow("dynamodb:Query", [TABLE, f"{TABLE}/index/*"])], query_index) is Decision.ALLOWED


def test_resources_match_case_sensitively_segment_by_segment():
    assert evaluate([allow("dynamodb:GetItem", TABLE.lower())], Request("dynamodb:GetItem", TABLE)) is (
        Decision.IMPLICIT_DENY
    )
    assert evaluate(
        [allow("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/*")], Request("dynamodb:GetItem", TABLE)
    ) is (Decision.ALLOWED)
    # a wildcard of the region segment does not reach into the account segment
    assert evaluate(
        [allow("sqs:SendMessage", "arn:aws:sqs:us-*")], Request("sqs:SendMessage", "arn:aws:sqs:us-east-1:1:q")
    ) is (Decision.IMPLICIT_DENY)


LEADING = {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["NOTIFICATION#*"]}}


def test_for_all_values_needs_every_request_value_to_match_and_holds_without_the_key():
    statement = allow("dynamodb:PutItem", TABLE, Condition=LEADING)
    ok = Request("dynamodb:PutItem", TABLE, {"dynamodb:LeadingKeys": ["NOTIFICATION#1"]})
    other = Request("dynamodb:PutItem", TABLE, {"dynamodb:LeadingKeys": ["RECORD#customer#1"]})
    assert evaluate([statement], ok) is Decision.ALLOWED
    assert evaluate([statement], other) is Decision.IMPLICIT_DENY
    # documented: ForAllValues returns true when the request has no value for the key
    assert evaluate([statement], Request("dynamodb:PutItem", TABLE)) is Decision.ALLOWED


def test_for_any_value_and_single_valued_operators_are_false_without_the_key_unless_if_exists():
    request = Request("dynamodb:PutItem", TABLE)
    any_value = allow("dynamodb:PutItem", TABLE, Condition={"ForAnyValue:StringLike": {"dynamodb:LeadingKeys": ["*"]}})
    single = allow("dynamodb:PutItem", TABLE, Condition={"StringEquals": {"aws:SourceVpc": "vpc-1"}})
    if_exists = allow("dynamodb:PutItem", TABLE, Condition={"StringEqualsIfExists": {"aws:SourceVpc": "vpc-1"}})
    assert evaluate([any_value], request) is Decision.IMPLICIT_DENY
    assert evaluate([single], request) is Decision.IMPLICIT_DENY
    assert evaluate([if_exists], request) is Decision.ALLOWED


def test_an_operator_it_does_not_implement_is_refused_not_guessed():
    statement = allow("dynamodb:PutItem", TABLE, Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})
    with pytest.raises(UnsupportedPolicy):
        evaluate([statement], Request("dynamodb:PutItem", TABLE))


def test_the_resolver_resolves_refs_getatts_subs_and_conditions():
    resolve = Resolver({"Ref:Secret": "arn:s", "Table.Arn": TABLE, "Ref:Given": "arn:g"}, {"Create": False})
    assert resolve({"Fn::Sub": "${Table.Arn}/index/*"}) == f"{TABLE}/index/*"
    assert resolve({"Fn::GetAtt": ["Table", "Arn"]}) == TABLE
    assert resolve({"Fn::If": ["Create", {"Ref": "Secret"}, {"Ref": "Given"}]}) == "arn:g"
    with pytest.raises(UnsupportedPolicy):
        resolve({"Ref": "Unknown"})
