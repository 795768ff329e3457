"""The connector's ZOQL builder: filters without parentheses that mean what the boolean expression means.

ZOQL limits (https://docs.zuora.com/en/zuora-platform/data/legacy-query-methods/zoql): no parentheses, `and`
before `or`, at most 200 conditions. The rendered text is checked against the sandbox's ZOQL engine, which
follows those rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.zoql import FieldType, compile_query, parse
from sandbox.zuora_simulator import DEFAULT_SCHEMA
from zuora_netsuite.adapters.zuora import zoql
from zuora_netsuite.mapping import mappings_for
from zuora_netsuite.mapping.base import ZoqlPending, query_where
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.settings import ZuoraTenant

SCHEMA = {"Account": {"Id": FieldType.STRING, "Status": FieldType.STRING, "Balance": FieldType.NUMBER}}
Record = Mapping[str, Any]
Predicate = Callable[[Record], bool]

STATUSES = ["Active", "Canceled", "Draft", None]


def _holds(condition: zoql.Condition, record: Record) -> bool:
    value = record.get(condition.field)
    if condition.value is None:
        return (value is None) if condition.op == "=" else (value is not None)
    if value is None:
        return False  # Zuora: a comparison with a null field is false
    return {
        "=": value == condition.value,
        "!=": value != condition.value,
        "<": value < condition.value,
        ">": value > condition.value,
        "<=": value <= condition.value,
        ">=": value >= condition.value,
    }[condition.op]


conditions = st.one_of(
    st.builds(zoql.Condition, st.just("Status"), st.sampled_from(["=", "!="]), st.sampled_from(STATUSES)),
    st.builds(zoql.Condition, st.just("Balance"), st.sampled_from(["=", "!=", "<", ">", "<=", ">="]),
              st.integers(-2, 2)),
    st.builds(zoql.Condition, st.just("Balance"), st.sampled_from(["=", "!="]), st.none()),
)  # fmt: skip


def leaf(condition: zoql.Condition) -> tuple[zoql.Filter, Predicate]:
    return zoql.Filter(((condition,),)), lambda record: _holds(condition, record)


def combine(kind: str, parts: list[tuple[zoql.Filter, Predicate]]) -> tuple[zoql.Filter, Predicate]:
    filters = [f for f, _ in parts]
    predicates = [p for _, p in parts]
    if kind == "and":
        return zoql.all_of(*filters), lambda record: all(p(record) for p in predicates)
    return zoql.any_of(*filters), lambda record: any(p(record) for p in predicates)


expressions = st.recursive(
    conditions.map(leaf),
    lambda children: st.tuples(st.sampled_from(["and", "or"]), st.lists(children, min_size=1, max_size=3)).map(
        lambda pair: combine(*pair)
    ),
    max_leaves=8,
)
records = st.lists(
    st.fixed_dictionaries({"Status": st.sampled_from(STATUSES), "Balance": st.one_of(st.none(), st.integers(-3, 3))}),
    min_size=1,
    max_size=12,
)


@settings(max_examples=100, deadline=None)
@given(expression=expressions, rows=records)
def test_given_any_and_or_expression_when_rendered_then_zuora_reads_it_as_the_same_boolean_expression(
    expression: tuple[zoql.Filter, Predicate], rows: list[dict[str, Any]]
):
    # Given an arbitrary nesting of AND and OR (what a programmer means)
    built, meant = expression
    # When it is rendered as ZOQL (no parentheses) and parsed by a ZOQL engine ("and" before "or")
    text = zoql.select("Account", ("Id",), built)
    assert "(" not in text
    assert ")" not in text
    compiled = compile_query(text, SCHEMA)
    # Then the same records match
    for n, row in enumerate(rows):
        record = {"Id": f"a{n}", **{k: v for k, v in row.items() if v is not None}}
        assert compiled.matches(record) == meant(row), text


def test_given_an_and_of_ors_when_built_then_it_is_distributed_and_counted():
    # (Status = Active or Status = Draft) and (Balance > 0 or Balance = null)
    built = zoql.all_of(zoql.one_of("Status", ["Active", "Draft"]), zoql.any_of(zoql.cond("Balance", ">", 0),
                                                                                  zoql.is_null("Balance")))  # fmt: skip
    assert built.render() == (
        "Status = 'Active' and Balance > 0 or Status = 'Active' and Balance = null"
        " or Status = 'Draft' and Balance > 0 or Status = 'Draft' and Balance = null"
    )
    assert built.conditions == 8


def test_given_more_than_200_conditions_when_rendered_then_it_is_refused_before_zuora_sees_it():
    too_many = zoql.one_of("Id", [f"{n:032x}" for n in range(201)])
    with pytest.raises(zoql.ZoqlLimitError, match="201 conditions"):
        zoql.select("Account", ("Id",), too_many)
    assert zoql.one_of("Id", [f"{n:032x}" for n in range(200)]).conditions == 200


def test_given_values_of_every_kind_when_rendered_then_they_are_zuora_literals():
    built = zoql.all_of(
        zoql.eq("Name", "O'Brien \\ Sons"),
        zoql.eq("AutoPay", True),
        zoql.cond("UpdatedDate", ">", datetime(2026, 11, 30, 12, 0, tzinfo=UTC)),
        zoql.cond("InvoiceDate", ">=", date(2026, 1, 31)),
        zoql.not_null("IntegrationId__NS"),
    )
    assert built.render() == (
        "Name = 'O\\'Brien \\\\ Sons' and AutoPay = true and UpdatedDate > '2026-11-30T12:00:00.000+00:00'"
        " and InvoiceDate >= '2026-01-31' and IntegrationId__NS != null"
    )
    assert parse(f"select Id from Account where {built.render()}").where is not None  # noqa: S608
    with pytest.raises(ValueError, match="only = null and != null"):
        zoql.Condition("Balance", ">", None)
    with pytest.raises(ValueError, match="not a Zuora field name"):
        zoql.eq("Id = 'x' or Id", "y")


def test_given_many_ids_and_a_base_filter_when_chunked_then_every_query_stays_within_200_conditions():
    # Given 450 ids and a base filter of two AND-groups (each id costs 2 + 3 = 5 conditions)
    ids = [f"{n:032x}" for n in range(450)]
    base = zoql.any_of(zoql.eq("Status", "Active"), zoql.all_of(zoql.eq("Status", "Canceled"),
                                                                zoql.not_null("IntegrationId__NS")))  # fmt: skip
    # When the queries are built
    queries = list(zoql.in_chunks("Account", ("Id",), "Id", ids, where=base))
    # Then each is valid ZOQL within the limits, and together they ask for every id exactly once
    asked: list[str] = []
    for query in queries:
        compiled = compile_query(query, DEFAULT_SCHEMA)
        assert compiled.where is not None
        asked += [record_id for record_id in ids if f"Id = '{record_id}'" in query]
        assert len(query) <= zoql.MAX_QUERY_LENGTH
    assert sorted(asked) == ids
    assert len(queries) == 12  # 40 ids (200 conditions) a query


def test_given_ids_when_queried_then_the_connector_asks_zuora_in_as_few_queries_as_the_limits_allow():
    class Recorder:
        def __init__(self) -> None:
            self.queries: list[str] = []

        def query(self, text: str) -> list[dict[str, Any]]:
            self.queries.append(text)
            return []

    recorder = Recorder()
    query_where(recorder, "InvoiceItem", ("Id", "InvoiceId"), "InvoiceId", [f"{n:032x}" for n in range(401)])  # type: ignore[arg-type]
    # 200 conditions would make a query of ~10,050 characters: the most that fit in 10,000 go in each query
    assert [q.count(" or ") + 1 for q in recorder.queries] == [199, 199, 3]
    assert all(len(q) <= 10_000 for q in recorder.queries)


def test_given_every_record_type_when_its_pending_query_is_built_then_zuora_would_accept_it():
    watermark = datetime(2026, 11, 1, tzinfo=UTC)
    listed_with_zoql = {t: m for t, m in mappings_for(ZuoraTenant()).items() if isinstance(m, ZoqlPending)}
    # Memos are listed with Object Query (Actions refuse them on an Invoice Settlement tenant); every other type by ZOQL
    assert set(listed_with_zoql) == set(RecordType) - {RecordType.DEBIT_MEMO, RecordType.CREDIT_MEMO}
    for record_type, mapping in listed_with_zoql.items():
        query = mapping.pending_query(watermark, date(2026, 1, 1))
        compiled = compile_query(query, DEFAULT_SCHEMA)
        assert compiled.where is not None, record_type
        assert "(" not in query, record_type
        assert " is " not in query, record_type
