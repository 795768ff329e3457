"""Revenue recognition dates on invoice item lines (`revRecStartDate`, `revRecEndDate`, `revRecSchedule`): the period
the line's revenue is recognised over, which the connector fills from Zuora's service period (issue 13)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.contract.netsuite.account_setup import INCOME_ACCOUNT, PARENT_SUBSIDIARY, simulated_account
from tests.contract.netsuite.books_setup import REVENUE_RECOGNITION, dated_line
from tests.contract.netsuite.conftest import NetSuiteTarget
from tests.contract.netsuite.money_records import Rest, days_ago, lines, new_customer, new_item
from tests.contract.netsuite.rest import simulator_only
from zuora_netsuite.adapters.netsuite.client import NetSuiteClient
from zuora_netsuite.failures import NetSuiteError

needs_revenue_recognition = pytest.mark.skipif(
    not REVENUE_RECOGNITION,
    reason="the account's Revenue Recognition feature is off (NETSUITE_CONTRACT_REVENUE_RECOGNITION)",
)


def _invoice(customer: str, *item_lines: dict[str, object]) -> dict[str, object]:
    return {"entity": {"id": customer}, "tranDate": days_ago(2), "item": {"items": list(item_lines)}}


@needs_revenue_recognition
def test_given_an_invoice_line_with_both_rev_rec_dates_when_read_back_then_the_dates_are_kept(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient, rest: Rest
) -> None:
    """Records browser, revenue recognition schedule (https://system.netsuite.com/help/helpcenter/en_US/srbrowser/Browser2016_1/script/record/revrecschedule.html):
    "If both the Rev Rec Start Date and Rev Rec End Date are entered, then those dates override the recognition
    period set on the template"; the item line fields are `revrecstartdate` / `revrecenddate` (SOAP `revRecStartDate`
    / `revRecEndDate`; REST camelCases the SOAP names, as `tranDate`). No Oracle page spells the REST names: a run on
    a real account settles them."""
    # Given a customer and an item
    customer = new_customer(netsuite_target, netsuite, "revrec-dates")
    item = new_item(netsuite_target, netsuite)
    # When an invoice line carries the service period as its revenue recognition dates
    invoice_id = netsuite.upsert(
        "invoice",
        netsuite_target.external_id("invoice"),
        _invoice(customer, dated_line(item, Decimal("120.00"), "2026-01-01", "2026-12-31")),
    )
    # Then NetSuite keeps both dates on the line
    (line,) = lines(rest.get("invoice", invoice_id), "item")
    assert str(line["revRecStartDate"])[:10] == "2026-01-01"
    assert str(line["revRecEndDate"])[:10] == "2026-12-31"


@needs_revenue_recognition
@pytest.mark.parametrize(
    ("start", "end", "missing"), [("2026-01-01", None, "revRecEndDate"), (None, "2026-12-31", "revRecStartDate")]
)
def test_given_a_line_with_only_one_rev_rec_date_when_written_then_netsuite_asks_for_the_other(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient, start: str | None, end: str | None, missing: str
) -> None:
    """Records browser, revenue recognition schedule (page above): the template's period is overridden only when
    *both* dates are entered. One alone is refused by the simulator, the stricter reading (NetSuite may default the
    other; no page says which): 400, "Please enter value(s) for: Rev. Rec. End Date.", path the missing field."""
    customer = new_customer(netsuite_target, netsuite, "revrec-one-date")
    item = new_item(netsuite_target, netsuite)
    with pytest.raises(NetSuiteError) as refused:
        netsuite.upsert(
            "invoice", netsuite_target.external_id("invoice"), _invoice(customer, dated_line(item, 50, start, end))
        )
    assert refused.value.http_status == 400
    assert not refused.value.is_transient
    if netsuite_target.simulator is not None:
        assert refused.value.path == f"item.items[0].{missing}"


@needs_revenue_recognition
def test_given_a_line_whose_end_date_is_before_its_start_when_written_then_it_is_refused(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient
) -> None:
    """Records browser, revenue recognition schedule (page above): the dates are a recognition period; an end before
    the start is no period. 400 for good."""
    customer = new_customer(netsuite_target, netsuite, "revrec-reversed")
    item = new_item(netsuite_target, netsuite)
    with pytest.raises(NetSuiteError) as refused:
        netsuite.upsert(
            "invoice",
            netsuite_target.external_id("invoice"),
            _invoice(customer, dated_line(item, 50, "2026-12-31", "2026-01-01")),
        )
    assert refused.value.http_status == 400
    assert not refused.value.is_transient


@simulator_only
def test_given_an_item_with_a_rev_rec_template_when_a_line_has_no_dates_then_the_simulator_asks_for_them(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient
) -> None:
    """Records browser, revenue recognition schedule (page above): an item carries a default template
    (`revRecSchedule`; ARM: `revenueRecognitionRule`) and a line's dates set its period. No page says what NetSuite does
    when they are missing (it may fall back to the transaction date): the simulator refuses the line, the stricter
    reading (docs/contract-tests.md), so the connector always sends the service period."""
    customer = new_customer(netsuite_target, netsuite, "revrec-template")
    item = netsuite.upsert(
        "serviceSaleItem",
        netsuite_target.external_id("item"),
        {
            "itemId": netsuite_target.external_id("item"),
            "incomeAccount": {"id": INCOME_ACCOUNT},
            "subsidiary": {"items": [{"id": PARENT_SUBSIDIARY}]},
            "includeChildren": True,
            "revRecSchedule": {"id": "3"},
        },
    )
    with pytest.raises(NetSuiteError) as refused:
        netsuite.upsert(
            "invoice", netsuite_target.external_id("invoice"), _invoice(customer, dated_line(item, 50, None, None))
        )
    assert refused.value.http_status == 400
    assert refused.value.path == "item.items[0].revRecStartDate"
    # And with the dates the same line is accepted
    netsuite.upsert(
        "invoice",
        netsuite_target.external_id("invoice"),
        _invoice(customer, dated_line(item, 50, "2026-01-01", "2026-01-31")),
    )


@simulator_only
def test_given_revenue_recognition_off_when_a_line_carries_rev_rec_dates_then_the_field_is_refused(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient
) -> None:
    """Records browser (page above): the revenue recognition fields belong to the Revenue Recognition feature. An
    account without it does not know them: the simulator refuses them as unknown fields (400, path the field), as
    REST refuses any field the record does not have (docs/contract-tests.md)."""
    customer = new_customer(netsuite_target, netsuite, "revrec-off")
    item = new_item(netsuite_target, netsuite)
    with simulated_account(netsuite_target) as account:
        assert account is not None
        account.revenue_recognition = False
        with pytest.raises(NetSuiteError) as refused:
            netsuite.upsert(
                "invoice",
                netsuite_target.external_id("invoice"),
                _invoice(customer, dated_line(item, 50, "2026-01-01", "2026-01-31")),
            )
    assert refused.value.http_status == 400
    assert refused.value.path == "item.items[0].revRecStartDate"
