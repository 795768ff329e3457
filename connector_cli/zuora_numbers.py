"""What people see in Zuora, turned into the id the connector keys on.

Zuora's UI, invoices and e-mails show numbers (account `A00000041`, invoice `INV00000083`, credit memo
`CM00000002`, payment `P-00000012`, refund `R-00000003`), while the connector's state, messages and NetSuite
external ids carry the 32-character Zuora id. Every CLI argument that names a Zuora record takes either: a
number is looked up through the same Zuora APIs the connector reads with (ZOQL, and Object Query for the memos,
which exist only on Invoice Settlement tenants); anything that matches no number is taken as an id.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from zuora_netsuite.adapters.zuora import zoql
from zuora_netsuite.models.record_types import RECORD_TYPES, RecordType
from zuora_netsuite.ports import ZuoraApi

# Memos are read through the v1 REST resources and Object Query (mapping/memo.py), not ZOQL.
MEMO_RESOURCES: dict[RecordType, str] = {
    RecordType.CREDIT_MEMO: "credit-memos",
    RecordType.DEBIT_MEMO: "debit-memos",
}
MEMO_NUMBER_FIELD = "memoNumber"  # the Object Query name of MemoNumber
ZUORA_ID = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class ZuoraKey:
    """A record named on the command line: the id to use, and the number it was given as (if it was one)."""

    record_type: RecordType
    given: str
    zuora_id: str
    number: str | None = None

    @property
    def label(self) -> str:
        """How to name the record back to the operator: `customer A00000041 (id 8a80...)`."""
        if self.number is None:
            return f"{self.record_type.value} {self.given}"
        return f"{self.record_type.value} {self.number} (id {self.zuora_id})"

    def not_found_hint(self) -> str:
        """Why nothing matched, naming both readings of what was typed."""
        field = RECORD_TYPES[self.record_type].number_field
        return f"no {RECORD_TYPES[self.record_type].zuora_object} has Id or {field} {self.given!r}"


def numbered_ids(zuora: ZuoraApi, record_type: RecordType, number: str, invoice_settlement: bool) -> list[str]:
    """The ids of the records of `record_type` whose number is `number` (none, one; more would be a tenant bug)."""
    if record_type in MEMO_RESOURCES:
        if not invoice_settlement:
            return []  # a tenant without Invoice Settlement has no memos
        rows = zuora.object_query(
            MEMO_RESOURCES[record_type], filters=[f"{MEMO_NUMBER_FIELD}.EQ:{number}"], fields=("id",)
        )
        return [str(row["id"]) for row in rows]
    info = RECORD_TYPES[record_type]
    query = zoql.select(info.zuora_object, ("Id",), zoql.eq(info.number_field, number))
    return [str(row["Id"]) for row in zuora.query(query)]


def resolve(zuora: ZuoraApi, record_type: RecordType, given: str, invoice_settlement: bool) -> ZuoraKey:
    """The record `given` names: by its number when one has it, else `given` is the id itself."""
    given = given.strip()
    ids = numbered_ids(zuora, record_type, given, invoice_settlement) if _could_be_number(given) else []
    if len(ids) == 1 and ids[0] != given:
        return ZuoraKey(record_type, given, ids[0], number=given)
    return ZuoraKey(record_type, given, given)


def _could_be_number(text: str) -> bool:
    """Numbers are letters, digits and - (A00000041, INV00000083, P-00000012); a Zuora id (32 hex digits) is
    not looked up."""
    return bool(text) and text.replace("-", "").replace("_", "").isalnum() and not ZUORA_ID.fullmatch(text)


def resolve_any(
    zuora: ZuoraApi, record_types: Iterable[RecordType], given: str, invoice_settlement: bool
) -> ZuoraKey | None:
    """`given` as a number of the first of `record_types` that has it; None when none has (then it is an id)."""
    for record_type in record_types:
        key = resolve(zuora, record_type, given, invoice_settlement)
        if key.number is not None:
            return key
    return None
