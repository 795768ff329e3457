"""X-Zuora-WSDL-Version on Actions: a field added in a later WSDL version is unknown to a call pinned to an older one.

Read-only. https://developer.zuora.com/v1-api-reference/api/operation/Action_POSTquery/ ("The default WSDL version
for Actions is 79. To query objects or fields according to a different WSDL version, set the X-Zuora-WSDL-Version
header"); versions: https://docs.zuora.com/zuora-platform/integration/apis/soap-api/zuora-soap-api-version-history
(WSDL 147: Invoice.Currency).
"""

from __future__ import annotations

from tests.contract.zuora.actions import fault_code, query
from tests.contract.zuora.conftest import ZuoraTarget

ZOQL = f"select Id, Currency from Invoice where Id = '{'0' * 32}'"  # noqa: S608


def test_given_a_field_of_wsdl_147_when_querying_pinned_to_79_then_the_field_is_unknown(zuora_target: ZuoraTarget):
    response = query(zuora_target, ZOQL, wsdl_version="79")
    assert response.status_code == 400
    assert fault_code(response) == "INVALID_FIELD"


def test_given_a_field_of_wsdl_147_when_querying_pinned_to_147_then_it_is_known(zuora_target: ZuoraTarget):
    response = query(zuora_target, ZOQL, wsdl_version="147")
    assert response.status_code == 200, response.text
    assert response.json()["records"] == []
