"""The dashboard's people per day (PostgreSQL): the triggers keep PeopleDay equal to the
people themselves through every kind of write, and compaction changes no sum."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.utils import timezone

from tests.cases.factories import CaseFactory
from tracing_portal.accounts.roles import Role
from tracing_portal.cases.models import Case
from tracing_portal.cases.services import case_create, case_merge, case_relevel, case_verify
from tracing_portal.geo.models import Province
from tracing_portal.stats import tracing_figures as tf
from tracing_portal.stats.models import PeopleDay
from tracing_portal.stats.services import people_days_compact

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PeopleDay is kept by PostgreSQL triggers"
)

HD, HN = "30", "01"
PERIOD = tf.TracingRange(date_from=dt.date(2021, 7, 1), date_to=timezone.localdate())


def both_ways(actor, province=None):
    """The level counts from PeopleDay and from the people, side by side."""
    now = timezone.now()
    people = tf._people(actor=actor, province=province).filter(**PERIOD.lookups("created_at"))
    days = tf._in_view(
        PeopleDay.objects.filter(day__gte=PERIOD.date_from, day__lte=PERIOD.date_to),
        actor=actor,
        province=province,
    )
    return tf._counts_from_days(people, days, now), tf._counts_from_people(people, now)


def assert_same(actor, province=None):
    from_days, from_people = both_ways(actor, province)
    assert from_days == from_people
    return from_people


def test_every_kind_of_write_keeps_the_counts_equal(make_user):
    cdc = make_user(Role.CDC, HD)
    national = make_user(Role.NATIONAL_ADMIN, None)
    # A service, and rows written straight to the table (as an import's COPY does).
    f0 = case_create(actor=cdc, full_name="Nguyễn Văn An", f0_status="confirmed").case
    f1 = case_create(actor=cdc, full_name="Trần Thị Bình", source=f0).case
    Case.objects.bulk_create(
        [CaseFactory.build(province_id=HD, level=0, entered_by=cdc) for _ in range(5)]
        + [CaseFactory.build(province_id=HN, level=0, entered_by=cdc) for _ in range(3)]
    )
    duplicate = case_create(actor=cdc, full_name="Trần Thị Bình", source=f0).case
    assert_same(cdc)
    # Changes of status, verification, level and Bluezone status, one row and many.
    case_verify(actor=cdc, case=f1)
    case_relevel(actor=cdc, case=Case.objects.get(pk=f1.pk), to="f0")
    Case.objects.filter(province_id=HD, level=0).update(bluezone_status="installed")
    Case.objects.filter(province_id=HN).update(status="negative")
    counts = assert_same(cdc)
    assert counts[0]["bluezone_installed"] == counts[0]["total"]
    # A merge takes the duplicate out; a deletion takes people out.
    case_merge(actor=cdc, keep=Case.objects.get(pk=f1.pk), remove=duplicate)
    Case.objects.filter(province_id=HN, level=0)[:1].get().delete()
    assert_same(cdc)
    assert_same(national)
    assert_same(national, province=Province.objects.get(pk=HN))
    rows_before = PeopleDay.objects.count()
    assert people_days_compact() > 0
    assert PeopleDay.objects.count() < rows_before
    assert_same(cdc)
    assert_same(national)
    assert people_days_compact() == 0  # nothing left to fold


def test_a_day_is_a_day_of_hanoi_time(make_user):
    cdc = make_user(Role.CDC, HD)
    person = CaseFactory(province_id=HD, entered_by=cdc)
    # 31/07 17:30 UTC is 01/08 00:30 in Hà Nội.
    Case.objects.filter(pk=person.pk).update(
        created_at=dt.datetime(2021, 7, 31, 17, 30, tzinfo=dt.UTC)
    )
    people_days_compact()
    assert list(PeopleDay.objects.values_list("day", "people")) == [(dt.date(2021, 8, 1), 1)]


def test_a_rolled_back_write_leaves_no_count(make_user):
    cdc = make_user(Role.CDC, HD)
    with pytest.raises(RuntimeError), transaction.atomic():
        CaseFactory(province_id=HD, entered_by=cdc)
        raise RuntimeError
    assert not PeopleDay.objects.exists()
