"""An IAM identity-policy evaluator, and each function's policy read from the transformed template.

Why not an existing evaluator:
- moto's (moto/iam/access_control.py, the only one among our dependencies) authorises DynamoDB and Secrets Manager
  requests on resource "*" (only SQS passes a resource), treats an Allow whose condition does not match as an
  explicit Deny, matches actions case-sensitively, and ignores every condition operator but StringEquals. It would
  pass exactly the bug this test exists for (a Query on an index ARN the policy does not name).
- PyPI has policy linters and parsers (parliament, policyuniverse, cloudsplaining), a summariser of account
  authorisation details (iam-ape), and a 0.0.1 placeholder (iamspy); none evaluates one request (action, resource,
  condition keys) against identity policies.
So this module implements the documented evaluation for identity-based policies of one account, and
test_iam_evaluator.py checks it against the examples of those pages:
- evaluation: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
  (an explicit Deny wins; otherwise an Allow is needed; otherwise the request is implicitly denied)
- Action (case-insensitive, * and ? wildcards):
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
- Resource (ARN compared segment by segment, case-sensitive, * and ? wildcards within a segment):
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
- Condition (blocks AND, keys AND, values OR; ...IfExists; ForAllValues / ForAnyValue):
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html and
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
An operator it does not implement raises: it never guesses a condition true.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from typing import Any

from tests.infrastructure.template_checks import BASIC_EXECUTION, XRAY_WRITE, as_list, function_role

# The AWS managed policies a function role may carry, as AWS publishes them (runtime logging and tracing only):
# https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaBasicExecutionRole.html
# https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSXrayWriteOnlyAccess.html
MANAGED_POLICIES: dict[str, list[dict[str, Any]]] = {
    BASIC_EXECUTION: [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "*",
        }
    ],
    XRAY_WRITE: [
        {
            "Effect": "Allow",
            "Action": [
                "xray:PutTraceSegments",
                "xray:PutTelemetryRecords",
                "xray:GetSamplingRules",
                "xray:GetSamplingTargets",
                "xray:GetSamplingStatisticSummaries",
            ],
            "Resource": "*",
        }
    ],
}


class UnsupportedPolicy(Exception):
    """The policy uses something this evaluator does not implement (it refuses rather than guesses)."""


class Decision(Enum):
    ALLOWED = "allowed"
    IMPLICIT_DENY = "implicitDeny"
    EXPLICIT_DENY = "explicitDeny"


@dataclass(frozen=True)
class Request:
    action: str
    resource: str
    context: Mapping[str, Sequence[str]] = field(default_factory=dict)


@lru_cache(maxsize=4096)
def _glob(pattern: str, *, ignore_case: bool) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(f"^{regex}$", re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def action_matches(pattern: str, action: str) -> bool:
    return bool(_glob(pattern, ignore_case=True).match(action))


def resource_matches(pattern: str, arn: str) -> bool:
    """The six ARN segments are compared one by one (a wildcard does not span a colon of the first five)."""
    if pattern == "*":
        return True
    wanted, actual = pattern.split(":", 5), arn.split(":", 5)
    if len(wanted) != 6 or len(actual) != 6:
        return False
    return all(_glob(w, ignore_case=False).match(a) for w, a in zip(wanted, actual, strict=True))


def _string_like(policy: str, value: str) -> bool:
    return bool(_glob(policy, ignore_case=False).match(value))


_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda p, v: p == v,
    "StringNotEquals": lambda p, v: p == v,  # negated below
    "StringEqualsIgnoreCase": lambda p, v: p.lower() == v.lower(),
    "StringNotEqualsIgnoreCase": lambda p, v: p.lower() == v.lower(),
    "StringLike": _string_like,
    "StringNotLike": _string_like,
    "ArnEquals": lambda p, v: p == v,
    "ArnNotEquals": lambda p, v: p == v,
    "ArnLike": resource_matches,
    "ArnNotLike": resource_matches,
    "Bool": lambda p, v: p.lower() == v.lower(),
}
_NEGATED = {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike"}


def _condition_holds(operator: str, key: str, policy_values: list[str], request: Request) -> bool:
    qualifier, _, name = operator.rpartition(":")
    if_exists = name.endswith("IfExists")
    name = name.removesuffix("IfExists")
    if name not in _OPERATORS:
        raise UnsupportedPolicy(f"condition operator {operator}")
    if qualifier not in ("", "ForAllValues", "ForAnyValue"):
        raise UnsupportedPolicy(f"condition set operator {qualifier}")
    match, negated = _OPERATORS[name], name in _NEGATED
    values = [str(v) for v in request.context.get(key, ())]

    def one(value: str) -> bool:
        found = any(match(str(p), value) for p in policy_values)
        return not found if negated else found

    if qualifier == "ForAllValues":
        return all(one(v) for v in values)  # true when the request has no value for the key
    if qualifier == "ForAnyValue":
        return any(one(v) for v in values)  # false when the request has no value for the key
    if not values:
        return if_exists  # a single-valued operator on a missing key is false, unless ...IfExists
    return one(values[0])


def conditions_hold(condition: Mapping[str, Mapping[str, Any]] | None, request: Request) -> bool:
    if not condition:
        return True
    return all(
        _condition_holds(operator, key, [str(v) for v in as_list(values)], request)
        for operator, keys in condition.items()
        for key, values in keys.items()
    )


def statement_applies(statement: Mapping[str, Any], request: Request) -> bool:
    if "Principal" in statement or "NotPrincipal" in statement:
        raise UnsupportedPolicy("identity policies name no principal")
    if "Action" in statement:
        action_ok = any(action_matches(a, request.action) for a in as_list(statement["Action"]))
    else:
        action_ok = not any(action_matches(a, request.action) for a in as_list(statement["NotAction"]))
    if "Resource" in statement:
        resource_ok = any(resource_matches(r, request.resource) for r in as_list(statement["Resource"]))
    else:
        resource_ok = not any(resource_matches(r, request.resource) for r in as_list(statement["NotResource"]))
    return action_ok and resource_ok and conditions_hold(statement.get("Condition"), request)


def evaluate(statements: Sequence[Mapping[str, Any]], request: Request) -> Decision:
    applying = [s for s in statements if statement_applies(s, request)]
    if any(s["Effect"] == "Deny" for s in applying):
        return Decision.EXPLICIT_DENY
    if any(s["Effect"] == "Allow" for s in applying):
        return Decision.ALLOWED
    return Decision.IMPLICIT_DENY


# ------------------------------------------------------------------------ the template's policies, resolved


class Resolver:
    """Resolves the intrinsics of a policy document against a deployment's values.

    `values` maps "Ref:<name>" (parameters, resources, pseudo parameters) and "<Resource>.<Attribute>" to strings;
    `conditions` maps the template's condition names to their value in that deployment."""

    def __init__(self, values: Mapping[str, str], conditions: Mapping[str, bool]) -> None:
        self._values = values
        self._conditions = conditions

    def __call__(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self(v) for v in value]
        if not isinstance(value, Mapping):
            return value
        if len(value) == 1:
            ((fn, arg),) = value.items()
            if fn == "Ref":
                return self._lookup(f"Ref:{arg}")
            if fn == "Fn::GetAtt":
                return self._lookup(".".join(arg) if isinstance(arg, list) else str(arg))
            if fn == "Fn::If":
                name, if_true, if_false = arg
                if name not in self._conditions:
                    raise UnsupportedPolicy(f"condition {name} has no value in this deployment")
                return self(if_true if self._conditions[name] else if_false)
            if fn == "Fn::Sub":
                text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
                return re.sub(r"\$\{([^}]+)\}", lambda m: self._sub(m.group(1), variables), text)
            if fn == "Fn::Join":
                separator, parts = arg
                return separator.join(str(self(p)) for p in parts)
        return {k: self(v) for k, v in value.items()}

    def _sub(self, name: str, variables: Mapping[str, Any]) -> str:
        if name in variables:
            return str(self(variables[name]))
        return self._lookup(name if "." in name else f"Ref:{name}")

    def _lookup(self, key: str) -> str:
        if key not in self._values:
            raise UnsupportedPolicy(f"no value for {key} in this deployment")
        return self._values[key]


@dataclass(frozen=True)
class GrantedStatement:
    """One statement of a function's role, resolved: the policy it is in, its Sid, and the statement itself."""

    function: str
    policy: str
    sid: str
    statement: dict[str, Any]

    def pairs(self) -> list[tuple[str, str]]:
        """(action, resource) pairs it allows (an Allow statement with Action and Resource)."""
        return [(a, r) for a in as_list(self.statement["Action"]) for r in as_list(self.statement["Resource"])]


def function_statements(cfn: Mapping[str, Any], function_id: str, resolve: Resolver) -> list[GrantedStatement]:
    """The inline statements of the function's role, resolved (a statement removed by AWS::NoValue is gone)."""
    granted = []
    for policy in function_role(dict(cfn), function_id).get("Policies", []):
        for index, raw in enumerate(as_list(policy["PolicyDocument"]["Statement"])):
            statement = resolve(raw)
            statement["Resource"] = [r for r in as_list(statement.get("Resource", [])) if r != "AWS::NoValue"]
            granted.append(GrantedStatement(function_id, policy["PolicyName"], raw.get("Sid", f"#{index}"), statement))
    return granted


def managed_statements(cfn: Mapping[str, Any], function_id: str, resolve: Resolver) -> list[dict[str, Any]]:
    """The statements of the role's managed policies; a managed policy not in MANAGED_POLICIES is refused."""
    statements: list[dict[str, Any]] = []
    for arn in function_role(dict(cfn), function_id).get("ManagedPolicyArns", []):
        resolved = resolve(arn)
        if resolved not in MANAGED_POLICIES:
            raise UnsupportedPolicy(f"{function_id} carries the managed policy {resolved}: grant what it needs inline")
        statements += MANAGED_POLICIES[resolved]
    return statements


def role_statements(cfn: Mapping[str, Any], function_id: str, resolve: Resolver) -> list[dict[str, Any]]:
    """Every statement of the function's role, inline and managed, resolved for one deployment."""
    inline = [g.statement for g in function_statements(cfn, function_id, resolve)]
    return inline + managed_statements(cfn, function_id, resolve)


class Deployments:
    """A function's role in several deployments (e.g. every sandbox of one test process): a request names one
    deployment's resources, so only that deployment's resolution of the policy can allow it."""

    def __init__(self, cfn: Mapping[str, Any], resolvers: Sequence[Resolver]) -> None:
        self._cfn = cfn
        self._resolvers = resolvers
        self._roles: dict[str, list[list[dict[str, Any]]]] = {}

    def allows(self, function_id: str, request: Request) -> bool:
        if function_id not in self._roles:
            self._roles[function_id] = [role_statements(self._cfn, function_id, r) for r in self._resolvers]
        return any(evaluate(statements, request) is Decision.ALLOWED for statements in self._roles[function_id])
