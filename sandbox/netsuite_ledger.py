"""The proof on money: every invoice and credit memo the connector wrote has, in NetSuite, as many item lines and
the same total as its Zuora source. NetSuite is read back through SuiteQL, as an auditor would read it
(``transaction.foreigntotal``; ``transactionline`` rows with ``mainline = 'F'``), never through the simulator's
internals, so the same check runs against a real account.

A re-sent transaction body merges into the stored record: NetSuite appends item lines unless the write says
``?replace=item`` (Oracle help, "Updating a Sublist",
https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545295601.html). A retry after a timeout,
a duplicate delivery or a replay would then double an invoice; this check is what catches it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from zuora_netsuite.models.record_types import RecordType, external_id
from zuora_netsuite.ports import NetSuiteApi

ZERO = Decimal(0)

# Zuora object -> (its items' object, the item field naming it, the total field, the connector's record type)
_DOCUMENTS: dict[str, tuple[str, str, str, RecordType]] = {
    "Invoice": ("InvoiceItem", "InvoiceId", "Amount", RecordType.INVOICE),
    "DebitMemo": ("DebitMemoItem", "DebitMemoId", "TotalAmount", RecordType.DEBIT_MEMO),
    "CreditMemo": ("CreditMemoItem", "CreditMemoId", "TotalAmount", RecordType.CREDIT_MEMO),
}


@dataclass(frozen=True)
class Shape:
    """What a finance person checks on a document: how many lines, what total (unsigned)."""

    lines: int
    total: Decimal


# Zuora document -> (its taxation items' object, the field naming the item they tax) (issue 13: one tax line per code)
_TAXATION: dict[str, tuple[str, str]] = {
    "Invoice": ("TaxationItem", "InvoiceItemId"),
    "DebitMemo": ("DebitTaxationItem", "DebitMemoItemId"),
    "CreditMemo": ("CreditTaxationItem", "CreditMemoItemId"),
}
NO_TAX_CODE = "(none)"  # a taxation item without a TaxCode still makes a tax line of its own


def zuora_shapes(objects: Mapping[str, Iterable[Mapping[str, Any]]]) -> dict[str, Shape]:
    """External id -> the NetSuite shape a Zuora invoice / debit memo / credit memo must have: one line per Zuora
    item, one more per distinct tax code of its taxation items (or, a document without taxation items, one more for
    a non-zero TaxAmount), and the absolute Zuora total."""
    shapes: dict[str, Shape] = {}
    for zuora_object, (item_object, parent_field, total_field, record_type) in _DOCUMENTS.items():
        items = list(objects.get(item_object, ()))
        per_document = Counter(str(item.get(parent_field)) for item in items)
        document_of_item = {str(item.get("Id")): str(item.get(parent_field)) for item in items}
        tax_object, item_field = _TAXATION[zuora_object]
        codes: dict[str, set[str]] = {}
        for taxation in objects.get(tax_object, ()):
            document = document_of_item.get(str(taxation.get(item_field)))
            if document is not None:
                codes.setdefault(document, set()).add(str(taxation.get("TaxCode") or NO_TAX_CODE))
        for record in objects.get(zuora_object, ()):
            tax = Decimal(str(record.get("TaxAmount") or 0))
            record_id = str(record["Id"])
            tax_lines = len(codes[record_id]) if record_id in codes else (1 if tax != ZERO else 0)
            shapes[external_id(record_type, record_id)] = Shape(
                per_document[record_id] + tax_lines, abs(Decimal(str(record[total_field])))
            )
    return shapes


def netsuite_shapes(netsuite: NetSuiteApi) -> dict[str, Shape]:
    """External id -> line count and total of every NetSuite transaction with an external id, by SuiteQL."""
    lines = Counter(
        str(row["transaction"])
        for row in netsuite.suiteql(
            "SELECT transaction, linesequencenumber FROM transactionline WHERE mainline = 'F' ORDER BY transaction"
        )
    )
    shapes: dict[str, Shape] = {}
    for row in netsuite.suiteql(
        "SELECT id, externalid, foreigntotal FROM transaction WHERE externalid IS NOT NULL ORDER BY id"
    ):
        total = abs(Decimal(str(row.get("foreigntotal") or 0)))
        shapes[str(row["externalid"])] = Shape(lines[str(row["id"])], total)
    return shapes


def shape_differences(
    expected: Mapping[str, Shape], found: Mapping[str, Shape], external_ids: Iterable[str]
) -> list[str]:
    """One line per document among `external_ids` whose NetSuite lines or total differ from its Zuora source."""
    problems = []
    for eid in external_ids:
        want, got = expected.get(eid), found.get(eid)
        if want is None:
            continue
        if got is None:
            problems.append(f"{eid}: not in NetSuite (expected {want.lines} lines, total {want.total})")
        elif got != want:
            problems.append(
                f"{eid}: NetSuite has {got.lines} lines and a total of {got.total}; "
                f"Zuora has {want.lines} lines and {want.total}"
            )
    return problems
