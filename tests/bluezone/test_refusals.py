"""Bluezone refusing a call for good (a wrong address or key): the person is saved, the check
and the trace fail with a message, and nothing is left waiting forever for the poll."""

import json
import time

import pytest
from django.urls import reverse

from tracing_portal.bluezone import services
from tracing_portal.bluezone.client import sign_webhook
from tracing_portal.bluezone.models import Lookup, LookupStatus, TraceRequest, TraceState
from tracing_portal.bluezone.sandbox import scenario
from tracing_portal.bluezone.sandbox.faults import call_log
from tracing_portal.cases.services import case_create, case_verify

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def wrong_address(live_server, settings):
    """BLUEZONE_API_URL set to an address where no Bluezone answers: every call is a 404."""
    settings.SITE_URL = live_server.url
    settings.BLUEZONE_API_URL = live_server.url + "/no-bluezone-here"
    call_log.clear()
    return settings


def test_a_refused_lookup_fails_once_with_a_message(wrong_address, cdc_user):
    person = case_create(actor=cdc_user, full_name="Nguyễn Văn Thành", phone="0912 345 678").case

    lookup = Lookup.objects.get(case=person)
    assert lookup.status == LookupStatus.FAILED
    assert "404" in lookup.error and lookup.attempts == 1
    person.refresh_from_db()
    assert person.bluezone_checked_at is None
    services.poll_open_traces()  # beat does not try a failed check again
    assert Lookup.objects.get(pk=lookup.pk).attempts == 1


def test_a_refused_trace_fails_with_a_message_and_the_page_answers(
    wrong_address, client, cdc_user, dic_user
):
    person = case_create(actor=cdc_user, full_name="Nguyễn Văn Thành", phone="0912 345 678").case
    case_verify(actor=cdc_user, case=person)
    client.force_login(dic_user)

    response = client.post(reverse("bluezone:open", args=[person.code]), follow=True)

    assert response.status_code == 200
    trace = TraceRequest.objects.get(case=person)
    assert trace.status == TraceState.FAILED and "404" in trace.error
    assert trace.error in response.content.decode()
    assert services.poll_open_traces() == 0  # nothing left for beat


def test_a_webhook_is_answered_even_when_bluezone_then_refuses_the_refresh(
    live_server, settings, client, cdc_user, dic_user
):
    settings.SITE_URL = live_server.url
    scenario.register("84912345678", province_code="30")
    person = case_create(actor=cdc_user, full_name="Nguyễn Văn Thành", phone="0912 345 678").case
    case_verify(actor=cdc_user, case=person)
    trace = services.trace_request_open(actor=dic_user, case=person)
    trace.refresh_from_db()
    assert trace.status == TraceState.CODE_ISSUED
    settings.BLUEZONE_API_URL = live_server.url + "/no-bluezone-here"

    raw = json.dumps(
        {
            "event": "trace_request.updated",
            "id": trace.bluezone_id,
            "status": "completed",
            "occurred_at": "2020-08-14T09:00:00+07:00",
        }
    ).encode()
    ts = str(int(time.time()))
    response = client.post(
        reverse("bluezone:webhook"),
        data=raw,
        content_type="application/json",
        headers={
            "X-Bluezone-Timestamp": ts,
            "X-Bluezone-Signature": sign_webhook(raw, ts, settings.BLUEZONE_WEBHOOK_SECRET),
        },
    )

    assert response.status_code == 202
    assert TraceRequest.objects.get(pk=trace.pk).status == TraceState.CODE_ISSUED
