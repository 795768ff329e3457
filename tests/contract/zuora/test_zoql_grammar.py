"""ZOQL's grammar as Zuora documents it: what POST /v1/action/query accepts and how it reads a where clause.

Read-only: every query names the designated test account (or no record at all).
"""

from __future__ import annotations

import pytest

from tests.contract.zuora.actions import fault_code, query
from tests.contract.zuora.conftest import ZuoraTarget

NO_SUCH_ID = "00000000000000000000000000000000"


def ids(target: ZuoraTarget, zoql: str) -> list[str]:
    response = query(target, zoql)
    assert response.status_code == 200, response.text
    return [record["Id"] for record in response.json()["records"]]


def test_given_and_and_or_without_parentheses_when_querying_then_and_binds_tighter_than_or(zuora_target: ZuoraTarget):
    """https://docs.zuora.com/en/zuora-platform/data/legacy-query-methods/zoql/query-statement-examples
    ("Order of Operation": "The and operator takes priority over the or operator")."""
    account = zuora_target.test_account_id
    # Given "A or B and C" where A is true for the account and B, C are false
    zoql = f"select Id from Account where Id = '{account}' or Id = '{NO_SUCH_ID}' and Status = 'NoSuchStatus'"  # noqa: S608
    # When Zuora evaluates it, Then it reads "A or (B and C)": the account is found
    assert ids(zuora_target, zoql) == [account]
    # And "B and C or A" finds it too (were "or" tighter, "(B and C) or A" vs "B and (C or A)" would differ)
    zoql = f"select Id from Account where Id = '{NO_SUCH_ID}' and Status = 'NoSuchStatus' or Id = '{account}'"  # noqa: S608
    assert ids(zuora_target, zoql) == [account]


def test_given_parentheses_in_a_where_clause_when_querying_then_zuora_answers_a_malformed_query_fault(
    zuora_target: ZuoraTarget,
):
    """https://docs.zuora.com/en/zuora-platform/data/legacy-query-methods/zoql/filter-statements ("Parentheses to
    indicate order of operation are not supported in query() calls"); the fault: FaultResponse (400) of
    https://developer.zuora.com/v1-api-reference/api/operation/Action_POSTquery/ ."""
    account = zuora_target.test_account_id
    response = query(zuora_target, f"select Id from Account where (Id = '{account}' or Id = '{NO_SUCH_ID}')")  # noqa: S608
    assert response.status_code == 400
    assert fault_code(response) == "MALFORMED_QUERY"


def test_given_null_checks_when_querying_then_equals_null_is_zoql_and_is_null_is_not(zuora_target: ZuoraTarget):
    """https://docs.zuora.com/en/zuora-platform/data/legacy-query-methods/zoql/query-statement-examples
    (`where PurchaseOrderNumber != null`); `is null` is documented only for Export ZOQL ("Similar to SQL, Export
    ZOQL also supports the use of is null and is not null",
    https://docs.zuora.com/en/zuora-platform/data/legacy-query-methods/export-zoql/export-zoql-filter-statements).
    """
    account = zuora_target.test_account_id
    assert ids(zuora_target, f"select Id from Account where Id = '{account}' and Name != null") == [account]  # noqa: S608
    assert ids(zuora_target, f"select Id from Account where Id = '{account}' and Name = null") == []  # noqa: S608
    response = query(zuora_target, f"select Id from Account where Id = '{account}' and Name is not null")  # noqa: S608
    assert response.status_code == 400
    assert fault_code(response) == "MALFORMED_QUERY"


@pytest.mark.parametrize(
    "zoql",
    [
        "select * from Account",  # no wildcard
        "select Id from Account where Status in 'Active'",  # no IN
        "select Id from Account order by Name",  # no ORDER BY
        "select Id from Account where Name = AccountNumber",  # no comparison between two fields
        "SELECT Id FROM Account",  # keywords in lower case
    ],
)
def test_given_sql_that_zoql_lacks_when_querying_then_a_malformed_query_fault(zuora_target: ZuoraTarget, zoql: str):
    """https://docs.zuora.com/en/zuora-platform/data/legacy-query-methods/zoql ("ZOQL Limitations": no complex
    queries, IN operator or joining; no asterisk; no sorting; "Use lower case for all keywords") and
    .../zoql/filter-statements ("Comparison between two fields is not supported by ZOQL")."""
    response = query(zuora_target, zoql)
    assert response.status_code == 400
    assert fault_code(response) == "MALFORMED_QUERY"


def test_given_an_unknown_field_when_querying_then_an_invalid_field_fault(zuora_target: ZuoraTarget):
    """https://docs.zuora.com/zuora-platform/integration/apis/soap-api/error-handling/errors (INVALID_FIELD: "An
    invalid field was specified in one of the following calls: create(), query(), update()")."""
    response = query(zuora_target, "select Id, NoSuchField from Account")
    assert response.status_code == 400
    assert fault_code(response) == "INVALID_FIELD"


def test_given_200_conditions_when_querying_then_accepted_and_201_refused(zuora_target: ZuoraTarget):
    """https://docs.zuora.com/en/zuora-platform/data/legacy-query-methods/zoql ("A maximum of 200 conditions are
    allowed in a WHERE clause of a query() call")."""
    account = zuora_target.test_account_id
    conditions = [f"Id = '{account}'"] + [f"Id = '{n:032x}'" for n in range(1, 200)]
    assert ids(zuora_target, "select Id from Account where " + " or ".join(conditions)) == [account]  # noqa: S608
    response = query(zuora_target, "select Id from Account where " + " or ".join([*conditions, f"Id = '{0:032x}'"]))  # noqa: S608
    assert response.status_code == 400
    assert fault_code(response) == "MALFORMED_QUERY"
