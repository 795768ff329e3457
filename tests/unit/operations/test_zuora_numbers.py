"""The CLI's reading of what an operator types: a Zuora number is looked up, anything else is an id."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from connector_cli.zuora_numbers import resolve, resolve_any
from zuora_netsuite.models.record_types import RecordType

ACCOUNT_ID = "8ad0887e8b4b4f3c018b5a1f2c3d0001"
MEMO_ID = "8ad0887e8b4b4f3c018b5a1f2c3d0002"


class NumberedZuora:
    """Answers ZOQL and Object Query the way Zuora does for one account and one credit memo."""

    def __init__(self) -> None:
        self.queries: list[str] = []
        self.object_queries: list[tuple[str, tuple[str, ...]]] = []

    def query(self, zoql: str) -> Iterator[dict[str, Any]]:
        self.queries.append(zoql)
        if zoql == "select Id from Account where AccountNumber = 'A00000041'":
            yield {"Id": ACCOUNT_ID}

    def object_query(self, resource: str, *, filters: Sequence[str] = (), **_: Any) -> Iterator[dict[str, Any]]:
        self.object_queries.append((resource, tuple(filters)))
        if resource == "credit-memos" and tuple(filters) == ("memoNumber.EQ:CM00000002",):
            yield {"id": MEMO_ID}


def test_an_account_number_becomes_the_account_id() -> None:
    zuora = NumberedZuora()
    key = resolve(zuora, RecordType.CUSTOMER, "A00000041", invoice_settlement=True)  # type: ignore[arg-type]
    assert (key.zuora_id, key.number) == (ACCOUNT_ID, "A00000041")
    assert zuora.queries == ["select Id from Account where AccountNumber = 'A00000041'"]


def test_a_memo_number_is_looked_up_through_object_query() -> None:
    zuora = NumberedZuora()
    key = resolve(zuora, RecordType.CREDIT_MEMO, "CM00000002", invoice_settlement=True)  # type: ignore[arg-type]
    assert (key.zuora_id, key.number) == (MEMO_ID, "CM00000002")
    assert zuora.queries == []


def test_a_tenant_without_invoice_settlement_has_no_memo_numbers_to_look_up() -> None:
    zuora = NumberedZuora()
    key = resolve(zuora, RecordType.CREDIT_MEMO, "CM00000002", invoice_settlement=False)  # type: ignore[arg-type]
    assert key.number is None
    assert zuora.object_queries == []


def test_a_zuora_id_is_taken_as_it_is_without_a_lookup() -> None:
    zuora = NumberedZuora()
    key = resolve(zuora, RecordType.CUSTOMER, ACCOUNT_ID, invoice_settlement=True)  # type: ignore[arg-type]
    assert (key.zuora_id, key.number) == (ACCOUNT_ID, None)
    assert zuora.queries == []


def test_a_number_nothing_has_is_kept_and_the_hint_names_both_readings() -> None:
    key = resolve(NumberedZuora(), RecordType.INVOICE, "INV99999999", invoice_settlement=True)  # type: ignore[arg-type]
    assert (key.zuora_id, key.number) == ("INV99999999", None)
    assert key.not_found_hint() == "no Invoice has Id or InvoiceNumber 'INV99999999'"


def test_replay_ids_look_a_number_up_among_the_given_types() -> None:
    zuora = NumberedZuora()
    types = [RecordType.INVOICE, RecordType.CUSTOMER]
    key = resolve_any(zuora, types, "A00000041", invoice_settlement=True)  # type: ignore[arg-type]
    assert key is not None
    assert (key.record_type, key.zuora_id) == (RecordType.CUSTOMER, ACCOUNT_ID)
    assert resolve_any(zuora, [RecordType.INVOICE], "A00000041", invoice_settlement=True) is None  # type: ignore[arg-type]
