"""Settings from environment variables (models/environment.py) and the validated sync configuration."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from zuora_netsuite.models.environment import EnvironmentSettings
from zuora_netsuite.models.field_mapping import (
    RecordFieldMapping,
    check_field_mappings,
    check_no_clash,
    read_fields,
)
from zuora_netsuite.models.netsuite_account import (
    ConstantValue,
    NetSuiteRecordType,
    check_constant_fields,
    check_custom_forms,
)
from zuora_netsuite.models.record_types import ALWAYS_ENABLED, DEPENDENCY_ORDER, RecordType


class ClassificationDefaults(BaseModel):
    """NetSuite classifications (full names, hierarchy joined by ' : ') used when a record has none."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    subsidiary: str | None = None
    department: str | None = None
    class_: str | None = Field(default=None, alias="class")
    location: str | None = None


class ZuoraTenant(BaseModel):
    """What the connector must know about the Zuora tenant's shape (docs/configuration.md)."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    # Invoice Settlement on (most tenants): memos, payment and refund applications come from the REST resources
    # and Object Query, not from Actions. Off: a legacy tenant with InvoicePayment / RefundInvoicePayment and
    # no memos. https://docs.zuora.com/en/zuora-billing/bill-your-customer/invoice-settlement/invoice-settlement-api-impacts
    invoice_settlement: bool = True
    # The Zuora custom field the reason of a sync error is written to, on every synced object: a field the Zuora
    # administrator creates (Settings > Billing > Customize Fields), so its API name ends in __c. Zuora's NetSuite
    # Connector package has no such field. None: the reason is not written to Zuora; it stays in DynamoDB, the
    # dead-letter queue and the logs (docs/configuration.md).
    error_field: str | None = None
    # Payments applied or unapplied in Zuora after they synced (unapplied cash applied later): on, a synced payment
    # whose UpdatedDate passed the watermark is picked up again and re-sent with its whole apply set (?replace=apply).
    # Off (default): a payment is synced once, as before. On costs one "unchanged" check per written-back payment
    # on the next run, and after a fault that left the payload NetSuite holds unknown, one idempotent re-send.
    payments_applied_later: bool = False
    # The (Zuora object, field) pairs the configured field mappings read, fetched with each record. Derived from
    # SyncConfig.field_mappings / payment_terms when the configuration loads (not a setting).
    source_fields: frozenset[tuple[str, str]] = frozenset()

    def source_fields_of(self, zuora_object: str) -> tuple[str, ...]:
        return tuple(sorted(name for obj, name in self.source_fields if obj == zuora_object))

    @field_validator("error_field")
    @classmethod
    def _custom_field_api_name(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*__c", value):
            raise ValueError(
                f"zuora.error_field {value!r} is not the API name of a Zuora custom field: a field an administrator "
                "creates ends in __c (e.g. IntegrationError__c); leave it unset to keep reasons out of Zuora"
            )
        return value


class RevenueConfig(BaseModel):
    """Revenue recognition on transaction lines (issue 13, docs/configuration.md "revenue").

    mode "dates": every invoice and memo line carries revRecStartDate / revRecEndDate = the Zuora item's service
    period (ServiceStartDate / ServiceEndDate); "off": no revenue recognition field is sent (an account without the
    Revenue Recognition feature refuses them). templates: Zuora ProductRatePlanCharge Id -> NetSuite revenue
    recognition template (revRecSchedule internal id) set on that charge's lines; a line of such a charge without a
    service period is a validation error (the template would otherwise recognise it over the wrong period).
    rules (Advanced Revenue Management): charge Id -> revenue recognition rule internal id, set on the charge's
    NetSuite item (revenueRecognitionRule); its lines need a service period too."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    mode: Literal["off", "dates"] = "dates"
    templates: dict[str, str] = Field(default_factory=dict)
    rules: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _templates_need_dates(self) -> RevenueConfig:
        if (self.templates or self.rules) and self.mode == "off":
            raise ValueError(
                "revenue.templates and revenue.rules need revenue.mode 'dates' (they recognise over the line dates)"
            )
        return self


class TaxConfig(BaseModel):
    """Zuora tax -> NetSuite tax lines (issue 13, docs/configuration.md "tax"): one line per Zuora tax code of a
    document's taxation items, on the NetSuite tax item mapped from that code (items_by_code). Once items_by_code
    lists codes, a code it does not list is a validation error naming the code; with items_by_code empty every
    code's line goes to default_item_id. default_item_id (else the older tax_item_id) also carries the tax of a
    document that has a TaxAmount but no taxation items (one line, "Tax")."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    items_by_code: dict[str, str] = Field(default_factory=dict)
    default_item_id: str | None = None


class DepositRule(BaseModel):
    """Where a Zuora payment's money goes in NetSuite (issue 13, docs/configuration.md "Payments"): the first rule
    whose filters all match (None matches anything; case-insensitive) gives the bank `account_id`, or
    `undeposited` (NetSuite's Undeposited Funds), and the NetSuite payment method. For refunds: the bank account
    the refund is paid from."""

    model_config = ConfigDict(frozen=True)

    payment_method_type: str | None = None  # Zuora PaymentMethod.Type (payments) / Refund.MethodType (refunds)
    gateway: str | None = None  # Zuora Payment.Gateway (payments only)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    account_id: str | None = None  # NetSuite internal id of a bank account
    undeposited: bool = False
    netsuite_payment_method_id: str | None = None

    @model_validator(mode="after")
    def _one_destination(self) -> DepositRule:
        if (self.account_id is None) == (not self.undeposited):
            raise ValueError("a deposit rule names either account_id or undeposited: true (one of them)")
        return self

    def matches(self, method_type: str | None, gateway: str | None, currency: str | None) -> bool:
        return all(
            wanted is None or (value or "").casefold() == wanted.casefold()
            for wanted, value in (
                (self.payment_method_type, method_type),
                (self.gateway, gateway),
                (self.currency, currency),
            )
        )


class PaymentsConfig(BaseModel):
    """Deposit accounts and payment methods of payments and refunds (SyncConfig.payments). No rules: payments carry
    no account (NetSuite's default applies) - not ready for books that tie out."""

    model_config = ConfigDict(frozen=True)

    deposit_rules: tuple[DepositRule, ...] = ()
    refund_account_rules: tuple[DepositRule, ...] = ()
    # The NetSuite field a rule's netsuite_payment_method_id is sent in: paymentMethod (classic), or paymentOption on
    # accounts with the Payment Instruments feature (no Oracle page spells the REST field: docs/contract-tests.md).
    payment_method_field: Literal["paymentMethod", "paymentOption"] = "paymentMethod"

    @field_validator("refund_account_rules")
    @classmethod
    def _refunds_from_a_bank_account(cls, value: tuple[DepositRule, ...]) -> tuple[DepositRule, ...]:
        if any(rule.undeposited or rule.gateway is not None for rule in value):
            raise ValueError("a refund account rule names an account_id (no undeposited, no gateway)")
        return value


class AfterSyncConfig(BaseModel):
    """Changes made in Zuora after a transaction synced (issue 13, docs/mapping.md "Changes after sync").

    write_off_item_id: the NetSuite item (internal id; an item posting to bad debt expense) the charge lines of a
    write-off credit memo go to - a credit memo whose reason code is one of write_off_reason_codes. None: a
    write-off memo's lines stay on the charges' own items (the write-off then reduces revenue). Tax lines stay on
    their tax items either way."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    write_off_item_id: str | None = None
    write_off_reason_codes: tuple[str, ...] = ("Write-off",)  # Zuora's write-off memos carry "Write-off"
    # An invoice cancelled in Zuora after it synced (Status Canceled): "credit_memo" creates a NetSuite credit memo
    # mirroring its lines, dated the run date and applied to the NetSuite invoice (record type invoice_cancellation,
    # mapping/cancellation.py); "report" leaves NetSuite as it is and reconciliation reports the invoice.
    canceled_invoice: Literal["credit_memo", "report"] = "credit_memo"


CustomerMatchKey = Literal["entityId", "email"]
ItemMatchKey = Literal["itemId", "displayName"]


class CustomFieldMatch(BaseModel):
    """A customer match key on a custom field: the NetSuite custom entity field (its SuiteQL column, lower case)
    whose value equals the Zuora Account custom field's (exact, blank values never match)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    netsuite: str
    zuora: str

    @field_validator("netsuite")
    @classmethod
    def _custentity(cls, value: str) -> str:
        if not re.fullmatch(r"custentity[a-z0-9_]+", value):
            raise ValueError(
                f"linking.customer_match netsuite {value!r} is not a NetSuite custom entity field id: it starts with "
                "custentity and is lower case, as its SuiteQL column (e.g. custentity_zuora_number)"
            )
        return value

    @field_validator("zuora")
    @classmethod
    def _account_custom_field(cls, value: str) -> str:
        if not re.fullmatch(r"Account\.[A-Za-z][A-Za-z0-9_]*__c", value):
            raise ValueError(
                f"linking.customer_match zuora {value!r} is not a Zuora Account custom field: Account.<Field>__c "
                "(e.g. Account.LegacyId__c)"
            )
        return value

    @property
    def key(self) -> str:
        """The key's name in matches and reports: the NetSuite column."""
        return self.netsuite

    @property
    def zuora_field(self) -> str:
        return self.zuora.split(".", 1)[1]


class LinkingSettings(BaseModel):
    """Go-live linking (logic/linking.py, `connector_cli link`): how a Zuora account or charge not yet linked finds
    the NetSuite customer or item that already exists. Keys are tried in order; the first that finds any candidate
    decides (one: matched; more: ambiguous, never adopted)."""

    model_config = ConfigDict(frozen=True)

    # entityId = the account number; email = the bill-to contact's work email (case-insensitive); an object
    # {"netsuite": "custentity_x", "zuora": "Account.X__c"} = a custom field's value (exact)
    customer_match: tuple[CustomerMatchKey | CustomFieldMatch, ...] = Field(default=("entityId",), min_length=1)
    # itemId = the item name the connector gives the charge; displayName = the charge's name
    item_match: tuple[ItemMatchKey, ...] = Field(default=("itemId",), min_length=1)
    # The sync path runs the same matcher before it creates a customer or an item.
    match_before_create: bool = False

    @property
    def customer_keys(self) -> tuple[str, ...]:
        """The customer match keys by name (a custom field's: its NetSuite column)."""
        return tuple(key if isinstance(key, str) else key.key for key in self.customer_match)

    @property
    def custom_fields(self) -> tuple[CustomFieldMatch, ...]:
        return tuple(key for key in self.customer_match if isinstance(key, CustomFieldMatch))


class SnapshotSettings(BaseModel):
    """The dispatcher reads each pending record from Zuora in chunks, marks it in progress and carries it in the
    sync message; the sync then makes no Zuora call for it (docs/performance.md, "Zuora off the critical path")."""

    model_config = ConfigDict(frozen=True)

    # A snapshot older than this is not used: the sync reads Zuora again. 0: never carry snapshots (the sync
    # reads and marks every record itself, as webhook and replay requests always do).
    max_age_seconds: int = Field(default=3600, ge=0)
    # A record whose snapshot is larger (JSON bytes) goes without one: ten messages fit in one 256 KiB
    # SendMessageBatch (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html).
    max_bytes: int = Field(default=24_000, ge=1_000, le=25_000)
    # Records the dispatcher reads from Zuora (and marks) at once.
    fetch_chunk: int = Field(default=200, ge=1, le=200)


class SyncConfig(BaseModel):
    """Which record types sync and how: one validated model, from the SYNC_CONFIG JSON env value."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    enabled_types: frozenset[RecordType] = frozenset(DEPENDENCY_ORDER)
    cutover_dates: dict[RecordType, date] = Field(default_factory=dict)
    classification_defaults: ClassificationDefaults = ClassificationDefaults()
    one_world: bool = True  # NetSuite OneWorld: every new customer needs a subsidiary
    multi_currency: bool = True
    base_currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    item_income_account_id: str | None = None  # NetSuite internal id of the income account for new items
    # Transactions: the NetSuite item (internal id) that carries Zuora's tax as a line, and which
    # classifications transaction lines copy from the account (the others are left to the item's own).
    tax_item_id: str | None = None
    line_classifications: frozenset[Literal["department", "class", "location"]] = frozenset()
    # What the NetSuite account's own configuration asks (docs/configuration.md, "NetSuite account configuration").
    # OneWorld: the subsidiaries new and updated items are shared with (full names or internal ids; empty: the
    # charge's Subsidiary__NS, else the default subsidiary), and whether their sub-subsidiaries share them too.
    item_subsidiaries: tuple[str, ...] = ()
    item_include_children: bool = False
    # A tax code (NetSuite internal id) on every transaction line, for SuiteTax / non-US accounts: Zuora tax code
    # -> NetSuite tax code, and the one for lines whose code is not listed (and for the tax line). Both empty:
    # no tax code is sent.
    tax_codes: dict[str, str] = Field(default_factory=dict)
    default_tax_code_id: str | None = None
    # Issue 13, books: revenue recognition dates / templates on lines, tax lines per Zuora tax code, and the NetSuite
    # item discount charges' lines go to (a charge whose ChargeModel starts with "Discount"; None: its own item).
    revenue: RevenueConfig = RevenueConfig()
    tax: TaxConfig = TaxConfig()
    discount_item_id: str | None = None
    # Per NetSuite record type: the custom form that validates the write, the custom fields it makes mandatory,
    # and whether the connector's own entityId / tranId is sent (false when NetSuite numbers the type itself).
    custom_forms: dict[NetSuiteRecordType, str] = Field(default_factory=dict)
    constant_fields: dict[NetSuiteRecordType, dict[str, ConstantValue]] = Field(default_factory=dict)
    send_document_numbers: dict[NetSuiteRecordType, bool] = Field(default_factory=dict)
    # Customers (docs/mapping.md, "Customer"): the bill-to / sold-to address book ("sync": sent on every write and
    # replaced whole; "create_only": sent when the customer is created, then left to NetSuite; "off": never sent),
    # Zuora country name -> ISO 3166 alpha-2 code for the names the built-in list does not know, and Zuora
    # payment term name -> NetSuite term internal id (empty: no terms sent; the built-in mapping of customer.terms).
    customer_addresses: Literal["sync", "create_only", "off"] = "sync"
    country_codes: dict[str, Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]] = Field(default_factory=dict)
    payment_terms: dict[str, Annotated[str, StringConstraints(pattern=r"^[0-9]+$")]] = Field(default_factory=dict)
    # Field mapping as configuration (docs/configuration.md, "Field mappings"): per record type, NetSuite field ->
    # Zuora source or constant, with value maps and defaults; overrides the built-in mapping of that field.
    field_mappings: dict[RecordType, RecordFieldMapping] = Field(default_factory=dict)
    zuora: ZuoraTenant = ZuoraTenant()
    payments: PaymentsConfig = PaymentsConfig()
    after_sync: AfterSyncConfig = AfterSyncConfig()
    linking: LinkingSettings = LinkingSettings()
    snapshots: SnapshotSettings = SnapshotSettings()

    @field_validator("enabled_types")
    @classmethod
    def _master_data_always_enabled(cls, value: frozenset[RecordType]) -> frozenset[RecordType]:
        missing = ALWAYS_ENABLED - value
        if missing:
            names = ", ".join(sorted(t.value for t in missing))
            raise ValueError(f"customers and items cannot be switched off (missing: {names})")
        return value

    @field_validator("custom_forms")
    @classmethod
    def _form_ids(cls, value: dict[str, str]) -> dict[str, str]:
        return check_custom_forms(value)

    @field_validator("constant_fields")
    @classmethod
    def _custom_field_ids(cls, value: dict[str, dict[str, object]]) -> dict[str, dict[str, object]]:
        return check_constant_fields(value)

    @model_validator(mode="after")
    def _field_mappings_valid(self) -> SyncConfig:
        check_field_mappings(self.field_mappings)
        check_no_clash(self.field_mappings, self.constant_fields)
        # The Zuora fields the mappings read are fetched with each record: the tenant's mappings (mappings_for)
        # select them. Derived, never configured (frozen model: set once, here).
        reads = read_fields(self.field_mappings, self.payment_terms) | {
            ("Account", key.zuora_field) for key in self.linking.custom_fields
        }  # and the Account custom fields linking.customer_match compares
        if reads != self.zuora.source_fields:
            object.__setattr__(self, "zuora", self.zuora.model_copy(update={"source_fields": reads}))
        return self

    @property
    def tax_codes_on_lines(self) -> bool:
        return bool(self.tax_codes) or self.default_tax_code_id is not None

    def tax_item_for(self, zuora_tax_code: str | None) -> str | None:
        """The NetSuite tax item of a Zuora tax code's line (None: no mapping, a validation error naming the code);
        zuora_tax_code None: tax without taxation items (the default item)."""
        default = self.tax.default_item_id or self.tax_item_id
        if zuora_tax_code is None or not self.tax.items_by_code:
            return default
        return self.tax.items_by_code.get(zuora_tax_code)

    def sends_document_number(self, netsuite_type: str) -> bool:
        return next((send for name, send in self.send_document_numbers.items() if name == netsuite_type), True)

    def custom_form_for(self, netsuite_type: str) -> str | None:
        return next((form for name, form in self.custom_forms.items() if name == netsuite_type), None)

    def constants_for(self, netsuite_type: str) -> dict[str, ConstantValue]:
        return next((fields for name, fields in self.constant_fields.items() if name == netsuite_type), {})

    @model_validator(mode="after")
    def _memos_need_invoice_settlement(self) -> SyncConfig:
        memos = {RecordType.DEBIT_MEMO, RecordType.CREDIT_MEMO} & self.enabled_types
        if memos and not self.zuora.invoice_settlement:
            names = ", ".join(sorted(t.value for t in memos))
            raise ValueError(
                f"zuora.invoice_settlement is false (a Zuora tenant without Invoice Settlement has no credit or debit "
                f"memos) but enabled_types includes {names}: remove them from enabled_types, or set "
                "zuora.invoice_settlement to true if the tenant has Invoice Settlement"
            )
        return self

    @model_validator(mode="after")
    def _cancellations_follow_the_policy(self) -> SyncConfig:
        """invoice_cancellation is on exactly when invoices sync and after_sync.canceled_invoice is "credit_memo"
        (derived, never listed by hand: a configuration written before the type existed gets it too)."""
        on = self.after_sync.canceled_invoice == "credit_memo" and RecordType.INVOICE in self.enabled_types
        wanted = (
            (self.enabled_types | {RecordType.INVOICE_CANCELLATION})
            if on
            else (self.enabled_types - {RecordType.INVOICE_CANCELLATION})
        )
        if wanted != self.enabled_types:
            object.__setattr__(self, "enabled_types", frozenset(wanted))
        return self

    def enabled_in_order(self) -> list[RecordType]:
        return [t for t in DEPENDENCY_ORDER if t in self.enabled_types]


class StackResources(EnvironmentSettings):
    """The stack's state table and queues, which every function reaches (template.yaml's Globals)."""

    state_table_name: str = Field(alias="STATE_TABLE_NAME")
    sync_queue_url: str = Field(alias="SYNC_QUEUE_URL")
    sync_dlq_url: str = Field(alias="SYNC_DLQ_URL")
    # The write-back queue (final statuses for Zuora, written by WriteBackFunction in batches of 50); unset: the
    # sync function writes them to Zuora itself at the end of each batch (docs/architecture.md)
    writeback_queue_url: str | None = Field(default=None, alias="WRITEBACK_QUEUE_URL")


class ConnectorSettings(StackResources):
    """Environment of every function. Secrets are never here: only the ARNs of their Secrets Manager secrets."""

    zuora_base_url: str = Field(alias="ZUORA_BASE_URL")
    zuora_secret_arn: str = Field(alias="ZUORA_SECRET_ARN")
    netsuite_account_id: str = Field(alias="NETSUITE_ACCOUNT_ID")
    netsuite_base_url: str | None = Field(default=None, alias="NETSUITE_BASE_URL")
    netsuite_secret_arn: str = Field(alias="NETSUITE_SECRET_ARN")
    sync_config: SyncConfig = Field(default_factory=SyncConfig, alias="SYNC_CONFIG")
    http_timeout_seconds: float = Field(default=30.0, alias="HTTP_TIMEOUT_SECONDS", gt=0)
    record_lease_seconds: int = Field(default=300, alias="RECORD_LEASE_SECONDS", gt=0)
    run_lease_seconds: int = Field(default=900, alias="RUN_LEASE_SECONDS", gt=0)
    # Seconds of each sync invocation kept for its end (write-back flush, batch item failures): no record is
    # started and no vendor call outlives the Lambda's remaining time less this (docs/reliability.md).
    sync_time_reserve_seconds: float = Field(default=10.0, alias="SYNC_TIME_RESERVE_SECONDS", ge=0)

    @property
    def netsuite_rest_url(self) -> str:
        """https://<account>.suitetalk.api.netsuite.com/services/rest unless overridden (sandbox)."""
        if self.netsuite_base_url:
            return self.netsuite_base_url.rstrip("/")
        host = self.netsuite_account_id.lower().replace("_", "-")
        return f"https://{host}.suitetalk.api.netsuite.com/services/rest"


@lru_cache(maxsize=1)
def load_settings() -> ConnectorSettings:
    return ConnectorSettings.from_environment()
