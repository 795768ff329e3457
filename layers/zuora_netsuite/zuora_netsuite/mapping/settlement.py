"""Reading Invoice Settlement data (memos, payment and refund applications) and telling the operator when the
Zuora tenant does not match the configured `zuora.invoice_settlement` (docs/configuration.md).

- Invoice Settlement on: memos are listed with Object Query and read from their REST resources; what payments,
  credit memos and refunds were applied to comes from their `/parts`. Actions refuse the memo objects and
  InvoicePayment / RefundInvoicePayment are legacy.
  https://docs.zuora.com/en/zuora-billing/bill-your-customer/invoice-settlement/get-started-with-invoice-settlement/known-limitations-in-invoice-settlement/invoice-settlement-api-impacts
- Off (a legacy tenant): no memos; payment applications are InvoicePayment rows read with ZOQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from zuora_netsuite.failures import FailureKind, SyncFailure, ZuoraError
from zuora_netsuite.models.zuora import ZuoraApplication
from zuora_netsuite.ports import ZuoraApi

SETTING = "sync config zuora.invoice_settlement (SYNC_CONFIG)"
T = TypeVar("T")
ID_CHUNK = 50  # ids per Object Query IN list
EXPANDED_MAX = 99
"""Object Query truncates an expanded list at the page size, at most 99: a record with that many expanded rows may
have more (https://developer.zuora.com/docs/guides/expand-filter-fields-sort/, "Pagination")."""


class TenantMismatch(SyncFailure):
    """The Zuora tenant is not shaped as configured: permanent, and the reason names the setting to change."""

    kind = FailureKind.PERMANENT


def legacy_tenant_has_no_memos(what: str) -> TenantMismatch:
    return TenantMismatch(
        f"{what}: credit and debit memos exist only on Zuora tenants with Invoice Settlement, and {SETTING} is "
        "false; set it to true if the tenant has Invoice Settlement, or disable the memo record types",
        code="TENANT_MISMATCH",
    )


def _feature_off(error: ZuoraError) -> bool:
    """Zuora's answer when an Invoice Settlement resource is used on a tenant without the feature: a reason code in
    category 10 (permission / access denied), or a message naming the feature."""
    code = str(error.code or "")
    return (error.http_status is not None and code.isdigit() and code.endswith("10")) or (
        "invoice settlement" in error.reason.lower() and "not enabled" in error.reason.lower()
    )


def _actions_refused(error: ZuoraError) -> bool:
    """Zuora's answer when Actions are asked for InvoicePayment / memo objects on an Invoice Settlement tenant."""
    return error.code == "INVALID_TYPE" or "invoice settlement" in error.reason.lower()


def on_settlement_tenant(what: str, call: Callable[..., T], *args: Any) -> T:
    """Run an Invoice Settlement REST / Object Query call; a 'feature not enabled' answer becomes a TenantMismatch
    naming the setting."""
    try:
        return call(*args)
    except ZuoraError as error:
        if _feature_off(error):
            raise TenantMismatch(
                f"{what}: Zuora answered that Invoice Settlement is not enabled on this tenant ({error.reason}); "
                f"{SETTING} is true: set it to false for a tenant without Invoice Settlement",
                code="TENANT_MISMATCH",
            ) from error
        raise


def iterate_on_settlement_tenant(what: str, rows: Iterator[T]) -> Iterator[T]:
    """`on_settlement_tenant` for a lazily paged answer (Object Query)."""
    while True:
        try:
            row = on_settlement_tenant(what, next, rows)
        except StopIteration:
            return
        yield row


def on_legacy_tenant(what: str, call: Callable[..., T], *args: Any) -> T:
    """Run a ZOQL call on a legacy object (InvoicePayment); Zuora's refusal becomes a TenantMismatch."""
    try:
        return call(*args)
    except ZuoraError as error:
        if error.kind is FailureKind.PERMANENT and _actions_refused(error):
            raise TenantMismatch(
                f"{what}: Zuora refused the legacy object ({error.reason}); the tenant has Invoice Settlement but "
                f"{SETTING} is false: set it to true",
                code="TENANT_MISMATCH",
            ) from error
        raise


def chunks(ids: Sequence[str], size: int = ID_CHUNK) -> Iterator[list[str]]:
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), size):
        yield wanted[start : start + size]


def is_not_found(error: ZuoraError) -> bool:
    """Zuora's 'Cannot find entity by key' (HTTP 404 or a reason code in category 40)."""
    code = str(error.code or "")
    return error.http_status == 404 or (code.isdigit() and code.endswith("40"))


def all_pages(zuora: ZuoraApi, path: str, key: str) -> list[dict[str, Any]]:
    """Every row of a paged v1 list (parts, items)."""
    return list(zuora.rest_get_pages(path, key))


def summed_applications(rows: Iterable[Mapping[str, Any]], amount_field: str) -> list[ZuoraApplication]:
    """Object Query applications of one payment or credit memo, added up per invoice / debit memo as its `/parts`
    show them (an unapplication is a negative amount); rows naming neither are left out."""
    found: dict[tuple[str, str], ZuoraApplication] = {}
    for row in rows:
        application = ZuoraApplication.from_part({**row, "amount": row.get(amount_field)})
        if application is None:
            continue
        key = (application.invoice_id or "", application.debit_memo_id or "")
        previous = found.get(key)
        if previous is not None:
            application = previous.model_copy(update={"amount": previous.amount + application.amount})
        found[key] = application
    return list(found.values())


def amount_of(value: object) -> Decimal:
    return Decimal(str(value if value is not None else 0))
