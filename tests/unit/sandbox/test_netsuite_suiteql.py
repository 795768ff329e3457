"""The SuiteQL subset the NetSuite simulator answers."""

from __future__ import annotations

import pytest

from sandbox.netsuite_errors import NetSuiteApiError
from sandbox.netsuite_suiteql import parse, to_suiteql_value

SUBSIDIARIES = [
    {"id": "1", "name": "Parent", "fullname": "Parent"},
    {"id": "2", "name": "East", "fullname": "Americas : East"},
    {"id": "10", "name": "West", "fullname": "Americas : West"},
]


def test_select_columns_returns_only_those_columns_in_lower_case():
    rows = parse("SELECT ID, FullName FROM Subsidiary").run(SUBSIDIARIES)
    assert rows == [
        {"id": "1", "fullname": "Parent"},
        {"id": "2", "fullname": "Americas : East"},
        {"id": "10", "fullname": "Americas : West"},
    ]


def test_where_equals_and_in_filter_rows():
    assert parse("select id from subsidiary where fullname = 'Americas : East'").run(SUBSIDIARIES) == [{"id": "2"}]
    assert parse("SELECT id FROM subsidiary WHERE name IN ('East', 'West')").run(SUBSIDIARIES) == [
        {"id": "2"},
        {"id": "10"},
    ]
    assert parse("SELECT id FROM subsidiary WHERE id = 10").run(SUBSIDIARIES) == [{"id": "10"}]
    assert parse("SELECT id FROM subsidiary WHERE name NOT IN ('East') AND id != '1'").run(SUBSIDIARIES) == [
        {"id": "10"}
    ]


def test_quotes_inside_strings_are_doubled():
    rows = [{"id": "1", "name": "O'Brien"}]
    assert parse("SELECT id FROM customer WHERE name = 'O''Brien'").run(rows) == [{"id": "1"}]


def test_order_by_sorts_numbers_numerically_and_nulls_last():
    rows = [{"id": "2"}, {"id": "10", "x": "b"}, {"id": "1", "x": "a"}]
    assert parse("SELECT id FROM t ORDER BY id DESC").run(rows) == [{"id": "10"}, {"id": "2"}, {"id": "1"}]
    assert parse("SELECT id FROM t ORDER BY x").run(rows) == [{"id": "1"}, {"id": "10"}, {"id": "2"}]


def test_null_columns_are_left_out_and_star_selects_everything():
    rows = [{"id": "1", "externalid": "e1"}, {"id": "2"}]
    assert parse("SELECT id, externalid FROM customer").run(rows) == [{"id": "1", "externalid": "e1"}, {"id": "2"}]
    assert parse("SELECT * FROM customer WHERE externalid IS NULL").run(rows) == [{"id": "2"}]


def test_aliases_and_qualified_names():
    rows = parse("SELECT c.id AS internal, c.externalid ext FROM customer c").run([{"id": "1", "externalid": "e"}])
    assert rows == [{"internal": "1", "ext": "e"}]


@pytest.mark.parametrize(
    "query",
    [
        "DELETE FROM customer",
        "SELECT FROM customer",
        "SELECT id FROM",
        "SELECT id FROM customer WHERE a = 'x' OR b = 'y'",
        "SELECT id FROM customer WHERE id =",
    ],
)
def test_unsupported_queries_are_answered_invalid_parameter(query):
    with pytest.raises(NetSuiteApiError) as error:
        parse(query)
    assert error.value.status == 400
    assert error.value.code == "INVALID_PARAMETER"
    assert error.value.detail.startswith("Invalid search query")


def test_stored_values_render_as_suiteql_does():
    assert to_suiteql_value(True) == "T"
    assert to_suiteql_value(False) == "F"
    assert to_suiteql_value({"id": "7", "refName": "x"}) == "7"
    assert to_suiteql_value({"items": [{"id": "1"}, {"id": "2"}]}) == "1, 2"
    assert to_suiteql_value(12.5) == "12.5"
    assert to_suiteql_value(None) is None


def test_id_comparisons_are_numeric_for_keyset_paging():
    # Given ids 1, 2 and 10 (text order would put 10 before 2)
    # When rows after id 2 are asked for, in id order
    rows = parse("SELECT id FROM subsidiary WHERE id > 2 ORDER BY id").run(SUBSIDIARIES)
    # Then only id 10 comes back
    assert rows == [{"id": "10"}]
    assert parse("SELECT id FROM subsidiary WHERE id <= 2 ORDER BY id").run(SUBSIDIARIES) == [{"id": "1"}, {"id": "2"}]
    assert parse("SELECT id FROM subsidiary WHERE id >= 2 AND id < 10").run(SUBSIDIARIES) == [{"id": "2"}]


def test_like_matches_percent_and_underscore_case_sensitively():
    assert parse("SELECT id FROM subsidiary WHERE fullname LIKE 'Americas%'").run(SUBSIDIARIES) == [
        {"id": "2"},
        {"id": "10"},
    ]
    assert parse("SELECT id FROM subsidiary WHERE name LIKE '_ast'").run(SUBSIDIARIES) == [{"id": "2"}]
    assert parse("SELECT id FROM subsidiary WHERE fullname LIKE 'americas%'").run(SUBSIDIARIES) == []
    assert parse("SELECT id FROM subsidiary WHERE fullname NOT LIKE 'Americas%'").run(SUBSIDIARIES) == [{"id": "1"}]
