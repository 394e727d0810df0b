"""The client against the sandbox over real HTTP: every endpoint of BLUEZONE_API.md."""

from datetime import date, timedelta

import httpx
import pytest
from django.utils import timezone

from tracing_portal.bluezone.client import (
    BluezoneAuthError,
    BluezoneClient,
    BluezoneConflict,
    BluezoneNotRegistered,
    InstallStats,
    Subscriber,
    TraceRequest,
    TraceStatus,
)
from tracing_portal.bluezone.sandbox import scenario
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


def open_trace(client, msisdn=F0, key="case-1", **kwargs) -> TraceRequest:
    return client.create_trace_request(
        msisdn=msisdn, case_ref="HD-1", callback_url=CALLBACK, idempotency_key=key, **kwargs
    )


def raw(live_server, method, path, *, key="sandbox-key", **kwargs) -> httpx.Response:
    headers = kwargs.pop("headers", {})
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    return httpx.request(
        method, f"{live_server.url}/bluezone-sandbox{path}", headers=headers, timeout=5, **kwargs
    )


def test_subscriber_lookup_returns_the_registered_number(bluezone_live, live_server, registered_f0):
    subscriber = bluezone_live.get_subscriber(F0)

    assert isinstance(subscriber, Subscriber)
    assert subscriber.msisdn == F0
    assert subscriber.installed is True
    assert subscriber.phone_verified is True
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


def test_unregistered_number_is_none_and_404_not_registered(bluezone_live, live_server):
    scenario.unregister(OTHER)

    assert bluezone_live.get_subscriber(OTHER) is None
    response = raw(live_server, "GET", f"/v1/subscribers/{OTHER}")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_registered", "message": "No Bluezone user has this number."}
    }


def test_missing_or_wrong_key_is_401_with_the_error_shape(bluezone_live, live_server):
    for key in (None, "wrong-key"):
        response = raw(live_server, "GET", f"/v1/subscribers/{F0}", key=key)

        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
        assert set(response.json()["error"]) == {"code", "message"}


def test_client_with_a_wrong_key_raises_auth_error_without_retrying(bluezone_live, live_server):
    from tracing_portal.bluezone.sandbox.faults import call_log

    client = BluezoneClient(base_url=f"{live_server.url}/bluezone-sandbox", api_key="nope")
    with client, pytest.raises(BluezoneAuthError):
        client.get_subscriber(F0)

    assert len(call_log.calls("/v1/subscribers/")) == 1


def test_create_trace_request_issues_a_six_digit_code_valid_24_hours(
    bluezone_live, live_server, registered_f0
):
    trace = open_trace(bluezone_live)

    assert trace.status == TraceStatus.CODE_ISSUED
    assert trace.id
    assert len(trace.verification_code) == 6 and trace.verification_code.isdigit()
    assert trace.code_expires_at - trace.created_at == timedelta(hours=24)
    assert abs(trace.created_at - timezone.now()) < timedelta(seconds=10)
    bluezone_live.cancel_trace_request(trace.id, idempotency_key="cancel")
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


def test_create_for_unregistered_number_raises_not_registered(bluezone_live):
    scenario.unregister(OTHER)

    with pytest.raises(BluezoneNotRegistered):
        open_trace(bluezone_live, msisdn=OTHER)


def test_second_open_request_for_a_number_is_409_open_request_exists(bluezone_live, registered_f0):
    open_trace(bluezone_live, key="first")

    with pytest.raises(BluezoneConflict) as error:
        open_trace(bluezone_live, key="second")

    assert error.value.code == "open_request_exists"
    assert SandboxTraceRequest.objects.filter(msisdn=F0).count() == 1


def test_same_idempotency_key_and_body_replays_the_first_answer(
    bluezone_live, live_server, registered_f0
):
    body = {"msisdn": F0, "case_ref": "HD-1", "callback_url": CALLBACK}
    headers = {"Idempotency-Key": "k-1"}

    first = raw(live_server, "POST", "/v1/trace-requests", json=body, headers=dict(headers))
    again = raw(live_server, "POST", "/v1/trace-requests", json=body, headers=dict(headers))

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert SandboxTraceRequest.objects.filter(msisdn=F0).count() == 1


def test_same_idempotency_key_with_another_body_is_409_idempotency_conflict(
    bluezone_live, live_server, registered_f0
):
    open_trace(bluezone_live, key="k-2")

    with pytest.raises(BluezoneConflict) as error:
        bluezone_live.create_trace_request(
            msisdn=F0, case_ref="HD-2", callback_url=CALLBACK, idempotency_key="k-2"
        )

    assert error.value.code == "idempotency_conflict"


def test_get_trace_request_has_exactly_the_contract_fields(
    bluezone_live, live_server, registered_f0
):
    trace = open_trace(bluezone_live)

    fetched = bluezone_live.get_trace_request(trace.id)
    body = raw(live_server, "GET", f"/v1/trace-requests/{trace.id}").json()

    assert fetched.id == trace.id
    assert fetched.status == TraceStatus.CODE_ISSUED
    assert fetched.verification_code is None
    assert set(body) == {
        "id",
        "status",
        "uploaded_at",
        "sightings_count",
        "contacts_count",
        "completed_at",
    }


def test_code_past_its_expiry_reads_as_expired_and_frees_the_number(bluezone_live, registered_f0):
    trace = open_trace(bluezone_live, key="k-old")
    SandboxTraceRequest.objects.filter(pk=trace.id).update(
        code_expires_at=timezone.now() - timedelta(minutes=1)
    )

    assert bluezone_live.get_trace_request(trace.id).status == TraceStatus.EXPIRED
    assert SandboxTraceRequest.objects.get(pk=trace.id).status == "expired"
    assert open_trace(bluezone_live, key="k-new").status == TraceStatus.CODE_ISSUED


def test_cancel_returns_the_cancelled_state(bluezone_live, registered_f0):
    trace = open_trace(bluezone_live)

    cancelled = bluezone_live.cancel_trace_request(trace.id, idempotency_key="cancel-1")

    assert cancelled.status == TraceStatus.CANCELLED
    assert bluezone_live.get_trace_request(trace.id).status == TraceStatus.CANCELLED
    assert bluezone_live.cancel_trace_request(trace.id, idempotency_key="cancel-1") == cancelled


def test_cancelling_a_completed_or_expired_trace_is_409_not_cancellable(
    bluezone_live, registered_f0
):
    done = open_trace(bluezone_live, key="k-done")
    scenario.enter_code(F0, done.verification_code)
    old = open_trace(bluezone_live, key="k-expired")
    scenario.expire_code(old.id)

    for trace in (done, old):
        with pytest.raises(BluezoneConflict) as error:
            bluezone_live.cancel_trace_request(trace.id, idempotency_key=f"cancel-{trace.id}")
        assert error.value.code == "not_cancellable"


def test_contacts_before_completion_are_409_not_completed(bluezone_live, registered_f0):
    trace = open_trace(bluezone_live)

    with pytest.raises(BluezoneConflict) as error:
        bluezone_live.list_contacts(trace.id)

    assert error.value.code == "not_completed"


def test_contacts_pages_cover_every_contact_once_and_are_stable(bluezone_live, registered_f0):
    trace = open_trace(bluezone_live)
    scenario.enter_code(F0, trace.verification_code)

    first = list(bluezone_live.iter_contacts(trace.id, page_size=7))
    second = list(bluezone_live.iter_contacts(trace.id, page_size=7))
    ids = [c.contact_id for page in first for c in page.contacts]

    assert len(first) > 2
    assert all(len(page.contacts) == 7 for page in first[:-1])
    assert first[-1].next_cursor is None
    assert len(ids) == len(set(ids)) == bluezone_live.get_trace_request(trace.id).contacts_count
    assert first == second


def test_contact_shape_and_sightings_within_the_window(bluezone_live, live_server, registered_f0):
    trace = open_trace(bluezone_live, window_days=14)
    scenario.enter_code(F0, trace.verification_code)
    uploaded_at = bluezone_live.get_trace_request(trace.id).uploaded_at

    body = raw(live_server, "GET", f"/v1/trace-requests/{trace.id}/contacts?limit=3").json()
    contacts = [c for page in bluezone_live.iter_contacts(trace.id) for c in page.contacts]

    assert set(body) == {"contacts", "next_cursor"}
    assert set(body["contacts"][0]) == {"contact_id", "msisdn", "province_code", "sightings"}
    assert body["contacts"][0]["sightings"][0]["t"].endswith("+07:00")
    for contact in contacts:
        times = [s.t for s in contact.sightings]
        assert times == sorted(times)
        assert uploaded_at - timedelta(days=14) < times[0] and times[-1] <= uploaded_at
        assert all(-100 <= s.rssi <= -40 for s in contact.sightings)


def test_install_stats_before_launch_or_in_the_future_are_none(bluezone_live, live_server):
    assert bluezone_live.install_stats(date(2020, 4, 17)) is None
    assert bluezone_live.install_stats(timezone.localdate() + timedelta(days=2)) is None
    response = raw(live_server, "GET", "/v1/stats/installs?date=2020-04-17")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "no_data"


def test_install_stats_on_20_aug_2020_match_the_published_ranking(bluezone_live):
    stats = bluezone_live.install_stats(date(2020, 8, 20))
    population = _populations()

    assert isinstance(stats, InstallStats)
    assert stats.date == date(2020, 8, 20)
    assert len(stats.provinces) == 63
    assert abs(sum(p.installs for p in stats.provinces) - 19_400_000) < 1_000
    rates = {p.province_code: p.installs / population[p.province_code] for p in stats.provinces}
    ranked = sorted(rates, key=rates.get, reverse=True)
    assert ranked[:6] == ["48", "01", "22", "79", "27", "30"]
    assert [round(rates[c] * 100, 1) for c in ranked[:5]] == [37.3, 29.0, 27.2, 25.5, 22.0]
    assert round(rates["30"] * 100, 2) == 21.52
    hai_duong = next(p for p in stats.provinces if p.province_code == "30")
    assert hai_duong.installs == 407_213


def test_install_stats_on_19_jun_2021_give_hai_duong_49_26_percent_of_smartphones(bluezone_live):
    stats = bluezone_live.install_stats(date(2021, 6, 19))
    hai_duong = next(p for p in stats.provinces if p.province_code == "30")

    assert hai_duong.installs_with_phone == 688_900
    assert round(hai_duong.installs_with_phone / hai_duong.smartphone_users * 100, 2) == 49.26
    known = [p for p in stats.provinces if p.smartphone_users is not None]
    assert 20 <= len(known) <= 45
    for p in stats.provinces:
        assert 0.5 < p.installs_with_phone / p.installs < 0.7


def _populations() -> dict[str, int]:
    import csv

    from tracing_portal.bluezone.sandbox.installs import DATA_FILE

    with DATA_FILE.open(encoding="utf-8") as f:
        table = {r["gso_code"]: int(r["population_2019"]) for r in csv.DictReader(f)}
    assert {code: table[code] for code in POPULATION_2019} == POPULATION_2019
    return table
