"""Generated contacts: deterministic, realistic, and including the scenario's meetings."""

import random
import re
import statistics
from datetime import timedelta

import pytest

from tracing_portal.bluezone.client import TraceStatus
from tracing_portal.bluezone.sandbox import scenario
from tracing_portal.bluezone.sandbox.contacts import contact_count, generate
from tracing_portal.bluezone.sandbox.population import find_subscriber

from .conftest import F0, OTHER

MOBILE = re.compile(r"^84(9\d|8\d|3\d|7\d|5\d)\d{7}$")


def trace_and_collect(client, msisdn, *, key, window_days=14):
    trace = client.create_trace_request(
        msisdn=msisdn,
        case_ref="HD-1",
        callback_url="http://127.0.0.1:9/hook",
        window_days=window_days,
        idempotency_key=key,
    )
    scenario.enter_code(msisdn, trace.verification_code)
    done = client.get_trace_request(trace.id)
    assert done.status == TraceStatus.COMPLETED
    contacts = [c for page in client.iter_contacts(trace.id, page_size=50) for c in page.contacts]
    return done, contacts


def relative(done, contacts):
    """The contacts with times as seconds before the upload, to compare two uploads."""
    return [
        (
            c.contact_id,
            c.msisdn,
            c.province_code,
            [(int((done.uploaded_at - s.t).total_seconds()), s.rssi) for s in c.sightings],
        )
        for c in contacts
    ]


def test_same_f0_and_seed_gives_the_same_contacts_on_every_trace(bluezone_inprocess, registered_f0):
    first_done, first = trace_and_collect(bluezone_inprocess, F0, key="a")
    second_done, second = trace_and_collect(bluezone_inprocess, F0, key="b")

    assert first_done.id != second_done.id
    assert relative(first_done, first) == relative(second_done, second)


def test_different_f0_or_seed_gives_different_contacts(db):
    base = generate(2020, F0, "30", 14)

    assert generate(2020, OTHER, "30", 14) != base
    assert generate(2021, F0, "30", 14) != base
    assert generate(2020, F0, "30", 14) == base


def test_contacts_look_like_a_real_history(db):
    contacts = [c for n in range(20) for c in generate(2020, f"8491{n:07d}", "30", 14)]
    counts = [
        contact_count(random.Random(f"bluezone-sandbox:contacts:2020:8491{n:07d}"))
        for n in range(1000)
    ]

    assert 25 <= statistics.median(counts) <= 70
    assert sum(10 <= n <= 120 for n in counts) / len(counts) > 0.8
    assert max(counts) <= 400 and max(counts) > 150
    assert [len(generate(2020, f"8491{n:07d}", "30", 14)) for n in range(5)] == counts[:5]
    no_phone = sum(c.msisdn is None for c in contacts) / len(contacts)
    assert 0.2 < no_phone < 0.4
    assert all(MOBILE.match(c.msisdn) for c in contacts if c.msisdn)
    in_province = sum(c.province_code == "30" for c in contacts if c.msisdn) / len(contacts)
    assert in_province > 0.4
    near_long = [c for c in contacts if _near_minutes(c) >= 15]
    far = [c for c in contacts if max(r for _t, r in c.sightings) <= -80]
    assert 0.08 < len(near_long) / len(contacts) < 0.3
    assert len(far) > len(near_long)
    for contact in contacts:
        times = [t for t, _r in contact.sightings]
        assert times == sorted(times, reverse=True)  # seconds before upload: oldest first
        assert 0 <= times[-1] and times[0] < 14 * 86400
        gaps = [a - b for a, b in zip(times, times[1:], strict=False)]
        assert all(g >= 5 for g in gaps)


def _near_minutes(contact) -> float:
    near = [t for t, rssi in contact.sightings if rssi >= -70]
    return len(near) * 12.5 / 60


def test_contacts_with_a_phone_are_bluezone_users_with_a_verified_phone(db):
    contacts = generate(2020, F0, "30", 14)

    for contact in contacts:
        if contact.msisdn:
            subscriber = find_subscriber(contact.msisdn)
            assert subscriber is not None and subscriber.phone_verified
            assert subscriber.province_code == contact.province_code


def test_shorter_window_keeps_only_recent_sightings(bluezone_inprocess, registered_f0):
    done, contacts = trace_and_collect(bluezone_inprocess, F0, key="w", window_days=3)

    assert contacts
    oldest = min(s.t for c in contacts for s in c.sightings)
    assert done.uploaded_at - oldest < timedelta(days=3)


def test_a_scenario_meeting_makes_the_other_a_near_long_contact(bluezone_inprocess, registered_f0):
    scenario.meet(F0, OTHER, minutes=40, rssi=-60)

    _done, contacts = trace_and_collect(bluezone_inprocess, F0, key="m")

    met = [c for c in contacts if c.msisdn == OTHER]
    assert len(met) == 1
    sightings = met[0].sightings
    assert all(-62 <= s.rssi <= -58 for s in sightings)
    span = sightings[-1].t - sightings[0].t
    assert timedelta(minutes=39) <= span <= timedelta(minutes=40)
    gaps = [(b.t - a.t).total_seconds() for a, b in zip(sightings, sightings[1:], strict=False)]
    assert all(5 <= g <= 20 for g in gaps)


def test_a_meeting_counts_both_ways_and_registers_both(bluezone_inprocess, registered_f0):
    scenario.meet(F0, OTHER, minutes=30, rssi=-65, days_ago=2)

    assert bluezone_inprocess.get_subscriber(OTHER).phone_verified
    _done, contacts = trace_and_collect(bluezone_inprocess, OTHER, key="o")
    assert F0 in {c.msisdn for c in contacts}


def test_a_meeting_recorded_after_the_upload_does_not_change_the_contacts(
    bluezone_inprocess, registered_f0
):
    done, before = trace_and_collect(bluezone_inprocess, F0, key="x")
    scenario.meet(F0, OTHER)

    after = [c for page in bluezone_inprocess.iter_contacts(done.id) for c in page.contacts]

    assert after == before


@pytest.mark.parametrize("province", ["30", "06"])
def test_contacts_are_generated_quickly(db, province):
    import time

    started = time.monotonic()
    generate(2020, "84977000001", province, 14)

    assert time.monotonic() - started < 1.0
