"""Zuora Payment (Processed, applied) -> NetSuite customerPayment applied to the NetSuite invoices.

| Zuora Payment / InvoicePayment          | NetSuite customerPayment                                          |
| Id                                      | externalId = zuora-payment-<Id>                                   |
| PaymentNumber                           | tranId                                                            |
| EffectiveDate                           | tranDate                                                          |
| AccountId                               | customer = the customer with externalId zuora-account-<AccountId> |
| Account.Currency                        | currency (base currency when multi-currency is off)               |
| Account Department__NS / Class__NS / Location__NS, else defaults | department / class / location      |
| Amount                                  | payment (what is not applied stays unapplied in NetSuite too)     |
| part invoiceId / debitMemoId (1)        | apply.items[].doc = {"id": the NetSuite invoice's internal id}     |
| part amount (1)                         | apply.items[].amount (a partial payment stays partial)            |
| (always)                                | autoApply = false; written with ?replace=apply                    |
| PaymentMethod.Type, Gateway, currency   | account or undepFunds, paymentMethod: the first matching rule of  |
|                                         | sync config payments.deposit_rules (none configured: not sent)    |

(1) Invoice Settlement: Object Query's payment applications; a legacy tenant: InvoicePayment InvoiceId / Amount.

A payment applied to nothing (or only partly) syncs too: what it does not apply stays unapplied on the NetSuite
customer payment (Oracle's customer payment sample: payment 250, one apply line of 200). The applications must add
up to the payment's AppliedAmount.

Apply lines name the invoice by its NetSuite internal id, as Oracle's customer payment example does
(https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_0224093711.html); the id comes from
the invoice's integration state (`MappingContext.netsuite_id`). `autoApply` is false so that NetSuite's Auto
Apply preference never spreads the amount over other open invoices: the connector applies exactly what Zuora
applied.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import cast

from zuora_netsuite.adapters.zuora import zoql
from zuora_netsuite.failures import ValidationFailure
from zuora_netsuite.mapping.base import (
    SYNC_COMPLETE,
    Mapped,
    MappingContext,
    Parent,
    SourceRecord,
    ZoqlPending,
    fetch_synced,
    netsuite_ids_of,
    on_or_after,
    transfer_pending_filter,
)
from zuora_netsuite.mapping.deposit import payment_deposit
from zuora_netsuite.mapping.settlement import (
    chunks,
    iterate_on_settlement_tenant,
    on_legacy_tenant,
    summed_applications,
)
from zuora_netsuite.mapping.transaction import (
    ZERO,
    TransactionSource,
    accounts_by_id,
    application_parents,
    application_target,
    customer_parent,
    header,
    money,
    query_where,
)
from zuora_netsuite.models.netsuite import (
    NetSuiteApplyLine,
    NetSuiteApplySublist,
    NetSuiteCustomerPayment,
    RecordRef,
)
from zuora_netsuite.models.record_types import RECORD_TYPES, RecordType, external_id
from zuora_netsuite.models.zuora import ZuoraApplication, ZuoraInvoicePayment, ZuoraPayment
from zuora_netsuite.ports import ZuoraApi


class PaymentMapping(ZoqlPending):
    record_type = RecordType.PAYMENT

    def pending_query(self, watermark: datetime, cutover: date | None = None) -> str:
        # Not yet transferred; or synced, then changed in Zuora (applied or unapplied later: the same payment record
        # tracks every application, https://docs.zuora.com/en/zuora-payments/process-payments/manage-unapplied-payments/overview-of-unapplied-payments).
        # Re-mapping sends the full current apply set with ?replace=apply: nothing is applied twice, and an
        # unchanged payment costs one "unchanged" check, no NetSuite write.
        changed_since_sync = zoql.all_of(
            zoql.eq("IntegrationStatus__NS", SYNC_COMPLETE), zoql.cond("UpdatedDate", ">", watermark)
        )
        pending = transfer_pending_filter()
        where = zoql.all_of(
            zoql.eq("Status", "Processed"),
            zoql.any_of(pending, changed_since_sync) if self.tenant.payments_applied_later else pending,
            on_or_after("EffectiveDate", cutover),
        )
        return zoql.select("Payment", ("Id", "UpdatedDate"), where)

    def fetch(self, zuora: ZuoraApi, ids: Sequence[str]) -> dict[str, SourceRecord]:
        rows = fetch_synced(zuora, self.tenant, "Payment", ZuoraPayment.ZOQL_FIELDS, ids)
        payments = [ZuoraPayment.model_validate(row) for row in rows]
        if self.tenant.invoice_settlement:
            applications = self._parts(zuora, payments)
        else:
            applications = self._invoice_payments(zuora, payments)
        invoice_ids = [a.invoice_id for items in applications.values() for a in items if a.invoice_id]
        invoice_rows = query_where(zuora, "Invoice", ("Id", "InvoiceNumber"), "Id", invoice_ids)
        numbers = {str(row["Id"]): str(row.get("InvoiceNumber") or row["Id"]) for row in invoice_rows}
        accounts = accounts_by_id(zuora, payments)
        method_ids = [p.payment_method_id for p in payments if p.payment_method_id]
        methods = {
            str(row["Id"]): str(row["Type"])
            for row in query_where(zuora, "PaymentMethod", ("Id", "Type"), "Id", method_ids)
            if row.get("Type")
        }
        return {
            payment.id: TransactionSource(
                payment,
                accounts.get(payment.account_id or ""),
                applications=tuple(sorted(applications.get(payment.id, ()), key=lambda a: a.target_id)),
                invoice_numbers=numbers,
                payment_method_type=methods.get(payment.payment_method_id or ""),
                resent_when_changed=self.tenant.payments_applied_later,
            )
            for payment in payments
        }

    @staticmethod
    def _parts(zuora: ZuoraApi, payments: Sequence[ZuoraPayment]) -> dict[str, list[ZuoraApplication]]:
        """Invoice Settlement: what each payment was applied to, from Object Query's payment applications of up to
        50 payments a call (instead of GET /v1/payments/{key}/parts per payment); the applications of one payment
        to one invoice or debit memo are added up, as the parts show them.
        https://developer.zuora.com/v1-api-reference/api/operation/queryPaymentApplications"""
        by_payment: dict[str, list[dict[str, object]]] = {p.id: [] for p in payments}
        fields = ("id", "paymentId", "invoiceId", "debitMemoId", "applyAmount")
        for chunk in chunks([p.id for p in payments]):
            listed = f"paymentid.IN:[{','.join(chunk)}]"
            rows = zuora.object_query("payment-applications", filters=[listed], fields=fields)
            for row in iterate_on_settlement_tenant("reading payment applications", rows):
                found = by_payment.get(str(row.get("paymentId")))
                if found is not None:
                    found.append(row)
        return {payment_id: summed_applications(rows, "applyAmount") for payment_id, rows in by_payment.items()}

    @staticmethod
    def _invoice_payments(zuora: ZuoraApi, payments: Sequence[ZuoraPayment]) -> dict[str, list[ZuoraApplication]]:
        """A legacy tenant: InvoicePayment rows, read with ZOQL."""
        rows = on_legacy_tenant(
            "reading payment applications (InvoicePayment)",
            lambda: query_where(
                zuora, "InvoicePayment", ZuoraInvoicePayment.ZOQL_FIELDS, "PaymentId", [p.id for p in payments]
            ),
        )
        found: dict[str, list[ZuoraApplication]] = defaultdict(list)
        for row in (ZuoraInvoicePayment.model_validate(row) for row in rows):
            found[row.payment_id].append(ZuoraApplication.from_invoice_payment(row))
        return found

    def describe(self, source: SourceRecord) -> str:
        payment = cast(ZuoraPayment, cast(TransactionSource, source).record)
        return f"Payment {payment.number or payment.id}"

    def parents(self, source: SourceRecord) -> list[Parent]:
        transaction = cast(TransactionSource, source)
        return customer_parent(transaction) + application_parents(transaction)

    def map(self, source: SourceRecord, context: MappingContext, *, is_update: bool) -> Mapped:
        transaction = cast(TransactionSource, source)
        payment = cast(ZuoraPayment, transaction.record)
        problems: list[str] = []
        head = header(transaction, context, problems)
        currency = head.currency_code
        total = money(payment.amount, currency, "Amount", problems)
        if payment.effective_date is None:
            problems.append("EffectiveDate is empty")
        applied_to: list[tuple[Parent, Decimal]] = []
        for application in transaction.applications:
            target_type, target_id, role = application_target(application, transaction.invoice_numbers)
            applied = money(application.amount, currency, f"the amount applied to {role}", problems)
            if applied <= ZERO:
                continue
            applied_to.append((Parent(target_type, target_id, role), applied))
        applied_total = sum((amount for _, amount in applied_to), ZERO)
        if applied_total > total:
            problems.append(f"it applies {applied_total} {currency} to invoices but its amount is {total} {currency}")
        elif payment.applied_amount is not None and applied_total != payment.applied_amount:
            problems.append(
                f"its applications add up to {applied_total} {currency} but its AppliedAmount is "
                f"{payment.applied_amount} {currency}"
            )
        deposit = payment_deposit(
            context.config.payments, transaction.payment_method_type, payment.gateway, currency, problems
        )
        if problems or head.customer is None or payment.effective_date is None:
            raise ValidationFailure([f"{self.describe(source)}: {p}" for p in problems])
        doc_ids = netsuite_ids_of(context, [parent for parent, _ in applied_to], self.describe(source))
        lines = [
            NetSuiteApplyLine(doc=RecordRef(id=doc_id), amount=amount)
            for doc_id, (_, amount) in zip(doc_ids, applied_to, strict=True)
        ]
        return Mapped(
            RECORD_TYPES[RecordType.PAYMENT].netsuite_type,
            NetSuiteCustomerPayment(
                externalId=external_id(RecordType.PAYMENT, payment.id),
                tranId=payment.number,
                tranDate=payment.effective_date,
                customer=head.customer,
                currency=head.currency,
                department=head.department,
                **{"class": head.class_},
                location=head.location,
                payment=total,
                autoApply=False,
                apply=NetSuiteApplySublist(items=lines),
                **deposit,
            ),
            replace_sublists=("apply",),
        )
