"""The phone page: the F0 enters the 6-digit code and the history uploads."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tracing_portal.bluezone.sandbox.models import SandboxTraceRequest
from tracing_portal.bluezone.sandbox.services import PhoneError, phone_upload

from .conftest import F0

PHONE = "/bluezone-sandbox/phone/"
TEST_UPLOAD = "/bluezone-sandbox/v1/_test/upload"


@pytest.fixture
def trace(bluezone_inprocess, registered_f0):
    opened = bluezone_inprocess.create_trace_request(
        msisdn=F0, case_ref="HD-1", callback_url="http://127.0.0.1:9/hook", idempotency_key="k"
    )
    return SandboxTraceRequest.objects.get(pk=opened.id)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_phone_page_speaks_vietnamese(client, db):
    response = client.get(PHONE)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Mã xác minh" in page
    assert 'name="msisdn"' in page and 'name="code"' in page


def test_right_code_uploads_and_completes_the_trace(client, trace):
    response = client.post(PHONE, {"msisdn": "0912 345 678", "code": trace.verification_code})

    assert response.status_code == 200
    assert 'data-status="completed"' in response.content.decode()
    trace.refresh_from_db()
    assert trace.status == "completed"
    assert trace.uploaded_at is not None
    assert trace.contacts_count is not None and trace.sightings_count is not None


def test_with_matching_time_the_trace_stays_matching_until_it_has_passed(client, trace, settings):
    settings.BLUEZONE_SANDBOX_MATCHING_SECONDS = 60

    client.post(PHONE, {"msisdn": F0, "code": trace.verification_code})

    trace.refresh_from_db()
    assert trace.status == "matching"
    assert trace.contacts_count is None
    SandboxTraceRequest.objects.filter(pk=trace.pk).update(
        uploaded_at=timezone.now() - timedelta(seconds=61)
    )
    response = client.get(f"/bluezone-sandbox/v1/trace-requests/{trace.pk}", **_auth())
    assert response.json()["status"] == "completed"
    trace.refresh_from_db()
    assert trace.status == "completed"


def test_wrong_code_is_refused_with_the_tries_left(client, trace):
    response = client.post(PHONE, {"msisdn": F0, "code": wrong(trace.verification_code)})

    assert response.status_code == 400
    assert "Mã sai. Còn 4 lần thử." in response.content.decode()
    trace.refresh_from_db()
    assert (trace.status, trace.failed_attempts) == ("code_issued", 1)


def test_five_wrong_codes_lock_the_request_even_for_the_right_code(client, trace):
    for _ in range(5):
        response = client.post(PHONE, {"msisdn": F0, "code": wrong(trace.verification_code)})
    assert "bị khoá" in response.content.decode()

    response = client.post(PHONE, {"msisdn": F0, "code": trace.verification_code})

    assert response.status_code == 400
    assert 'data-error-code="locked"' in response.content.decode()
    trace.refresh_from_db()
    assert (trace.status, trace.failed_attempts) == ("code_issued", 5)


def test_expired_code_is_refused_and_the_trace_expires(client, trace):
    SandboxTraceRequest.objects.filter(pk=trace.pk).update(
        code_expires_at=timezone.now() - timedelta(seconds=1)
    )

    response = client.post(PHONE, {"msisdn": F0, "code": trace.verification_code})

    assert response.status_code == 400
    assert 'data-error-code="code_expired"' in response.content.decode()
    assert "hết hạn" in response.content.decode()
    trace.refresh_from_db()
    assert trace.status == "expired"


def test_no_waiting_request_and_already_uploaded_are_explained(client, trace):
    assert client.post(PHONE, {"msisdn": "84987654321", "code": "123456"}).status_code == 400
    client.post(PHONE, {"msisdn": F0, "code": trace.verification_code})

    response = client.post(PHONE, {"msisdn": F0, "code": trace.verification_code})

    assert 'data-error-code="already_uploaded"' in response.content.decode()


def test_malformed_number_or_code_is_a_form_error(client, db):
    response = client.post(PHONE, {"msisdn": "12", "code": "12ab"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "field-error" in page


def test_json_test_upload_completes_and_reports_errors(client, trace):
    bad = client.post(
        TEST_UPLOAD,
        {"msisdn": F0, "code": wrong(trace.verification_code)},
        content_type="application/json",
    )
    good = client.post(
        TEST_UPLOAD,
        {"msisdn": F0, "code": trace.verification_code},
        content_type="application/json",
    )

    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "wrong_code"
    assert bad.json()["error"]["attempts_left"] == 4
    assert good.status_code == 200
    assert good.json() == {"id": trace.pk, "status": "completed"}


def test_phone_upload_service_raises_for_a_wrong_code(trace):
    with pytest.raises(PhoneError) as error:
        phone_upload(msisdn=F0, code=wrong(trace.verification_code))

    assert error.value.code == "wrong_code"


def _auth():
    return {"HTTP_AUTHORIZATION": "Bearer sandbox-key"}
