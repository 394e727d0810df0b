import datetime as dt

import pytest
from django.utils import timezone

from tests.cases.factories import CaseFactory
from tests.factories import UserFactory
from tests.notifications.factories import SmsMessageFactory
from tracing_portal.geo.models import Province
from tracing_portal.stats.services import snapshot_upsert_many
from tracing_portal.stats.types import SnapshotRow

from .factories import InstallAskFactory, TracedContactFactory, TraceRequestFactory

# Hà Nội, Hải Dương, Đà Nẵng, TP Hồ Chí Minh: hand-computed examples use these four.
HN, HD, DN, HCM = "01", "30", "48", "79"
DAY = dt.date(2021, 6, 19)

# installs, installs with phone, smartphone users (populations are 1,000,000 each)
ON_DAY = {
    HN: (300_000, 150_000, 500_000),  # 30% of population; 30% of smartphone users
    HD: (200_000, 100_000, 400_000),  # 20%; 25%
    DN: (200_000, 100_000, None),  # 20% (tie with HD); no smartphone figure
    HCM: (100_000, 50_000, 100_000),  # 10%; 50%
}


@pytest.fixture
def round_populations(db):
    """Give the four example provinces a population of exactly 1,000,000."""
    Province.objects.filter(code__in=[HN, HD, DN, HCM]).update(population_2019=1_000_000)


@pytest.fixture
def put_day(db):
    """put_day(day, {code: (installs, with_phone, smartphone_users)}) saves one day."""

    def put(day, figures):
        rows = [SnapshotRow(code, *values) for code, values in figures.items()]
        snapshot_upsert_many(on=day, rows=rows, source="import")

    return put


@pytest.fixture
def day(round_populations, put_day):
    """The four example provinces on DAY (see ON_DAY)."""
    put_day(DAY, ON_DAY)


@pytest.fixture
def every_province_days(db):
    """every_province_days(n): n days (ending on DAY) of figures for all 63 provinces."""

    def make(n, *, last=DAY):
        populations = dict(Province.objects.values_list("code", "population_2019"))
        for offset in range(n):
            day = last - dt.timedelta(days=n - 1 - offset)
            rows = [
                SnapshotRow(
                    code,
                    installs=population * (10 + (i * 7 + offset) % 30) // 100,
                    installs_with_phone=population * (5 + (i + offset) % 5) // 100,
                    smartphone_users=population // 2 if i % 3 else None,
                )
                for i, (code, population) in enumerate(sorted(populations.items()))
            ]
            snapshot_upsert_many(on=day, rows=rows, source="import")

    return make


@pytest.fixture
def tracing_data(db):
    """tracing_data(n, province=HD): n of each record the tracing figures count, from the
    last few hours (inside the dashboard's default range): a verified F0 with Bluezone, its
    pending F1 asked to install, a completed trace with an accepted and a pending
    candidate, and a delivered SMS."""

    def make(n, *, province=HD):
        now = timezone.now()

        def hours(h):
            return now - dt.timedelta(hours=h)

        user = UserFactory(province_id=province)
        for _i in range(n):
            f0 = CaseFactory(
                province_id=province,
                entered_by=user,
                created_at=hours(6),
                verification="verified",
                verified_at=hours(5),
                bluezone_status="installed",
                bluezone_checked_at=hours(5),
            )
            f1 = CaseFactory(
                province_id=province,
                entered_by=user,
                level=1,
                source=f0,
                created_at=hours(4),
                bluezone_status="installed",
                bluezone_checked_at=hours(1),
            )
            InstallAskFactory(case=f1, asked_at=hours(3))
            trace = TraceRequestFactory(case=f0, created_at=hours(2))
            TracedContactFactory(trace=trace, review="accepted")
            TracedContactFactory(trace=trace)
            SmsMessageFactory(
                case=f1,
                created_by=user,
                status="delivered",
                queued_at=hours(1),
                sent_at=hours(1),
            )

    return make
