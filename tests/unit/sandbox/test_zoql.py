"""ZOQL engine of the Zuora simulator: parsing, schema checks and evaluation (pure functions)."""

from __future__ import annotations

import re

import pytest

from sandbox.zoql import FieldType, Literal, NullCheck, ZoqlError, compile_query, parse, tokenize

SCHEMA = {
    "Account": {
        "Id": FieldType.STRING,
        "Name": FieldType.STRING,
        "Status": FieldType.STRING,
        "Balance": FieldType.NUMBER,
        "AutoPay": FieldType.BOOLEAN,
        "UpdatedDate": FieldType.DATETIME,
        "IntegrationStatus__NS": FieldType.STRING,
        "SynctoNetSuite__NS": FieldType.STRING,
    },
    "ProductRatePlan": {"Id": FieldType.STRING, "EffectiveEndDate": FieldType.DATE},
}

ACCOUNTS = [
    {"Id": "a1", "Name": "Acme", "Status": "Active", "Balance": 10, "AutoPay": True,
     "UpdatedDate": "2026-11-20T10:00:00.000+00:00", "SynctoNetSuite__NS": "Yes"},
    {"Id": "a2", "Name": "Globex", "Status": "Canceled", "Balance": 0, "AutoPay": False,
     "UpdatedDate": "2026-11-20T09:59:59.000+00:00", "IntegrationStatus__NS": "Sync Complete"},
    {"Id": "a3", "Name": "O'Brien Ltd", "Status": "Draft", "UpdatedDate": "2026-11-20T12:00:00.000+02:00",
     "SynctoNetSuite__NS": "No"},
]  # fmt: skip


def ids(query: str) -> list[str]:
    compiled = compile_query(query, SCHEMA)
    return [record["Id"] for record in ACCOUNTS if compiled.matches(record)]


def test_given_and_or_without_parentheses_when_evaluated_then_and_binds_tighter():
    # a1: Active; a2: Canceled with Balance 0 -> "or (Canceled and Balance > 5)" excludes a2
    assert ids("select Id from Account where Status = 'Active' or Status = 'Canceled' and Balance > 5") == ["a1"]


def test_given_parentheses_when_compiled_then_they_are_refused_because_zoql_has_none():
    query = "select Id from Account where (Status = 'Active' or Status = 'Canceled') and Balance >= 0"
    with pytest.raises(ZoqlError, match="parentheses are not supported") as raised:
        compile_query(query, SCHEMA)
    assert raised.value.code == "MALFORMED_QUERY"


def test_given_200_conditions_when_compiled_then_accepted_and_201_refused():
    two_hundred = " or ".join(["Status = 'Active'"] * 200)
    assert ids("select Id from Account where " + two_hundred) == ["a1"]  # noqa: S608
    with pytest.raises(ZoqlError, match="201 conditions"):
        compile_query("select Id from Account where " + two_hundred + " or Status = 'Draft'", SCHEMA)  # noqa: S608


def test_given_a_like_pattern_when_evaluated_then_percent_matches_any_run():
    assert ids("select Id from Account where Name like 'Ac%'") == ["a1"]
    assert ids("select Id from Account where Name like '%Ltd'") == ["a3"]


def test_given_a_missing_field_when_compared_then_the_comparison_is_false_even_for_not_equal():
    # SQL semantics: a3 has no Balance and a2 has no SynctoNetSuite__NS
    assert ids("select Id from Account where Balance < 100") == ["a1", "a2"]
    assert ids("select Id from Account where SynctoNetSuite__NS != 'No'") == ["a1"]


def test_given_equals_null_when_evaluated_then_it_matches_missing_fields():
    assert ids("select Id from Account where IntegrationStatus__NS = null") == ["a1", "a3"]
    assert ids("select Id from Account where IntegrationStatus__NS != null") == ["a2"]
    assert ids("select Id from Account where SynctoNetSuite__NS != 'No' or SynctoNetSuite__NS = null") == [
        "a1",
        "a2",
    ]


def test_given_datetime_literals_with_and_without_offset_when_compared_then_instants_are_compared():
    # a3 is 12:00+02:00 = 10:00Z, the same instant as a1
    assert ids("select Id from Account where UpdatedDate >= '2026-11-20T10:00:00.000+00:00'") == ["a1", "a3"]
    assert ids("select Id from Account where UpdatedDate > '2026-11-20T09:59:59'") == ["a1", "a3"]
    assert ids("select Id from Account where UpdatedDate = '2026-11-20T11:00:00+01:00'") == ["a1", "a3"]
    assert ids("select Id from Account where UpdatedDate < '2026-11-20'") == []


def test_given_a_date_field_when_compared_then_dates_are_compared():
    compiled = compile_query("select Id from ProductRatePlan where EffectiveEndDate < '2026-11-01'", SCHEMA)
    assert compiled.matches({"Id": "p1", "EffectiveEndDate": "2025-06-28"})
    assert not compiled.matches({"Id": "p2", "EffectiveEndDate": "2099-12-31"})


def test_given_field_and_object_names_in_any_case_when_compiled_then_canonical_names_are_used():
    compiled = compile_query("select id, NAME, balance from account where STATUS = 'Active'", SCHEMA)
    assert compiled.object_name == "Account"
    assert compiled.fields == ("Id", "Name", "Balance")
    assert compiled.run(ACCOUNTS) == [{"Id": "a1", "Name": "Acme", "Balance": 10}]


def test_given_a_record_with_null_fields_when_projected_then_they_are_left_out():
    compiled = compile_query("select Id, Balance, IntegrationStatus__NS from Account", SCHEMA)
    assert compiled.run(ACCOUNTS)[2] == {"Id": "a3"}


def test_given_literals_of_each_kind_when_parsed_then_values_are_typed():
    query = parse(r"select Id from Account where Name = 'O\'Brien Ltd' and Balance = -2.5 and AutoPay = true")
    assert query.where is not None
    assert ids(r"select Id from Account where Name = 'O\'Brien Ltd'") == ["a3"]
    assert ids("select Id from Account where AutoPay = false") == ["a2"]
    assert ids("select Id from Account where Balance = 10.0") == ["a1"]
    assert parse("select Id from Account where Name = null").where == NullCheck("Name", negated=False)
    assert [t.text for t in tokenize("Balance<=-1")] == ["Balance", "<=", "-1", ""]
    assert Literal(1) != Literal("1", is_string=True)


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("", "empty query"),
        ("SELECT Id from Account", "lower case"),
        ("select Id FROM Account", "lower case"),
        ("select Id from Account where", "expected a field name"),
        ("select Id, from Account", "expected a field name"),
        ("select Id from Account where Status = 'Active", "unterminated string"),
        ("select Id from Account where Status = Active", "expected a value"),
        ("select Id from Account where (Status = 'Active'", "parentheses are not supported"),
        ("select Id from Account where Status is null", "'is null' is Export ZOQL"),
        ("select Id from Account where Status in ('a')", "parentheses"),
        ("select Id from Account where Status in 'a'", "no IN operator"),
        ("select Id from Account where Name = Status", "comparing two fields"),
        ("select Id from Account order by Name", "ORDER BY"),
        ("select Id from Account where " + "Name = 'x' and " * 2000 + "Name = 'y'", "maximum is 10000"),
        ("select Id from Account where Status 'Active'", "comparison operator"),
        ("select Id from Account where Status == 'x'", "expected a value"),
        ("select Id from Account where Balance > null", "null"),
        ("select Id from Account where Status = 'x' limit 5", "no LIMIT"),
        ("select * from Account", "wildcard '*' is not supported"),
        ("select Id from Invoice", "invalid object for query: Invoice"),
        ("select Id, Foo__c from Account", "invalid field for query: Account.Foo__c"),
        ("select Id from Account where Nope = 'x'", "Account.Nope"),
        ("select Id from Account where UpdatedDate > 'yesterday'", "datetime field UpdatedDate"),
        ("select Id from Account where Balance > 'ten'", "number field Balance"),
        ("select Id from Account where Name = 5", "quote it"),
    ],
)
def test_given_an_invalid_query_when_compiled_then_the_error_names_the_problem(query: str, problem: str):
    with pytest.raises(ZoqlError, match=re.escape(problem)):
        compile_query(query, SCHEMA)
