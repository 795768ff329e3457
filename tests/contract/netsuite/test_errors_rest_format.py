"""NetSuite REST error answers as the connector meets them on any account: the format, invalid references folded
into a category code with the reason in the detail, and 401 INVALID_LOGIN for bad credentials."""

from __future__ import annotations

from tests.contract.netsuite.conftest import NetSuiteTarget
from tests.contract.netsuite.rest import first_error, signed_session
from zuora_netsuite.adapters.netsuite.client import NetSuiteClient
from zuora_netsuite.failures import FailureKind, NetSuiteError

# REST folds SOAP's many codes into a few categories (docs/contract-tests.md).
REFERENCE_ERROR_CODES = {"USER_ERROR", "INVALID_CONTENT", "INVALID_KEY_OR_REF"}
NO_SUCH_SUBSIDIARY = "999999999"


def test_an_error_answer_has_status_and_error_details_with_detail_code_and_path(netsuite_target: NetSuiteTarget):
    """Oracle NetSuite help, "Error Handling in REST Web Services"
    (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156570709583.html): an error response
    has ``status`` and ``o:errorDetails``, each with ``detail`` (human readable), ``o:errorCode`` (the error
    category) and, when the error is in the request body, ``o:errorPath``."""
    # Given a customer body with a field no customer has
    session = signed_session(netsuite_target)
    eid = netsuite_target.external_id("customer-unknown-field")
    body = {"companyName": "Contract Errors Co", "subsidiary": {"id": "1"}, "noSuchFieldAnywhere": "x"}
    # When it is upserted
    response = session.put(f"{netsuite_target.rest_url}/record/v1/customer/eid:{eid}", json=body, timeout=60)
    # Then NetSuite answers 400 in its error format, pointing at the field
    assert response.status_code == 400
    answer = response.json()
    assert answer["status"] == 400
    detail = first_error(response)
    assert detail["o:errorCode"] == "USER_ERROR"
    assert detail["detail"]
    assert "noSuchFieldAnywhere" in detail.get("o:errorPath", "") + detail["detail"]


def test_a_reference_to_nothing_is_a_category_code_with_the_field_in_the_detail(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient
):
    """Oracle NetSuite help, "Error Handling in REST Web Services" (section_156570709583): ``o:errorCode`` is only
    the category; the reason is in ``detail``. An invalid reference comes back as USER_ERROR (or INVALID_CONTENT /
    INVALID_KEY_OR_REF) naming the field; the connector calls it permanent and says what to fix."""
    # Given a customer whose subsidiary does not exist
    eid = netsuite_target.external_id("customer-bad-subsidiary")
    body = {"companyName": "Contract Bad Reference Co", "subsidiary": {"id": NO_SUCH_SUBSIDIARY}}
    # When the connector upserts it
    try:
        netsuite.upsert("customer", eid, body)
    except NetSuiteError as error:
        failure = error
    else:
        raise AssertionError("NetSuite accepted a subsidiary that does not exist")
    # Then NetSuite refused it with a category code and the field in its words, and nothing was retried
    assert failure.http_status == 400
    assert failure.code in REFERENCE_ERROR_CODES
    assert "subsidiary" in f"{failure.path} {failure.reason}"
    assert failure.kind is FailureKind.PERMANENT
    assert netsuite.stats.requests == 1
    assert netsuite.get_by_external_id("customer", eid) is None


def test_a_wrong_token_secret_is_401_invalid_login_and_ends_permanent_with_what_to_check(
    netsuite_target: NetSuiteTarget,
):
    """Oracle NetSuite help, "Error Handling in REST Web Services" (section_156570709583), "Invalid Login
    Information": 401 with ``o:errorCode`` INVALID_LOGIN. The connector tolerates a few (NetSuite also answers
    some requests over the concurrency limit so), then calls it permanent and says to check the token."""
    # Given a client whose token secret is wrong
    session = signed_session(netsuite_target, token_secret="not-the-token-secret")
    raw = session.get(
        f"{netsuite_target.rest_url}/record/v1/customer/eid:{netsuite_target.external_id('x')}", timeout=60
    )
    client = NetSuiteClient(
        netsuite_target.rest_url,
        netsuite_target.account_id,
        netsuite_target.consumer_key,
        netsuite_target.consumer_secret,
        netsuite_target.token_id,
        "not-the-token-secret",
        sleep=lambda _: None,
    )
    # When NetSuite is called
    try:
        client.get_by_external_id("customer", netsuite_target.external_id("customer-never-written"))
    except NetSuiteError as error:
        failure = error
    else:
        raise AssertionError("NetSuite accepted a wrong token secret")
    finally:
        client.close()
    # Then the raw answer is 401 INVALID_LOGIN, and the connector gave up after its tolerated retries
    assert raw.status_code == 401
    assert first_error(raw)["o:errorCode"] == "INVALID_LOGIN"
    assert failure.code == "INVALID_LOGIN"
    assert failure.kind is FailureKind.PERMANENT
    assert client.stats.requests == 3
    assert "check the token-based-authentication credentials" in failure.reason
