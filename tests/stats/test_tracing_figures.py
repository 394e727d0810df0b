"""The dashboard's tracing figures, each checked on data counted by hand.

Every test builds its own people, traces, asks and messages in a fixed range of days
(1–10 August 2020, Asia/Ho_Chi_Minh) and reads the figures through the selectors of
`tracing_portal.stats.tracing_figures`; the page and CSV tests go through the views.
"""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from tests.cases.factories import CaseFactory
from tests.factories import UserFactory
from tests.notifications.factories import SmsMessageFactory
from tracing_portal.accounts.roles import Role
from tracing_portal.cases.models import Case
from tracing_portal.geo.models import Province
from tracing_portal.stats import charts
from tracing_portal.stats import tracing_figures as tf
from tracing_portal.stats.templatetags.stats_format import duration
from tracing_portal.stats.tracing_figures import TracingRange
from tracing_portal.stats.views import tracing_period

from .conftest import HD, HN
from .factories import InstallAskFactory, TracedContactFactory, TraceRequestFactory

PERIOD = TracingRange(date_from=dt.date(2020, 8, 1), date_to=dt.date(2020, 8, 10))
H = dt.timedelta(hours=1)


def local(day, hour=0, minute=0, second=0):
    """An aware time in Asia/Ho_Chi_Minh, the portal's time zone."""
    return timezone.make_aware(dt.datetime(2020, 8, day, hour, minute, second))


NOW = local(10, 12)  # the backlog's ages are measured to this moment
INSIDE = local(5, 9)
BEFORE = local(1) - dt.timedelta(seconds=1)


@pytest.fixture
def user(db):
    return UserFactory(province_id=HD)


@pytest.fixture
def person(user):
    """person(level=0, province=HD, at=INSIDE, **fields): a person entered at `at`."""

    def make(level=0, *, province=HD, at=INSIDE, **fields):
        return CaseFactory(
            level=level, province_id=province, entered_by=user, created_at=at, **fields
        )

    return make


@pytest.fixture
def hd_official(make_user):
    return make_user(Role.OFFICIAL, HD)


@pytest.fixture
def hd_province(db):
    return Province.objects.get(code=HD)


def scope(actor, province, **extra):
    return {"actor": actor, "province": province, "period": PERIOD, **extra}


# --- people by level and status -------------------------------------------------------


def test_people_by_level_and_status_counts_each_cell(person, hd_official, hd_province):
    for _i in range(2):
        person(0)
    person(0, f0_status="suspected")
    person(0, status="recovered")
    for _i in range(3):
        person(1)
    person(1, status="negative")
    person(2, status="released")
    person(4)
    # Not counted: entered before the range, merged into another record, in Hà Nội.
    person(0, at=BEFORE)
    keep = person(1)
    person(1, merged_into=keep)
    person(0, province=HN)

    people = tf.people_figures(**scope(hd_official, hd_province, now=NOW))

    assert [row.label for row in people.levels] == ["F0", "F1", "F2", "F4"]
    f0, f1, f2, f4 = people.levels
    assert f0.by_status == {
        "active": 3,
        "negative": 0,
        "recovered": 1,
        "deceased": 0,
        "released": 0,
    }
    assert (f0.total, f0.confirmed, f0.suspected) == (4, 3, 1)
    assert (f1.by_status["active"], f1.by_status["negative"], f1.total) == (4, 1, 5)
    assert (f2.by_status["released"], f2.total) == (1, 1)
    assert f4.total == 1
    assert people.total.total == 11
    assert people.total.status_counts == [8, 1, 1, 0, 1]


def test_f0_f1_f2_rows_are_listed_even_when_empty(hd_official, hd_province):
    people = tf.people_figures(**scope(hd_official, hd_province))
    assert [(row.label, row.total) for row in people.levels] == [("F0", 0), ("F1", 0), ("F2", 0)]
    assert people.total.oldest_pending is None


# --- the verification backlog ---------------------------------------------------------


def test_backlog_counts_the_pending_by_age_and_finds_the_oldest(person, hd_official, hd_province):
    person(0, at=NOW - 2 * H)  # under 1 day
    person(0, at=NOW - 24 * H)  # exactly 1 day: 1 to 3 days
    person(1, at=NOW - 72 * H)  # exactly 3 days: 1 to 3 days
    person(1, at=NOW - 72 * H - dt.timedelta(minutes=1))  # over 3 days
    oldest = person(2, at=NOW - 120 * H)  # over 3 days
    # Not pending: verified or rejected; not in view: Hà Nội.
    person(0, at=NOW - 100 * H, verification="verified", verified_at=NOW)
    person(1, at=NOW - 100 * H, verification="rejected")
    person(0, at=NOW - 200 * H, province=HN)

    people = tf.people_figures(**scope(hd_official, hd_province, now=NOW))

    total = people.total
    assert (
        total.pending,
        total.by_verification["verified"],
        total.by_verification["rejected"],
    ) == (
        5,
        1,
        1,
    )
    assert (total.pending_under_1_day, total.pending_1_to_3_days, total.pending_over_3_days) == (
        1,
        2,
        2,
    )
    assert total.oldest_pending == oldest.created_at
    f0, f1, f2 = people.levels
    assert (f0.pending, f0.pending_under_1_day, f0.pending_1_to_3_days) == (2, 1, 1)
    assert (f1.pending, f1.pending_1_to_3_days, f1.pending_over_3_days) == (2, 1, 1)
    assert (f2.pending, f2.pending_over_3_days, f2.oldest_pending) == (1, 1, oldest.created_at)


# --- Bluezone coverage among traced people ----------------------------------------------


def test_bluezone_coverage_by_level(person, hd_official, hd_province):
    for status in ["installed", "installed", "not_installed"]:
        person(0, bluezone_status=status)
    for status in ["installed", "unknown", "unknown", "unknown"]:
        person(1, bluezone_status=status)
    person(1, bluezone_status="installed", province=HN)

    people = tf.people_figures(**scope(hd_official, hd_province))

    f0, f1, _f2 = people.levels
    assert f0.by_bluezone == {"installed": 2, "not_installed": 1, "unknown": 0}
    assert f0.coverage == pytest.approx(2 / 3)
    assert f1.bluezone_counts == [1, 0, 3]
    assert f1.coverage == pytest.approx(1 / 4)
    assert f1.coverage_of_known == 1.0
    assert people.total.bluezone_counts == [3, 1, 3]
    assert people.total.coverage == pytest.approx(3 / 7)


# --- asked to install -------------------------------------------------------------------


def test_asked_to_install_converts_only_when_a_later_check_confirms(
    person, hd_official, hd_province
):
    ask_at = local(5, 9)

    def asked(*, status="unknown", checked_at=None, asks=(ask_at,), **fields):
        someone = person(1, bluezone_status=status, bluezone_checked_at=checked_at, **fields)
        for at in asks:
            InstallAskFactory(case=someone, asked_at=at, asked_by=someone.entered_by)
        return someone

    asked(status="installed", checked_at=ask_at + H)  # converted
    asked(status="installed", checked_at=ask_at - H)  # checked before the ask: not converted
    asked(status="not_installed", checked_at=ask_at + H)  # checked, not installed
    asked(status="installed")  # typed in by hand: no check time
    # Asked twice in the range; the check falls between the asks: converted.
    asked(status="installed", checked_at=local(6), asks=(local(5), local(7)))
    asked(status="installed", checked_at=local(20))  # checked after the range: converted
    # Not counted at all: asked only before the range, merged, or in Hà Nội.
    asked(status="installed", checked_at=ask_at, asks=(BEFORE,))
    asked(status="installed", checked_at=ask_at + H, merged_into=person(1))
    asked(status="installed", checked_at=ask_at + H, province=HN)

    figures = tf.install_ask_figures(**scope(hd_official, hd_province))

    assert (figures.asked, figures.converted) == (6, 3)
    assert figures.share == 0.5


# --- trace requests and candidates ------------------------------------------------------


def test_trace_requests_by_status(person, hd_official, hd_province):
    for status in ["completed", "completed", "code_issued", "expired", "failed"]:
        TraceRequestFactory(case=person(0), status=status, created_at=INSIDE)
    TraceRequestFactory(case=person(0), status="completed", created_at=BEFORE)
    TraceRequestFactory(case=person(0, province=HN), status="completed", created_at=INSIDE)

    traces = tf.trace_figures(**scope(hd_official, hd_province))

    assert traces.total == 5
    assert traces.by_status == {
        "opening": 0,
        "code_issued": 1,
        "uploaded": 0,
        "matching": 0,
        "completed": 2,
        "expired": 1,
        "cancelled": 0,
        "failed": 1,
    }
    assert [row[0] for row in traces.rows][:2] == ["opening", "code_issued"]


def test_candidates_accepted_rejected_and_pending(person, hd_official, hd_province):
    trace = TraceRequestFactory(case=person(0), created_at=INSIDE)
    for review in ["pending", "pending", "accepted", "accepted", "accepted", "rejected"]:
        TracedContactFactory(trace=trace, review=review)
    TracedContactFactory(trace=trace, is_candidate=False)  # below the threshold
    old = TraceRequestFactory(case=person(0), created_at=BEFORE)
    TracedContactFactory(trace=old, review="accepted")
    hanoi = TraceRequestFactory(case=person(0, province=HN), created_at=INSIDE)
    TracedContactFactory(trace=hanoi, review="rejected")

    candidates = tf.candidate_figures(**scope(hd_official, hd_province))

    assert (candidates.pending, candidates.accepted, candidates.rejected) == (2, 3, 1)
    assert candidates.total == 6
    assert candidates.acceptance == 0.75


# --- SMS ---------------------------------------------------------------------------------


def sms(*, case, status, sent=True, at=INSIDE):
    return SmsMessageFactory(
        case=case,
        created_by=case.entered_by,
        status=status,
        queued_at=at,
        sent_at=at + H if sent else None,
    )


def test_sms_sent_delivered_failed_and_the_delivery_rate(person, hd_official, hd_province):
    someone = person(1)
    sms(case=someone, status="queued", sent=False)
    for _i in range(2):
        sms(case=someone, status="sent")
    for _i in range(3):
        sms(case=someone, status="delivered")
    sms(case=someone, status="failed")  # failed on the operator's report
    sms(case=someone, status="failed", sent=False)  # refused by the gateway
    sms(case=someone, status="delivered", at=BEFORE)
    sms(case=person(1, province=HN), status="delivered")

    figures = tf.sms_figures(**scope(hd_official, hd_province))

    assert figures.total == 8
    assert figures.handed_to_operator == 6
    assert (figures.delivered, figures.failed) == (3, 2)
    assert (figures.awaiting_report, figures.queued) == (2, 1)
    assert figures.delivery_rate == pytest.approx(3 / 5)


# --- from verification to trace ---------------------------------------------------------


def verified_f0(person, *, delays=(), at=INSIDE, **fields):
    """An F0 verified at `at`, with a trace request opened after each of `delays`."""
    someone = person(0, at=at - H, verification="verified", verified_at=at, **fields)
    for delay in delays:
        TraceRequestFactory(case=someone, created_at=at + delay, status="completed")
    return someone


@pytest.mark.parametrize(
    ("delays", "median"),
    [
        # Odd count: the middle value.
        ([3 * H, 1 * H, 2 * H], 2 * H),
        # Even count: the mean of the two middle values.
        ([1 * H, 4 * H, 2 * H, 10 * H], 3 * H),
        ([dt.timedelta(minutes=10), dt.timedelta(minutes=25)], dt.timedelta(minutes=17.5)),
        ([5 * H], 5 * H),
    ],
)
def test_median_time_from_verification_to_trace(person, hd_official, hd_province, delays, median):
    for delay in delays:
        verified_f0(person, delays=[delay])

    figures = tf.verification_to_trace(**scope(hd_official, hd_province))

    assert (figures.verified_f0, figures.traced, figures.median) == (
        len(delays),
        len(delays),
        median,
    )
    assert figures.median_hours == median.total_seconds() / 3600


def test_verification_to_trace_takes_each_f0s_first_trace_after_verification(
    person, hd_official, hd_province
):
    verified_f0(person, delays=[10 * H, 4 * H])  # the first trace: 4 h
    verified_f0(person, delays=[1 * H])
    verified_f0(person, delays=[2 * H])
    verified_f0(person)  # not traced yet
    earlier = verified_f0(person)  # traced only before this verification (re-verified)
    TraceRequestFactory(case=earlier, created_at=INSIDE - 2 * H, status="cancelled")
    # Not counted: verified before the range, a contact, merged, in Hà Nội.
    verified_f0(person, delays=[100 * H], at=BEFORE)
    f1 = person(1, verification="verified", verified_at=INSIDE, flagged_for_tracing=True)
    TraceRequestFactory(case=f1, created_at=INSIDE + 50 * H)
    verified_f0(person, delays=[100 * H], merged_into=person(0))
    verified_f0(person, delays=[100 * H], province=HN)

    figures = tf.verification_to_trace(**scope(hd_official, hd_province))

    assert (figures.verified_f0, figures.traced, figures.not_traced) == (5, 3, 2)
    assert figures.median == 2 * H


def delays_queryset(actor, province):
    return tf.verified_f0_delays(**scope(actor, province))


@pytest.mark.parametrize("count", [1, 2, 5, 6])
def test_both_median_methods_agree_with_python_on_this_database(
    person, hd_official, hd_province, count
):
    delays = [dt.timedelta(minutes=7 * i * i + 3) for i in range(count)]
    for delay in delays:
        verified_f0(person, delays=[delay])
    ordered = sorted(delays)
    middle = ordered[(count - 1) // 2 : count // 2 + 1]
    expected = sum(middle, dt.timedelta()) / len(middle)
    qs = delays_queryset(hd_official, hd_province)

    assert tf._median_by_offset(qs, "delay") == expected
    assert tf.duration_median(qs, "delay") == expected
    if connection.vendor == "postgresql":
        assert tf._median_percentile_cont(qs, "delay") == expected


def test_median_selector_uses_percentile_cont_on_postgresql_and_offset_elsewhere(
    person, hd_official, hd_province
):
    for hours in (1, 2, 3, 4):
        verified_f0(person, delays=[hours * H])
    qs = delays_queryset(hd_official, hd_province)
    with CaptureQueriesContext(connection) as captured:
        assert tf.duration_median(qs, "delay", count=4) == 2.5 * H
    sql = " ".join(q["sql"] for q in captured.captured_queries).upper()
    if connection.vendor == "postgresql":
        assert "PERCENTILE_CONT(0.5) WITHIN GROUP" in sql
        assert len(captured.captured_queries) == 1
    else:
        assert "PERCENTILE_CONT" not in sql
        assert "LIMIT 2 OFFSET 1" in sql
        # The count was given: only the middle rows are read.
        assert len(captured.captured_queries) == 1


def test_median_of_nothing_is_none(hd_official, hd_province):
    qs = delays_queryset(hd_official, hd_province)
    assert tf.duration_median(qs, "delay") is None
    assert tf._median_by_offset(qs, "delay") is None
    figures = tf.verification_to_trace(**scope(hd_official, hd_province))
    assert (figures.verified_f0, figures.traced, figures.median) == (0, 0, None)


# --- the date range ---------------------------------------------------------------------


def test_range_runs_from_local_midnight_to_the_end_of_the_last_day(
    person, hd_official, hd_province
):
    person(0, at=local(1))  # the first moment of 1 August in Viet Nam
    person(0, at=local(10, 23, 59, 59))
    person(0, at=BEFORE)  # 31 July, 23:59:59
    person(0, at=local(11))
    # 1 August 00:30 in Viet Nam is still 31 July in UTC: counted by the local day.
    person(0, at=local(1, 0, 30))

    people = tf.people_figures(**scope(hd_official, hd_province))

    assert people.total.total == 3
    assert PERIOD.start == dt.datetime(2020, 7, 31, 17, tzinfo=dt.UTC)
    assert PERIOD.end == dt.datetime(2020, 8, 10, 17, tzinfo=dt.UTC)
    assert PERIOD.days == 10


def test_default_range_is_the_last_30_days_today_included():
    period = TracingRange.last_days(today=dt.date(2021, 6, 30))
    assert (period.date_from, period.date_to, period.days) == (
        dt.date(2021, 6, 1),
        dt.date(2021, 6, 30),
        30,
    )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, (dt.date(2021, 6, 1), dt.date(2021, 6, 30))),
        ({"date_from": dt.date(2021, 6, 20)}, (dt.date(2021, 6, 20), dt.date(2021, 6, 30))),
        ({"date_to": dt.date(2021, 5, 31)}, (dt.date(2021, 5, 2), dt.date(2021, 5, 31))),
        (
            {"date_from": dt.date(2021, 1, 1), "date_to": dt.date(2021, 3, 31)},
            (dt.date(2021, 1, 1), dt.date(2021, 3, 31)),
        ),
        ({"date_from": dt.date(2021, 7, 5)}, (dt.date(2021, 7, 5), dt.date(2021, 7, 5))),
    ],
)
@pytest.mark.django_db
def test_tracing_period_fills_a_missing_end(data, expected):
    period = tracing_period(data, today=dt.date(2021, 6, 30))
    assert (period.date_from, period.date_to) == expected


def _entered(province_code: str, day: dt.date) -> Case:
    person = CaseFactory(province_id=province_code)
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(23, 30)))  # late, local time
    Case.objects.filter(pk=person.pk).update(created_at=at)
    return person


@pytest.mark.django_db
def test_the_default_range_opens_on_the_latest_people_when_none_are_recent():
    hd = Province.objects.get(pk=HD)
    today = dt.date(2021, 6, 30)
    assert tracing_period({}, province=hd, today=today) == TracingRange(dt.date(2021, 6, 1), today)
    _entered(HD, dt.date(2020, 8, 19))
    _entered(HD, dt.date(2020, 8, 2))
    # Nobody entered in the last 30 days: the 30 days up to the latest entry, in local days.
    assert tracing_period({}, province=hd, today=today) == TracingRange(
        dt.date(2020, 7, 21), dt.date(2020, 8, 19)
    )
    # Another province's recent people do not move Hải Dương's range, only the nation's.
    _entered(HN, dt.date(2021, 6, 10))
    assert tracing_period({}, province=hd, today=today).date_to == dt.date(2020, 8, 19)
    assert tracing_period({}, province=None, today=today).date_to == today
    # Someone entered within the last 30 days: the last 30 days, as ever.
    _entered(HD, dt.date(2021, 6, 2))
    assert tracing_period({}, province=hd, today=today).date_to == today
    # A range given is kept, and a reversed one falls back to the default.
    given = {"date_from": dt.date(2020, 1, 1), "date_to": dt.date(2020, 1, 31)}
    assert tracing_period(given, province=hd, today=today).date_to == dt.date(2020, 1, 31)
    reversed_ = {"date_from": dt.date(2021, 6, 9), "date_to": dt.date(2021, 6, 1)}
    assert tracing_period(reversed_, province=hd, today=today).date_to == today


# --- province isolation -------------------------------------------------------------------


@pytest.fixture
def two_provinces(person):
    """The same kinds of records in Hải Dương (once) and Hà Nội (twice)."""

    def one_set(province):
        f0 = verified_f0(person, delays=[2 * H], province=province, bluezone_status="installed")
        f1 = person(1, province=province, bluezone_status="installed", bluezone_checked_at=local(6))
        InstallAskFactory(case=f1, asked_at=local(5), asked_by=f1.entered_by)
        trace = f0.trace_requests.get()
        TracedContactFactory(trace=trace, review="accepted")
        sms(case=f1, status="delivered")

    one_set(HD)
    one_set(HN)
    one_set(HN)


def counts(summary: tf.TracingFigures) -> tuple:
    return (
        summary.people.total.total,
        summary.people.total.installed,
        summary.install_asks.asked,
        summary.install_asks.converted,
        summary.traces.total,
        summary.candidates.accepted,
        summary.sms.delivered,
        summary.verification_to_trace.traced,
    )


def test_hai_duong_figures_never_count_ha_noi(two_provinces, hd_official, hd_province):
    summary = tf.tracing_figures_summary(**scope(hd_official, hd_province))
    assert counts(summary) == (2, 2, 1, 1, 1, 1, 1, 1)


def test_a_province_user_passing_no_province_still_sees_only_their_own(two_provinces, hd_official):
    summary = tf.tracing_figures_summary(**scope(hd_official, None))
    assert counts(summary) == (2, 2, 1, 1, 1, 1, 1, 1)


def test_national_admin_gets_national_totals_and_any_provinces_own(
    two_provinces, national_admin, hd_province
):
    national = tf.tracing_figures_summary(**scope(national_admin, None))
    assert counts(national) == (6, 6, 3, 3, 3, 3, 3, 3)
    hanoi = tf.tracing_figures_summary(**scope(national_admin, Province.objects.get(code=HN)))
    assert counts(hanoi) == (4, 4, 2, 2, 2, 2, 2, 2)
    assert counts(tf.tracing_figures_summary(**scope(national_admin, hd_province))) == (
        2,
        2,
        1,
        1,
        1,
        1,
        1,
        1,
    )


# --- charts --------------------------------------------------------------------------------


def test_charts_carry_the_figures(person, hd_official, hd_province):
    person(0, bluezone_status="installed")
    person(0, status="recovered", bluezone_status="unknown")
    person(1, bluezone_status="not_installed")
    TraceRequestFactory(case=person(0), created_at=INSIDE, status="expired")
    summary = tf.tracing_figures_summary(**scope(hd_official, hd_province))

    with translation.override("vi"):
        figures = {name: charts.figure_json(fig) for name, fig in charts.tracing_figures(summary)}

    people = {t["name"]: t["y"] for t in figures["people"]["data"]}
    assert figures["people"]["data"][0]["x"] == ["F0", "F1", "F2"]
    assert people["Đang theo dõi"] == [2, 1, 0]  # active
    assert figures["people"]["layout"]["barmode"] == "stack"
    coverage = {t["name"]: t["y"] for t in figures["coverage"]["data"]}
    assert coverage["Đã cài"] == [1, 0, 0]
    assert figures["coverage"]["layout"]["barnorm"] == "percent"
    traces = figures["traces"]["data"][0]
    assert dict(zip(traces["y"], traces["x"], strict=True))["Mã đã hết hạn"] == 1
    assert len(traces["y"]) == 8


# --- the page and its CSV files -------------------------------------------------------------

DASHBOARD = reverse("stats:dashboard")
RANGE = {"date_from": "2020-08-01", "date_to": "2020-08-10"}


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def signed_in_hd(client, hd_official):
    client.force_login(hd_official)
    return hd_official


def test_dashboard_shows_the_tracing_figures_in_vietnamese(client, signed_in_hd, two_provinces):
    response = client.get(DASHBOARD, RANGE)
    assert response.status_code == 200
    tracing = response.context["tracing"]
    assert counts(tracing) == (2, 2, 1, 1, 1, 1, 1, 1)
    page = response.content.decode()
    assert "Số liệu truy vết: Hải Dương" in page
    assert "Từ 01/08/2020 đến 10/08/2020" in page
    assert 'data-testid="tracing-median">2 giờ 0 phút<' in page
    assert 'data-testid="tracing-sms-rate">100,0%<' in page
    for name in ("people", "coverage", "traces"):
        assert f'<script id="figure-tracing-{name}" type="application/json">' in page
    for name in tf_csv_names():
        assert f'data-testid="csv-tracing-{name}"' in page


def tf_csv_names():
    from tracing_portal.stats.views import TRACING_CSV

    return list(TRACING_CSV)


def test_page_and_csv_files_show_no_names_or_phones(client, signed_in_hd, two_provinces):
    people = list(Case.objects.values_list("full_name", "phone"))
    page = client.get(DASHBOARD, RANGE).content.decode()
    files = "".join(
        client.get(reverse("stats:tracing_csv", args=[name]), RANGE).content.decode()
        for name in tf_csv_names()
    )
    for name, phone in people:
        for text in (page, files):
            assert name not in text
            assert phone not in text and phone[-9:] not in text


def test_tables_are_reachable_by_keyboard_and_have_headers(client, signed_in_hd):
    page = client.get(DASHBOARD).content.decode()
    for name in ("people", "backlog", "coverage", "traces", "candidates", "sms"):
        assert f'data-testid="tracing-{name}-table"' in page
        assert (
            f'<div class="table-wrap" role="region" tabindex="0" '
            f'aria-labelledby="tracing-{name}-heading tracing-table-word">' in page
        )
    assert page.count('<th scope="row">') >= 20


def test_dashboard_defaults_to_the_last_30_days(client, signed_in_hd, person):
    today = timezone.localdate()
    midnight = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    person(0, at=midnight - dt.timedelta(days=29))  # the first day of the range
    person(0, at=midnight - dt.timedelta(days=29, seconds=1))  # the day before
    person(1, at=timezone.now())

    response = client.get(DASHBOARD)

    period = response.context["q"].period
    assert (period.date_from, period.date_to) == (today - dt.timedelta(days=29), today)
    assert response.context["tracing"].people.total.total == 2
    assert f"date_from={period.date_from.isoformat()}" in response.context["q"].query_string


def test_a_range_ending_before_it_starts_is_refused_and_the_default_shown(client, signed_in_hd):
    response = client.get(DASHBOARD, {"date_from": "2020-08-10", "date_to": "2020-08-01"})
    assert response.status_code == 200
    assert response.context["q"].period == TracingRange.last_days()
    assert "Ngày kết thúc ở trước ngày bắt đầu." in response.content.decode()


def test_the_install_filters_keep_a_chosen_range(client, signed_in_hd):
    page = client.get(DASHBOARD, RANGE).content.decode()
    filters = page.split('data-testid="dashboard-filters"')[1].split("</form>")[0]
    assert 'name="date_from" value="2020-08-01"' in filters
    tracing_form = page.split('data-testid="tracing-filters"')[1].split("</form>")[0]
    assert 'name="date_to" id="id_date_to" value="2020-08-10"' in tracing_form


def test_tracing_section_shows_without_install_figures(client, signed_in_hd):
    page = client.get(DASHBOARD).content.decode()
    assert "install_snapshots_backfill" in page
    assert 'data-testid="tracing-figures"' in page


def test_people_csv_has_a_row_per_level_and_the_total(client, signed_in_hd, two_provinces):
    response = client.get(reverse("stats:tracing_csv", args=["people"]), RANGE)
    assert response["Content-Type"].startswith("text/csv")
    assert (
        'filename="tracing-people-30-2020-08-01-2020-08-10.csv"'
        in (response["Content-Disposition"])
    )
    header, *rows = csv_rows(response)
    assert header[:2] + header[3:5] == ["từ ngày", "đến ngày", "cấp", "số người"]
    assert [row[3] for row in rows] == ["F0", "F1", "F2", "mọi cấp"]
    assert rows[0][:5] == ["2020-08-01", "2020-08-10", "Hải Dương", "F0", "1"]
    assert rows[-1][4] == "2"


def test_each_csv_has_the_page_figures(client, signed_in_hd, two_provinces):
    def rows(name):
        return csv_rows(client.get(reverse("stats:tracing_csv", args=[name]), RANGE))[1:]

    assert rows("coverage")[-1][3:] == ["mọi cấp", "2", "2", "0", "0", "100.00"]
    assert rows("install-asks") == [["2020-08-01", "2020-08-10", "Hải Dương", "1", "1", "100.00"]]
    traces = {row[3]: row[5] for row in rows("traces")}
    assert traces["completed"] == "1" and traces[""] == "1"
    candidates = {row[3]: row[5] for row in rows("candidates")}
    assert (candidates["accepted"], candidates["pending"], candidates[""]) == ("1", "0", "1")
    assert rows("sms")[0][3:] == ["1", "1", "1", "0", "0", "0", "100.00"]
    assert rows("verification-to-trace")[0][3:] == ["1", "1", "0", "2.00"]
    backlog = rows("backlog")[-1]
    assert backlog[3:8] == ["mọi cấp", "1", "0", "0", "1"]


def test_csv_is_scoped_like_the_page(client, make_user, two_provinces):
    client.force_login(make_user(Role.OFFICIAL, HD))
    url = reverse("stats:tracing_csv", args=["traces"])
    assert client.get(url, {**RANGE, "province": HN}).status_code == 404
    assert client.get(reverse("stats:tracing_csv", args=["names"]), RANGE).status_code == 404

    client.force_login(make_user(Role.NATIONAL_ADMIN))
    national = csv_rows(client.get(url, RANGE))
    assert national[-1][2] == "toàn quốc" and national[-1][5] == "3"
    hanoi = csv_rows(client.get(url, {**RANGE, "province": HN}))
    assert hanoi[-1][2] == "Hà Nội" and hanoi[-1][5] == "2"


def test_every_role_may_download_the_tracing_csv(client, make_user):
    for role in Role.values:
        client.force_login(make_user(role))
        assert client.get(reverse("stats:tracing_csv", args=["people"])).status_code == 200


# --- formats ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (dt.timedelta(minutes=45), "45 phút"),
        (dt.timedelta(hours=3, minutes=20), "3 giờ 20 phút"),
        (dt.timedelta(days=1, hours=2, minutes=10), "1 ngày 2 giờ"),
        (None, "—"),
    ],
)
def test_durations_read_in_vietnamese(value, text):
    with translation.override("vi"):
        assert duration(value) == text
