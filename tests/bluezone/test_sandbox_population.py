"""The synthetic subscribers: about 25% of numbers, 60% of them with a verified phone."""

import io
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tracing_portal.bluezone.sandbox import scenario
from tracing_portal.bluezone.sandbox.models import SandboxMeeting, SandboxSubscriber
from tracing_portal.bluezone.sandbox.population import find_subscriber, synthetic_subscriber

from .conftest import F0, OTHER

NUMBERS = [f"849{n:08d}" for n in random.Random(1).sample(range(10**8), 4000)]


def test_about_a_quarter_of_numbers_have_bluezone_and_60_percent_of_those_a_verified_phone():
    subscribers = [s for s in (synthetic_subscriber(2020, n) for n in NUMBERS) if s]

    assert 0.22 < len(subscribers) / len(NUMBERS) < 0.28
    verified = sum(s.phone_verified for s in subscribers) / len(subscribers)
    assert 0.55 < verified < 0.65
    assert {s.os for s in subscribers} == {"android", "ios"}
    assert len({s.province_code for s in subscribers}) > 40
    assert all(s.registered_at <= s.last_active_at for s in subscribers)


def test_population_is_deterministic_for_a_seed_and_differs_between_seeds():
    first = [synthetic_subscriber(2020, n) for n in NUMBERS[:300]]

    assert [synthetic_subscriber(2020, n) for n in NUMBERS[:300]] == first
    assert [synthetic_subscriber(99, n) for n in NUMBERS[:300]] != first


def test_scenario_rows_win_over_the_synthetic_population(db):
    unregistered = next(n for n in NUMBERS if synthetic_subscriber(2020, n) is None)
    registered = next(n for n in NUMBERS if synthetic_subscriber(2020, n) is not None)

    scenario.register(unregistered, province_code="30", phone_verified=False)
    scenario.unregister(registered)

    subscriber = find_subscriber(unregistered)
    assert (subscriber.province_code, subscriber.phone_verified) == ("30", False)
    assert find_subscriber(registered) is None


def test_register_and_meet_are_idempotent(db):
    for _ in range(2):
        scenario.register(F0, province_code="30")
        scenario.meet(F0, OTHER, minutes=40, rssi=-60)

    assert SandboxSubscriber.objects.filter(msisdn__in=[F0, OTHER]).count() == 2
    assert SandboxMeeting.objects.count() == 1


def test_scenario_command_registers_and_records_meetings(db):
    out = io.StringIO()
    call_command(
        "bluezone_sandbox_scenario",
        "--register", F0, "--province", "30",
        "--meet", F0, OTHER, "--minutes", "25", "--rssi", "-62",
        stdout=out,
    )  # fmt: skip

    assert find_subscriber(F0).province_code == "30"
    meeting = SandboxMeeting.objects.get()
    assert (meeting.msisdn_a, meeting.msisdn_b, meeting.minutes, meeting.rssi) == (
        F0,
        OTHER,
        25,
        -62,
    )
    assert find_subscriber(OTHER).phone_verified
    assert f"{F0} met {OTHER}" in out.getvalue()


def test_scenario_command_refuses_a_malformed_number(db):
    with pytest.raises(CommandError, match="MSISDN"):
        call_command("bluezone_sandbox_scenario", "--register", "0912345678")
