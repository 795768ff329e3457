"""Properties the SAM template must keep, as functions returning the list of violations (empty = fine).

Each check reads the SAM template (`sam`, as written) and/or the CloudFormation template SAM transforms it
into (`cfn`). Values are read from the templates, never restated as constants here, so a change in one place
(e.g. the sync function's timeout) is checked against the other (the queue's visibility timeout).
test_template.py asserts every check passes; test_template_regressions.py breaks the template on purpose and
asserts the matching check notices, so none of them can pass vacuously.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

Template = dict[str, Any]

BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
XRAY_WRITE = "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"
GUARDED_SERVICES = ("dynamodb:", "sqs:", "secretsmanager:")


# ---------------------------------------------------------------------------------------------- helpers


def resource(template: Template, logical_id: str) -> dict[str, Any]:
    found = template["Resources"].get(logical_id)
    if found is None:
        raise KeyError(f"resource {logical_id} is not in the template")
    return found


def props(template: Template, logical_id: str) -> dict[str, Any]:
    return resource(template, logical_id).get("Properties", {})


def function_property(sam: Template, logical_id: str, name: str) -> Any:
    """A function property as deployed: the function's own value, else the Globals.Function value."""
    own = props(sam, logical_id)
    if name in own:
        return own[name]
    return sam.get("Globals", {}).get("Function", {}).get(name)


def parameter_value(sam: Template, value: Any) -> Any:
    """A literal stays as is; {"Ref": Param} becomes the parameter's Default."""
    if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in sam.get("Parameters", {}):
        return sam["Parameters"][value["Ref"]].get("Default")
    return value


def is_ref(value: Any, name: str) -> bool:
    return value == {"Ref": name}


def is_arn_of(value: Any, logical_id: str) -> bool:
    return value in ({"Fn::GetAtt": [logical_id, "Arn"]}, {"Fn::GetAtt": f"{logical_id}.Arn"})


def event_source_mapping(cfn: Template, function_id: str, queue_id: str) -> dict[str, Any]:
    for res in cfn["Resources"].values():
        p = res.get("Properties", {})
        if (
            res["Type"] == "AWS::Lambda::EventSourceMapping"
            and p.get("FunctionName") == {"Ref": function_id}
            and is_arn_of(p.get("EventSourceArn"), queue_id)
        ):
            return p
    raise KeyError(f"no event source mapping from {queue_id} to {function_id}")


def describe(value: Any) -> str:
    """A resource of an IAM statement as one comparable string: 'SyncDLQ.Arn', 'Ref:ZuoraSecretArn', '*'."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        ((fn, arg),) = value.items()
        if fn == "Ref":
            return f"Ref:{arg}"
        if fn == "Fn::GetAtt":
            return ".".join(arg) if isinstance(arg, list) else str(arg)
        if fn == "Fn::Sub":
            return arg if isinstance(arg, str) else arg[0]
    return repr(value)


def is_wildcard(resource_text: str) -> bool:
    """'*' or an ARN pattern whose wildcard is not anchored to a resource of this template."""
    star = resource_text.find("*")
    return star >= 0 and "${" not in resource_text[:star] and "Ref:" not in resource_text[:star]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@dataclass(frozen=True)
class Grant:
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    policy: str

    def allows(self, action: str) -> bool:
        return self.effect == "Allow" and any(fnmatchcase(action.lower(), a.lower()) for a in self.actions)

    def touches_service(self, prefixes: Iterable[str]) -> bool:
        return any(a == "*" or a.lower().startswith(tuple(prefixes)) for a in self.actions)


def function_role(cfn: Template, function_id: str) -> dict[str, Any]:
    role = props(cfn, function_id)["Role"]
    if not (isinstance(role, dict) and "Fn::GetAtt" in role):
        raise ValueError(f"{function_id} does not use a role of this template: {role!r}")
    role_id = describe(role).split(".")[0]
    return props(cfn, role_id)


def inline_grants(cfn: Template, function_id: str) -> list[Grant]:
    """Every statement of every inline policy of the function's role (SAM's policy templates included)."""
    grants = []
    for policy in function_role(cfn, function_id).get("Policies", []):
        for st in as_list(policy["PolicyDocument"]["Statement"]):
            if "NotAction" in st or "NotResource" in st:
                raise ValueError(f"{function_id}: NotAction/NotResource statements are not allowed: {st}")
            grants.append(
                Grant(
                    effect=st["Effect"],
                    actions=tuple(as_list(st["Action"])),
                    resources=tuple(describe(r) for r in as_list(st["Resource"])),
                    policy=policy["PolicyName"],
                )
            )
    return grants


def managed_policies(cfn: Template, function_id: str) -> set[str]:
    return {describe(p) for p in function_role(cfn, function_id).get("ManagedPolicyArns", [])}


def resources_allowed(grants: list[Grant], action: str) -> set[str]:
    return {r for g in grants if g.allows(action) for r in g.resources}


# ------------------------------------------------------------------------------------------------ checks


def check_sync_event_source(sam: Template, cfn: Template) -> list[str]:
    problems = []
    esm = event_source_mapping(cfn, "SyncFunction", "SyncQueue")
    if "ReportBatchItemFailures" not in esm.get("FunctionResponseTypes", []):
        problems.append(f"sync ESM does not report batch item failures: {esm.get('FunctionResponseTypes')}")
    if esm.get("BatchSize") != 10:
        problems.append(f"sync ESM BatchSize is {esm.get('BatchSize')}, expected 10")
    concurrency = esm.get("ScalingConfig", {}).get("MaximumConcurrency")
    if not is_ref(concurrency, "NetSuiteConcurrency"):
        problems.append(f"sync ESM MaximumConcurrency is {concurrency!r}, not the NetSuiteConcurrency parameter")
    param = sam["Parameters"].get("NetSuiteConcurrency", {})
    if param.get("MinValue", 0) < 2 or param.get("Default", 0) < 2:
        problems.append("NetSuiteConcurrency must be >= 2 (SQS ScalingConfig.MaximumConcurrency minimum)")
    return problems


def check_visibility_timeout(sam: Template, cfn: Template) -> list[str]:
    timeout = parameter_value(sam, function_property(sam, "SyncFunction", "Timeout"))
    visibility = parameter_value(sam, props(sam, "SyncQueue").get("VisibilityTimeout", 30))
    if timeout is None:
        return ["SyncFunction has no Timeout (the 3 s default is far too short)"]
    if int(visibility) < 6 * int(timeout):
        return [f"SyncQueue VisibilityTimeout {visibility} < 6 x SyncFunction Timeout {timeout}"]
    return []


def check_redrive(sam: Template, cfn: Template) -> list[str]:
    problems = []
    redrive = props(cfn, "SyncQueue").get("RedrivePolicy") or {}
    if not is_arn_of(redrive.get("deadLetterTargetArn"), "SyncDLQ"):
        problems.append(f"SyncQueue redrive target is {redrive.get('deadLetterTargetArn')!r}, not SyncDLQ")
    if not is_ref(redrive.get("maxReceiveCount"), "MaxReceiveCount"):
        problems.append(f"maxReceiveCount is {redrive.get('maxReceiveCount')!r}, not the MaxReceiveCount parameter")
    return problems


def check_dlq_retention(sam: Template, cfn: Template) -> list[str]:
    queue = int(props(cfn, "SyncQueue").get("MessageRetentionPeriod", 345600))
    dlq = int(props(cfn, "SyncDLQ").get("MessageRetentionPeriod", 345600))
    problems = []
    if dlq <= queue:
        problems.append(f"SyncDLQ retention {dlq} s is not longer than SyncQueue retention {queue} s")
    if dlq != 1209600:
        problems.append(f"SyncDLQ retention is {dlq} s, expected 14 days (1209600 s)")
    return problems


def check_table(sam: Template, cfn: Template) -> list[str]:
    problems = []
    table = resource(cfn, "IntegrationStateTable")
    p = table.get("Properties", {})
    if p.get("BillingMode") != "PAY_PER_REQUEST":
        problems.append(f"table BillingMode is {p.get('BillingMode')!r}, expected PAY_PER_REQUEST")
    if p.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled") is not True:
        problems.append("table has no point-in-time recovery")
    ttl = p.get("TimeToLiveSpecification", {})
    if ttl.get("Enabled") is not True or not ttl.get("AttributeName"):
        problems.append(f"table has no TTL attribute: {ttl}")
    if table.get("DeletionPolicy") != "Retain" or table.get("UpdateReplacePolicy") != "Retain":
        problems.append("table is not retained on stack deletion / replacement")
    return problems


def _no_wildcards(function_id: str, grants: list[Grant]) -> list[str]:
    return [
        f"{function_id}: {g.actions} on wildcard resource {r!r}"
        for g in grants
        if g.effect == "Allow" and g.touches_service(GUARDED_SERVICES)
        for r in g.resources
        if is_wildcard(r)
    ]


def _exactly(function_id: str, grants: list[Grant], action: str, expected: set[str]) -> list[str]:
    allowed = resources_allowed(grants, action)
    if allowed != expected:
        return [f"{function_id}: {action} allowed on {sorted(allowed)}, expected exactly {sorted(expected)}"]
    return []


def _never_mentioned(function_id: str, grants: list[Grant], names: Iterable[str]) -> list[str]:
    return [
        f"{function_id}: {g.actions} reaches {r!r}"
        for g in grants
        if g.effect == "Allow"
        for r in g.resources
        for name in names
        if name in r
    ]


def _managed(function_id: str, cfn: Template, expected: set[str]) -> list[str]:
    actual = managed_policies(cfn, function_id)
    if actual != expected:
        return [f"{function_id}: managed policies {sorted(actual)}, expected exactly {sorted(expected)}"]
    return []


TABLE = "IntegrationStateTable.Arn"
ERRORS_INDEX = "${IntegrationStateTable.Arn}/index/errors-by-type"


def check_dispatcher_privileges(sam: Template, cfn: Template) -> list[str]:
    fn = "DispatcherFunction"
    grants = inline_grants(cfn, fn)
    problems = _no_wildcards(fn, grants)
    problems += _never_mentioned(fn, grants, ["SyncDLQ", "NetSuiteSecretArn"])
    problems += _exactly(fn, grants, "sqs:SendMessage", {"SyncQueue.Arn"})
    problems += _exactly(fn, grants, "sqs:ReceiveMessage", set())
    problems += _exactly(fn, grants, "sqs:DeleteMessage", set())
    problems += _exactly(fn, grants, "secretsmanager:GetSecretValue", {"Ref:ZuoraSecretArn"})
    # BatchGetItem: the parents named by records in dependency error (are they in NetSuite now?)
    for action in ("GetItem", "PutItem", "UpdateItem", "BatchGetItem"):
        problems += _exactly(fn, grants, f"dynamodb:{action}", {TABLE})
    # IAM authorises a Query of an index on the index ARN, not the table's:
    # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/iam-policy-specific-table-indexes.html
    problems += _exactly(fn, grants, "dynamodb:Query", {ERRORS_INDEX})
    for action in ("Scan", "DeleteItem", "DeleteTable", "BatchWriteItem"):
        problems += _exactly(fn, grants, f"dynamodb:{action}", set())
    problems += _managed(fn, cfn, {BASIC_EXECUTION, XRAY_WRITE})
    return problems


def check_sync_privileges(sam: Template, cfn: Template) -> list[str]:
    fn = "SyncFunction"
    grants = inline_grants(cfn, fn)
    problems = _no_wildcards(fn, grants)
    problems += _exactly(fn, grants, "sqs:SendMessage", {"SyncDLQ.Arn", "WriteBackQueue.Arn"})
    # The event source mapping polls with the function's role: on the sync queue only (not the managed
    # AWSLambdaSQSQueueExecutionRole, which allows every queue of the account).
    for action in ("ReceiveMessage", "DeleteMessage", "GetQueueAttributes"):
        problems += _exactly(fn, grants, f"sqs:{action}", {"SyncQueue.Arn"})
    problems += _exactly(fn, grants, "sqs:ChangeMessageVisibility", set())
    problems += _exactly(fn, grants, "secretsmanager:GetSecretValue", {"Ref:ZuoraSecretArn", "Ref:NetSuiteSecretArn"})
    for action in ("GetItem", "PutItem", "UpdateItem", "BatchGetItem"):
        problems += _exactly(fn, grants, f"dynamodb:{action}", {TABLE})
    for action in ("Query", "Scan", "DeleteItem", "DeleteTable", "BatchWriteItem"):
        problems += _exactly(fn, grants, f"dynamodb:{action}", set())
    problems += _managed(fn, cfn, {BASIC_EXECUTION, XRAY_WRITE})
    return problems


def check_writeback_privileges(sam: Template, cfn: Template) -> list[str]:
    """WriteBackFunction polls its own queue, reads states in batches and the Zuora secret only: nothing else."""
    fn = "WriteBackFunction"
    grants = inline_grants(cfn, fn)
    problems = _no_wildcards(fn, grants)
    for action in ("ReceiveMessage", "DeleteMessage", "GetQueueAttributes"):
        problems += _exactly(fn, grants, f"sqs:{action}", {"WriteBackQueue.Arn"})
    problems += _exactly(fn, grants, "sqs:SendMessage", set())
    problems += _exactly(fn, grants, "secretsmanager:GetSecretValue", {"Ref:ZuoraSecretArn"})
    problems += _exactly(fn, grants, "dynamodb:BatchGetItem", {TABLE})
    for action in ("GetItem", "PutItem", "UpdateItem", "Query", "Scan", "DeleteItem", "BatchWriteItem"):
        problems += _exactly(fn, grants, f"dynamodb:{action}", set())
    problems += _managed(fn, cfn, {BASIC_EXECUTION, XRAY_WRITE})
    return problems


Check = Callable[[Template, Template], list[str]]

ALL_CHECKS: dict[str, Check] = {
    "sync_event_source": check_sync_event_source,
    "visibility_timeout": check_visibility_timeout,
    "redrive": check_redrive,
    "dlq_retention": check_dlq_retention,
    "table": check_table,
    "dispatcher_privileges": check_dispatcher_privileges,
    "sync_privileges": check_sync_privileges,
    "writeback_privileges": check_writeback_privileges,
}
