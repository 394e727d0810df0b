"""The client against the sandbox over real HTTP: every endpoint of BLUEZONE_API.md.

Each test walks one endpoint through its answers, because every live-server test pays
for a database restore.
"""

from datetime import date, timedelta

import httpx
import pytest
from django.utils import timezone

from tracing_portal.bluezone.client import (
    BluezoneAuthError,
    BluezoneBadRequest,
    BluezoneClient,
    BluezoneConflict,
    BluezoneNotRegistered,
    InstallStats,
    Subscriber,
    TraceRequest,
    TraceStatus,
)
from tracing_portal.bluezone.sandbox import scenario
from tracing_portal.bluezone.sandbox.faults import call_log
from tracing_portal.bluezone.sandbox.models import SandboxTraceRequest

from .conftest import F0, OTHER

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CALLBACK = "http://127.0.0.1:9/bluezone/webhook"  # nothing listens: deliveries fail quietly
POPULATION_2019 = {
    "48": 1_134_310,
    "01": 8_053_663,
    "22": 1_320_324,
    "79": 8_993_082,
    "27": 1_368_840,
    "30": 1_892_254,
}


STATE_FIELDS = {"id", "status", "uploaded_at", "sightings_count", "contacts_count", "completed_at"}
KEY_1 = {"Idempotency-Key": "k-1"}


def open_trace(client, msisdn=F0, key="case-1", **kwargs) -> TraceRequest:
    return client.create_trace_request(
        msisdn=msisdn, case_ref="HD-1", callback_url=CALLBACK, idempotency_key=key, **kwargs
    )


def raw(live_server, method, path, *, key="sandbox-key", **kwargs) -> httpx.Response:
    headers = dict(kwargs.pop("headers", {}))
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    return httpx.request(
        method, f"{live_server.url}/bluezone-sandbox{path}", headers=headers, timeout=5, **kwargs
    )


def test_subscriber_endpoint(bluezone_live, live_server, registered_f0):
    subscriber = bluezone_live.get_subscriber(F0)

    assert isinstance(subscriber, Subscriber)
    assert (subscriber.msisdn, subscriber.installed, subscriber.phone_verified) == (F0, True, True)
    assert subscriber.province_code == "30"
    assert subscriber.os in ("android", "ios")
    assert subscriber.registered_at.utcoffset() == timedelta(hours=7)
    response = raw(live_server, "GET", f"/v1/subscribers/{F0}")
    assert response.status_code == 200
    assert set(response.json()) == {
        "msisdn",
        "installed",
        "phone_verified",
        "registered_at",
        "last_active_at",
        "os",
        "province_code",
    }

    # Not a Bluezone user: 404 not_registered, which the client turns into None.
    scenario.unregister(OTHER)
    assert bluezone_live.get_subscriber(OTHER) is None
    response = raw(live_server, "GET", f"/v1/subscribers/{OTHER}")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_registered", "message": "No Bluezone user has this number."}
    }

    # A malformed number: 400 invalid_msisdn, final (one call only).
    call_log.clear()
    with pytest.raises(BluezoneBadRequest) as error:
        bluezone_live.get_subscriber("0912345678")
    assert error.value.code == "invalid_msisdn"
    assert [c.status for c in call_log.calls("/v1/subscribers/")] == [400]


def test_missing_or_wrong_key_is_401_and_not_retried(bluezone_live, live_server):
    for key in (None, "wrong-key"):
        response = raw(live_server, "GET", f"/v1/subscribers/{F0}", key=key)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
        assert set(response.json()["error"]) == {"code", "message"}

    call_log.clear()
    client = BluezoneClient(base_url=f"{live_server.url}/bluezone-sandbox", api_key="nope")
    with client, pytest.raises(BluezoneAuthError):
        client.get_subscriber(F0)
    assert len(call_log.calls("/v1/subscribers/")) == 1


def test_trace_request_is_created_read_and_cancelled(bluezone_live, live_server, registered_f0):
    trace = open_trace(bluezone_live)

    assert trace.status == TraceStatus.CODE_ISSUED
    assert len(trace.verification_code) == 6 and trace.verification_code.isdigit()
    assert trace.code_expires_at - trace.created_at == timedelta(hours=24)
    assert abs(trace.created_at - timezone.now()) < timedelta(seconds=10)
    assert trace.code_expires_at.utcoffset() == timedelta(hours=7)

    fetched = bluezone_live.get_trace_request(trace.id)
    assert (fetched.id, fetched.status, fetched.verification_code) == (
        trace.id,
        TraceStatus.CODE_ISSUED,
        None,
    )
    assert set(raw(live_server, "GET", f"/v1/trace-requests/{trace.id}").json()) == STATE_FIELDS

    # One open request per number.
    with pytest.raises(BluezoneConflict) as error:
        open_trace(bluezone_live, key="second")
    assert error.value.code == "open_request_exists"

    cancelled = bluezone_live.cancel_trace_request(trace.id, idempotency_key="cancel-1")
    assert cancelled.status == TraceStatus.CANCELLED
    assert bluezone_live.get_trace_request(trace.id).status == TraceStatus.CANCELLED
    assert bluezone_live.cancel_trace_request(trace.id, idempotency_key="cancel-1") == cancelled

    # The number is free again; the raw answer has exactly the contract's fields.
    response = raw(
        live_server,
        "POST",
        "/v1/trace-requests",
        json={"msisdn": F0, "case_ref": "HD-1", "callback_url": CALLBACK},
    )
    assert response.status_code == 201
    assert set(response.json()) == {
        "id",
        "status",
        "verification_code",
        "code_expires_at",
        "created_at",
    }
    assert response.json()["created_at"].endswith("+07:00")

    scenario.unregister(OTHER)
    with pytest.raises(BluezoneNotRegistered):
        open_trace(bluezone_live, msisdn=OTHER, key="other")


def test_idempotency_key_replays_the_first_answer_and_refuses_another_body(
    bluezone_live, live_server, registered_f0
):
    body = {"msisdn": F0, "case_ref": "HD-1", "callback_url": CALLBACK}

    first = raw(live_server, "POST", "/v1/trace-requests", json=body, headers=KEY_1)
    again = raw(live_server, "POST", "/v1/trace-requests", json=body, headers=KEY_1)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert SandboxTraceRequest.objects.filter(msisdn=F0).count() == 1
    with pytest.raises(BluezoneConflict) as error:
        bluezone_live.create_trace_request(
            msisdn=F0, case_ref="HD-2", callback_url=CALLBACK, idempotency_key="k-1"
        )
    assert error.value.code == "idempotency_conflict"
    assert SandboxTraceRequest.objects.filter(msisdn=F0).count() == 1


def test_expired_and_completed_traces_cannot_be_cancelled(bluezone_live, registered_f0):
    old = open_trace(bluezone_live, key="k-old")
    SandboxTraceRequest.objects.filter(pk=old.id).update(
        code_expires_at=timezone.now() - timedelta(minutes=1)
    )

    assert bluezone_live.get_trace_request(old.id).status == TraceStatus.EXPIRED
    assert SandboxTraceRequest.objects.get(pk=old.id).status == "expired"
    done = open_trace(bluezone_live, key="k-done")  # the expired code freed the number
    scenario.enter_code(F0, done.verification_code)
    assert bluezone_live.get_trace_request(done.id).status == TraceStatus.COMPLETED

    for trace in (old, done):
        with pytest.raises(BluezoneConflict) as error:
            bluezone_live.cancel_trace_request(trace.id, idempotency_key=f"cancel-{trace.id}")
        assert error.value.code == "not_cancellable"


def test_contacts_are_paginated_completely_and_stably(bluezone_live, live_server, registered_f0):
    trace = open_trace(bluezone_live)
    with pytest.raises(BluezoneConflict) as error:
        bluezone_live.list_contacts(trace.id)
    assert error.value.code == "not_completed"
    scenario.enter_code(F0, trace.verification_code)
    done = bluezone_live.get_trace_request(trace.id)

    first = list(bluezone_live.iter_contacts(trace.id, page_size=7))
    second = list(bluezone_live.iter_contacts(trace.id, page_size=7))

    ids = [c.contact_id for page in first for c in page.contacts]
    assert len(first) > 2
    assert all(len(page.contacts) == 7 for page in first[:-1])
    assert first[-1].next_cursor is None
    assert len(ids) == len(set(ids)) == done.contacts_count
    assert first == second
    contacts = [c for page in first for c in page.contacts]
    assert done.sightings_count == sum(len(c.sightings) for c in contacts)
    for contact in contacts:
        times = [s.t for s in contact.sightings]
        assert times == sorted(times)
        assert done.uploaded_at - timedelta(days=14) < times[0] and times[-1] <= done.uploaded_at
    body = raw(live_server, "GET", f"/v1/trace-requests/{trace.id}/contacts?limit=3").json()
    assert set(body) == {"contacts", "next_cursor"}
    assert set(body["contacts"][0]) == {"contact_id", "msisdn", "province_code", "sightings"}
    assert body["contacts"][0]["sightings"][0]["t"].endswith("+07:00")


def test_install_stats_match_the_published_figures(bluezone_live, live_server):
    assert bluezone_live.install_stats(date(2020, 4, 17)) is None
    assert bluezone_live.install_stats(timezone.localdate() + timedelta(days=2)) is None
    response = raw(live_server, "GET", "/v1/stats/installs?date=2020-04-17")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "no_data")

    # 20 Aug 2020: 19.4M installs; Hải Dương 6th of 63 with 21.52%, below the five published.
    stats = bluezone_live.install_stats(date(2020, 8, 20))
    assert isinstance(stats, InstallStats)
    assert (stats.date, len(stats.provinces)) == (date(2020, 8, 20), 63)
    assert abs(sum(p.installs for p in stats.provinces) - 19_400_000) < 1_000
    population = _populations()
    rates = {p.province_code: p.installs / population[p.province_code] for p in stats.provinces}
    ranked = sorted(rates, key=rates.get, reverse=True)
    assert ranked[:6] == ["48", "01", "22", "79", "27", "30"]
    assert [round(rates[c] * 100, 1) for c in ranked[:5]] == [37.3, 29.0, 27.2, 25.5, 22.0]
    assert round(rates["30"] * 100, 2) == 21.52
    assert _hai_duong(stats).installs == 407_213

    # 19 Jun 2021: Hải Dương's installs with a phone are 49.26% of its smartphone users.
    stats = bluezone_live.install_stats(date(2021, 6, 19))
    hai_duong = _hai_duong(stats)
    assert hai_duong.installs_with_phone == 688_900
    assert round(hai_duong.installs_with_phone / hai_duong.smartphone_users * 100, 2) == 49.26
    known = [p for p in stats.provinces if p.smartphone_users is not None]
    assert 20 <= len(known) <= 45
    assert all(0.5 < p.installs_with_phone / p.installs < 0.7 for p in stats.provinces)


def _hai_duong(stats):
    return next(p for p in stats.provinces if p.province_code == "30")


def _populations() -> dict[str, int]:
    import csv

    from tracing_portal.bluezone.sandbox.installs import DATA_FILE

    with DATA_FILE.open(encoding="utf-8") as f:
        table = {r["gso_code"]: int(r["population_2019"]) for r in csv.DictReader(f)}
    assert {code: table[code] for code in POPULATION_2019} == POPULATION_2019
    return table
