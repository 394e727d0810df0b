"""The client against the sandbox in-process (BLUEZONE_SANDBOX_TRANSPORT="wsgi").

Validation and edge cases of the contract; the main paths also run over real HTTP in
test_client_contract.py.
"""

from datetime import date, timedelta

import pytest

from tracing_portal.bluezone.client import (
    BluezoneBadRequest,
    BluezoneNotFound,
    TraceStatus,
    get_client,
)
from tracing_portal.bluezone.sandbox import scenario
from tracing_portal.bluezone.sandbox.models import SandboxTraceRequest
from tracing_portal.bluezone.sandbox.population import synthetic_subscriber

from .conftest import F0

CALLBACK = "http://127.0.0.1:9/bluezone/webhook"
AUTH = {"HTTP_AUTHORIZATION": "Bearer sandbox-key"}


def api(client, method, path, **kwargs):
    return getattr(client, method)(f"/bluezone-sandbox{path}", **AUTH, **kwargs)


def test_in_process_client_needs_no_server(bluezone_inprocess, registered_f0):
    trace = bluezone_inprocess.create_trace_request(
        msisdn=F0, case_ref="HD-1", callback_url=CALLBACK, idempotency_key="k"
    )

    assert SandboxTraceRequest.objects.get(pk=trace.id).status == "code_issued"
    assert bluezone_inprocess.base_url == "http://testserver/bluezone-sandbox"


def test_get_client_builds_the_sandbox_url_from_site_url(settings):
    settings.BLUEZONE_API_URL = ""
    settings.SITE_URL = "http://portal.example:8123/"

    with get_client() as client:
        assert client.base_url == "http://portal.example:8123/bluezone-sandbox"

    settings.BLUEZONE_API_URL = "https://bluezone.example/api/"
    with get_client() as client:
        assert client.base_url == "https://bluezone.example/api"


def test_synthetic_population_answers_for_numbers_nobody_registered(bluezone_inprocess):
    number = next(f"8498{n:07d}" for n in range(1000) if synthetic_subscriber(2020, f"8498{n:07d}"))

    subscriber = bluezone_inprocess.get_subscriber(number)

    assert subscriber is not None
    assert subscriber.msisdn == number
    assert subscriber.registered_at.utcoffset() == timedelta(hours=7)


def test_malformed_msisdn_is_a_bad_request(bluezone_inprocess, client):
    with pytest.raises(BluezoneBadRequest) as error:
        bluezone_inprocess.get_subscriber("0912345678")

    assert error.value.code == "invalid_msisdn"
    assert api(client, "get", "/v1/subscribers/849123").status_code == 400


GOOD = {"msisdn": F0, "case_ref": "HD-1", "callback_url": CALLBACK}


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"msisdn": None}, "invalid_msisdn"),
        ({"msisdn": "+84912345678"}, "invalid_msisdn"),
        ({"case_ref": None}, "invalid_request"),
        ({"callback_url": None}, "invalid_request"),
        ({"callback_url": "not a url"}, "invalid_request"),
        ({"window_days": 30}, "invalid_request"),
        ({"window_days": "14"}, "invalid_request"),
    ],
)
def test_create_with_a_bad_body_is_400(bluezone_inprocess, client, registered_f0, changes, code):
    body = {k: v for k, v in (GOOD | changes).items() if v is not None}
    response = api(client, "post", "/v1/trace-requests", data=body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert not SandboxTraceRequest.objects.exists()


def test_create_with_invalid_json_is_400(db, client, bluezone_fast):
    response = api(
        client, "post", "/v1/trace-requests", data=b"{nope", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"


def test_wrong_method_is_405_with_the_error_shape(db, client, bluezone_fast):
    response = api(client, "delete", "/v1/trace-requests")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_client_retry_with_the_same_key_gets_the_same_trace(bluezone_inprocess, registered_f0):
    def create():
        return bluezone_inprocess.create_trace_request(
            msisdn=F0, case_ref="HD-1", callback_url=CALLBACK, idempotency_key="case-1-open"
        )

    assert create() == create()
    assert SandboxTraceRequest.objects.count() == 1


def test_post_without_an_idempotency_key_is_refused_by_the_client(bluezone_inprocess):
    with pytest.raises(ValueError, match="idempotency_key"):
        bluezone_inprocess.cancel_trace_request("tr_x", idempotency_key="")


def test_unknown_trace_request_is_not_found(bluezone_inprocess):
    with pytest.raises(BluezoneNotFound) as error:
        bluezone_inprocess.get_trace_request("tr_doesnotexist")

    assert error.value.code == "not_found"


def test_completed_trace_counts_match_its_contacts(bluezone_inprocess, registered_f0):
    trace = bluezone_inprocess.create_trace_request(
        msisdn=F0, case_ref="HD-1", callback_url=CALLBACK, idempotency_key="k"
    )
    scenario.enter_code(F0, trace.verification_code)

    done = bluezone_inprocess.get_trace_request(trace.id)
    contacts = [c for page in bluezone_inprocess.iter_contacts(trace.id) for c in page.contacts]

    assert done.status == TraceStatus.COMPLETED
    assert done.uploaded_at <= done.completed_at
    assert done.contacts_count == len(contacts) > 0
    assert done.sightings_count == sum(len(c.sightings) for c in contacts)


def test_bad_cursor_or_limit_is_400(bluezone_inprocess, client, registered_f0):
    trace = bluezone_inprocess.create_trace_request(
        msisdn=F0, case_ref="HD-1", callback_url=CALLBACK, idempotency_key="k"
    )
    scenario.enter_code(F0, trace.verification_code)

    with pytest.raises(BluezoneBadRequest) as error:
        bluezone_inprocess.list_contacts(trace.id, cursor="garbage!")
    assert error.value.code == "invalid_cursor"
    assert api(client, "get", f"/v1/trace-requests/{trace.id}/contacts?limit=0").status_code == 400


def test_limit_above_500_is_capped(bluezone_inprocess, client, settings, registered_f0):
    trace = bluezone_inprocess.create_trace_request(
        msisdn=F0, case_ref="HD-1", callback_url=CALLBACK, idempotency_key="k"
    )
    scenario.enter_code(F0, trace.verification_code)
    total = bluezone_inprocess.get_trace_request(trace.id).contacts_count

    body = api(client, "get", f"/v1/trace-requests/{trace.id}/contacts?limit=9999").json()

    assert len(body["contacts"]) == min(total, 500)


def test_install_stats_bad_date_is_400(db, client, bluezone_fast):
    for value in ("20-8-2020", "2020-02-30", ""):
        response = api(client, "get", f"/v1/stats/installs?date={value}")
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_date"


def test_install_stats_on_launch_day_exist(bluezone_inprocess):
    stats = bluezone_inprocess.install_stats(date(2020, 4, 18))

    assert abs(sum(p.installs for p in stats.provinces) - 200_000) < 100


def test_national_total_follows_the_published_curve(bluezone_inprocess):
    for day, total in [
        (date(2020, 8, 10), 10_000_000),
        (date(2020, 8, 20), 19_400_000),
        (date(2021, 3, 2), 30_000_000),
        (date(2021, 6, 26), 38_000_000),
    ]:
        stats = bluezone_inprocess.install_stats(day)
        assert abs(sum(p.installs for p in stats.provinces) - total) < 100
    later = bluezone_inprocess.install_stats(date(2022, 6, 26))
    assert 38_000_000 < sum(p.installs for p in later.provinces) <= 42_000_100


def test_install_stats_are_deterministic_for_a_seed(bluezone_inprocess, settings):
    first = bluezone_inprocess.install_stats(date(2020, 10, 1))
    assert bluezone_inprocess.install_stats(date(2020, 10, 1)) == first

    settings.BLUEZONE_SANDBOX_SEED = 7
    assert bluezone_inprocess.install_stats(date(2020, 10, 1)) != first
    calibrated = bluezone_inprocess.install_stats(date(2020, 8, 20))
    hai_duong = next(p for p in calibrated.provinces if p.province_code == "30")
    assert hai_duong.installs == 407_213
