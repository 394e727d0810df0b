import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from tracing_portal.core.exceptions import ApplicationError
from tracing_portal.stats.models import InstallSnapshot, SnapshotSource
from tracing_portal.stats.services import snapshot_upsert_many
from tracing_portal.stats.types import SnapshotRow

from .conftest import DAY, HD, HN
from .factories import InstallSnapshotFactory


def figures():
    return {
        (s.province_id, s.date): (s.installs, s.installs_with_phone, s.smartphone_users, s.source)
        for s in InstallSnapshot.objects.all()
    }


def test_upsert_saves_one_row_per_province(db):
    saved = snapshot_upsert_many(
        on=DAY,
        rows=[SnapshotRow(HD, 688_900, 400_000, 1_398_500), SnapshotRow(HN, 2_334_000, 1_000_000)],
        source=SnapshotSource.BLUEZONE_API,
    )
    assert saved == 2
    assert figures() == {
        (HD, DAY): (688_900, 400_000, 1_398_500, "bluezone_api"),
        (HN, DAY): (2_334_000, 1_000_000, None, "bluezone_api"),
    }


def test_upsert_replaces_the_days_earlier_figures(db):
    snapshot_upsert_many(on=DAY, rows=[SnapshotRow(HD, 100, 50)], source="bluezone_api")
    snapshot_upsert_many(on=DAY, rows=[SnapshotRow(HD, 120, 60, 900)], source="import")
    assert figures() == {(HD, DAY): (120, 60, 900, "import")}


def test_unknown_province_codes_are_listed_and_nothing_is_saved(db):
    with pytest.raises(ApplicationError) as exc:
        snapshot_upsert_many(
            on=DAY,
            rows=[SnapshotRow(HD, 100, 50), SnapshotRow("99", 1, 0), SnapshotRow("00", 1, 0)],
            source="import",
        )
    assert "00, 99" in exc.value.message
    assert exc.value.extra["unknown_codes"] == ["00", "99"]
    assert not InstallSnapshot.objects.exists()


def test_more_installs_with_phone_than_installs_is_refused_and_nothing_saved(db):
    with pytest.raises(ApplicationError) as exc:
        snapshot_upsert_many(
            on=DAY, rows=[SnapshotRow(HN, 100, 50), SnapshotRow(HD, 100, 101)], source="import"
        )
    assert HD in exc.value.message
    assert not InstallSnapshot.objects.exists()


def test_negative_installs_are_refused(db):
    with pytest.raises(ApplicationError):
        snapshot_upsert_many(on=DAY, rows=[SnapshotRow(HD, -1, 0)], source="import")
    assert not InstallSnapshot.objects.exists()


def test_figures_that_are_not_whole_numbers_are_refused(db):
    with translation.override("en"), pytest.raises(ApplicationError) as exc:
        snapshot_upsert_many(
            on=DAY, rows=[SnapshotRow(HD, 10.5, 0), SnapshotRow(HN, 10, 5, -1)], source="import"
        )
    assert exc.value.extra["problems"] == [
        "30 on 2021-06-19: installs must be a whole number of zero or more.",
        "01 on 2021-06-19: smartphone_users must be a whole number of zero or more.",
    ]
    assert not InstallSnapshot.objects.exists()


def test_a_province_twice_in_one_day_is_refused(db):
    with translation.override("en"), pytest.raises(ApplicationError) as exc:
        snapshot_upsert_many(
            on=DAY, rows=[SnapshotRow(HD, 1, 0), SnapshotRow(HD, 2, 0)], source="import"
        )
    assert exc.value.extra["problems"] == ["30 on 2021-06-19 appears twice."]
    assert not InstallSnapshot.objects.exists()


def test_database_refuses_a_second_row_for_the_same_province_and_day(db):
    InstallSnapshotFactory(province_id=HD, date=DAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        InstallSnapshot.objects.create(
            province_id=HD, date=DAY, installs=1, installs_with_phone=0, source="import"
        )


def test_database_refuses_more_installs_with_phone_than_installs(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        InstallSnapshot.objects.create(
            province_id=HD, date=DAY, installs=1, installs_with_phone=2, source="import"
        )
