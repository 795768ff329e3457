"""Where a payment's money goes in NetSuite, and where a refund's comes from (SyncConfig.payments, issue 13).

NetSuite's customer payment takes a bank `account` ("the account where you want to deposit the amount received",
records browser https://system.netsuite.com/help/helpcenter/en_US/srbrowser/Browser2026_1/script/record/customerpayment.html)
or `undepFunds: true` (deposited later from Undeposited Funds; `account` is "Required when undepFunds is set to
FALSE", schema browser 2024.2), and a `paymentMethod` (`paymentOption` on accounts with the Payment Instruments
feature: payments.payment_method_field). The first deposit rule matching the Zuora payment method type,
gateway and currency decides them; Zuora's own NetSuite connector decides the same way ("the accounting code for the
payment is determined by the payment method ... configured within the associated NetSuite Payment Method").
No rules configured: nothing is sent and NetSuite's defaults apply (today's behaviour; not books-ready).
"""

from __future__ import annotations

from collections.abc import Sequence

from zuora_netsuite.models.netsuite import RecordRef
from zuora_netsuite.settings import DepositRule, PaymentsConfig

# The model field (models/netsuite.py) of each NetSuite spelling of the payment method (payments.payment_method_field)
_METHOD_FIELD = {"paymentMethod": "payment_method", "paymentOption": "payment_option"}


def _first(
    rules: Sequence[DepositRule], method_type: str | None, gateway: str | None, currency: str | None
) -> DepositRule | None:
    return next((rule for rule in rules if rule.matches(method_type, gateway, currency)), None)


def _what(method_type: str | None, gateway: str | None, currency: str | None) -> str:
    return " / ".join(part or "(none)" for part in (method_type, gateway, currency))


def payment_deposit(
    config: PaymentsConfig,
    method_type: str | None,
    gateway: str | None,
    currency: str | None,
    problems: list[str],
) -> dict[str, object]:
    """The customerPayment fields (`account` or `undepFunds`, `paymentMethod`) for this payment; a problem naming
    what matched nothing when rules exist but none matches."""
    if not config.deposit_rules:
        return {}
    rule = _first(config.deposit_rules, method_type, gateway, currency)
    if rule is None:
        problems.append(
            f"no deposit rule for {_what(method_type, gateway, currency)} (payment method type / gateway / "
            "currency; sync config payments.deposit_rules)"
        )
        return {}
    fields: dict[str, object] = (
        {"undep_funds": True} if rule.undeposited else {"undep_funds": False, "account": RecordRef(id=rule.account_id)}
    )
    if rule.netsuite_payment_method_id:
        fields[_METHOD_FIELD[config.payment_method_field]] = RecordRef(id=rule.netsuite_payment_method_id)
    return fields


def refund_account(
    config: PaymentsConfig, method_type: str | None, currency: str | None, problems: list[str]
) -> dict[str, object]:
    """The customerRefund fields (`account`, `paymentMethod`) for this refund."""
    if not config.refund_account_rules:
        return {}
    rule = _first(config.refund_account_rules, method_type, None, currency)
    if rule is None:
        problems.append(
            f"no refund account rule for {_what(method_type, None, currency)} (refund method type / currency; "
            "sync config payments.refund_account_rules)"
        )
        return {}
    fields: dict[str, object] = {"account": RecordRef(id=rule.account_id)}
    if rule.netsuite_payment_method_id:
        fields[_METHOD_FIELD[config.payment_method_field]] = RecordRef(id=rule.netsuite_payment_method_id)
    return fields
