"""The tracing half of the dashboard: people, traces and SMS beside the install rates.

Every figure is an SQL aggregate (conditional COUNTs, GROUP BY level, PERCENTILE_CONT or an
ordered OFFSET query for the median) over one range of Asia/Ho_Chi_Minh days. Rows are
first narrowed to what the actor may see (`scope_to_province`), then to the province the
dashboard shows (`stats.selectors.dashboard_province`); a national administrator's national
view (province None) is the whole country. Python only reshapes the few result rows, so the
number of queries does not grow with the data.

What each figure counts. The range is [date_from 00:00, date_to + 1 day 00:00), local time.

- People: records not merged into another, entered (`created_at`) in the range; by level and
  status, and their Bluezone status by level (the coverage among traced people).
- Verification backlog: those people still pending verification, aged from entry to now
  (a record is pending from its entry until verified or rejected): under 1 day, 1 to 3 days
  (both ends included), over 3 days; and the oldest pending entry.
- Asked to install: people (not merged) with at least one `InstallAsk` in the range.
  Converted: those whose Bluezone status is now "installed", as confirmed by a Bluezone check
  (`bluezone_checked_at`) later than one of those asks, i.e. after the first ask in the
  range (the check itself may fall after the range). A status typed in by hand has no check
  time and does not count.
- Trace requests: opened (`created_at`) in the range, by status.
- Candidates: contacts scored as F1 candidates in trace requests opened in the range, by
  review (to review, accepted, rejected).
- SMS: messages queued in the range: handed to the operator (`sent_at` set), delivered,
  failed, awaiting a delivery report, still queued. Delivery rate: delivered ÷ (delivered +
  failed), as on the SMS figures page.
- Verification to trace: F0s (confirmed or suspected, not merged) verified (`verified_at`)
  in the range; for each, the first trace request opened at or after that verification; the
  median of those delays (F0s not traced yet are counted apart, not in the median).
"""

import datetime as dt
from dataclasses import dataclass

from django.db import connections
from django.db.models import (
    Aggregate,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from tracing_portal.accounts.scoping import scope_to_province
from tracing_portal.bluezone.models import Review, TracedContact, TraceRequest, TraceState
from tracing_portal.cases.models import (
    MAX_LEVEL,
    BluezoneStatus,
    Case,
    CaseStatus,
    F0Status,
    InstallAsk,
    Verification,
)
from tracing_portal.cases.selectors import case_base_qs
from tracing_portal.core.dates import day_start
from tracing_portal.geo.models import Province
from tracing_portal.notifications.models import SmsMessage, SmsStatus

from .models import PeopleDay
from .services import people_days_kept

DEFAULT_DAYS = 30
# Levels always listed in the people tables; deeper levels only when someone is there.
ALWAYS_SHOWN_LEVELS = (0, 1, 2)
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class TracingRange:
    """A range of whole days in the portal's time zone, both ends included."""

    date_from: dt.date
    date_to: dt.date

    @classmethod
    def last_days(cls, days: int = DEFAULT_DAYS, *, today: dt.date | None = None):
        """The last `days` days, today included."""
        today = today or timezone.localdate()
        return cls(date_from=today - dt.timedelta(days=days - 1), date_to=today)

    @classmethod
    def latest_days(cls, *, province, days: int = DEFAULT_DAYS, today: dt.date | None = None):
        """The default range: the last `days` days; or, when nobody was entered in them
        (an investigation that has ended, or the demo's August 2020), the `days` days up to
        the day the latest person was entered, so the figures open on the data."""
        today = today or timezone.localdate()
        people = Case.objects.all() if province is None else Case.objects.filter(province=province)
        latest = people.order_by("-created_at").values_list("created_at", flat=True).first()
        if latest is not None:
            latest_day = timezone.localdate(latest)
            if latest_day < today - dt.timedelta(days=days - 1):
                today = latest_day
        return cls.last_days(days, today=today)

    @property
    def start(self) -> dt.datetime:
        """Midnight at the start of date_from, Asia/Ho_Chi_Minh."""
        return day_start(self.date_from)

    @property
    def end(self) -> dt.datetime:
        """Midnight after date_to (excluded)."""
        return day_start(self.date_to + DAY)

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def lookups(self, field: str) -> dict:
        return {f"{field}__gte": self.start, f"{field}__lt": self.end}


# --- result types ---------------------------------------------------------------------


@dataclass(frozen=True)
class LevelRow:
    """People of one level (or of every level when `level` is None) entered in the range."""

    level: int | None
    total: int
    by_status: dict[str, int]
    by_bluezone: dict[str, int]
    by_f0_status: dict[str, int]
    by_verification: dict[str, int]
    pending_under_1_day: int
    pending_1_to_3_days: int
    pending_over_3_days: int
    oldest_pending: dt.datetime | None

    @property
    def label(self) -> str:
        return "" if self.level is None else f"F{self.level}"

    @property
    def status_counts(self) -> list[int]:
        return [self.by_status[s] for s in CaseStatus.values]

    @property
    def bluezone_counts(self) -> list[int]:
        return [self.by_bluezone[s] for s in BluezoneStatus.values]

    @property
    def pending(self) -> int:
        return self.by_verification[Verification.PENDING]

    @property
    def confirmed(self) -> int:
        return self.by_f0_status[F0Status.CONFIRMED]

    @property
    def suspected(self) -> int:
        return self.by_f0_status[F0Status.SUSPECTED]

    @property
    def installed(self) -> int:
        return self.by_bluezone[BluezoneStatus.INSTALLED]

    @property
    def coverage(self) -> float | None:
        """Share of the people with Bluezone confirmed installed."""
        return self.installed / self.total if self.total else None

    @property
    def coverage_of_known(self) -> float | None:
        """Share installed among the people whose install status is known."""
        known = self.total - self.by_bluezone[BluezoneStatus.UNKNOWN]
        return self.installed / known if known else None


@dataclass(frozen=True)
class PeopleFigures:
    levels: list[LevelRow]
    total: LevelRow
    now: dt.datetime

    @property
    def status_labels(self) -> list[str]:
        return list(CaseStatus.labels)

    @property
    def bluezone_labels(self) -> list[str]:
        return list(BluezoneStatus.labels)

    def level(self, level: int) -> LevelRow:
        return next(row for row in self.levels if row.level == level)

    @property
    def f0(self) -> LevelRow:
        return self.level(0)

    @property
    def f1(self) -> LevelRow:
        return self.level(1)

    @property
    def f2(self) -> LevelRow:
        return self.level(2)


@dataclass(frozen=True)
class InstallAskFigures:
    asked: int
    converted: int

    @property
    def share(self) -> float | None:
        return self.converted / self.asked if self.asked else None


@dataclass(frozen=True)
class TraceFigures:
    by_status: dict[str, int]
    total: int

    @property
    def rows(self) -> list[tuple[str, str, int]]:
        return [(value, label, self.by_status[value]) for value, label in TraceState.choices]


@dataclass(frozen=True)
class CandidateFigures:
    pending: int
    accepted: int
    rejected: int

    @property
    def total(self) -> int:
        return self.pending + self.accepted + self.rejected

    @property
    def acceptance(self) -> float | None:
        """Accepted among the candidates reviewed."""
        reviewed = self.accepted + self.rejected
        return self.accepted / reviewed if reviewed else None

    @property
    def rows(self) -> list[tuple[str, str, int]]:
        counts = {
            Review.PENDING: self.pending,
            Review.ACCEPTED: self.accepted,
            Review.REJECTED: self.rejected,
        }
        return [(value, label, counts[value]) for value, label in Review.choices]


@dataclass(frozen=True)
class SmsFigures:
    total: int
    handed_to_operator: int
    queued: int
    awaiting_report: int
    delivered: int
    failed: int

    @property
    def delivery_rate(self) -> float | None:
        done = self.delivered + self.failed
        return self.delivered / done if done else None


@dataclass(frozen=True)
class VerificationToTrace:
    verified_f0: int
    traced: int
    median: dt.timedelta | None

    @property
    def not_traced(self) -> int:
        return self.verified_f0 - self.traced

    @property
    def median_hours(self) -> float | None:
        return None if self.median is None else self.median.total_seconds() / 3600


@dataclass(frozen=True)
class TracingFigures:
    """What the dashboard's tracing section shows, for one province (None: the country)."""

    province: Province | None
    period: TracingRange
    people: PeopleFigures
    install_asks: InstallAskFigures
    traces: TraceFigures
    candidates: CandidateFigures
    sms: SmsFigures
    verification_to_trace: VerificationToTrace


# --- scoping --------------------------------------------------------------------------


def _in_view(qs: QuerySet, *, actor, province: Province | None, field: str = "province"):
    """Rows the actor may see, then the dashboard's province; the national view of a
    national administrator keeps every province."""
    qs = scope_to_province(qs, actor=actor, field=field)
    if province is not None:
        qs = qs.filter(**{f"{field}_id": province.pk})
    return qs


def _people(*, actor, province: Province | None) -> QuerySet[Case]:
    """People not merged into another record, in view (see `_in_view`)."""
    qs = case_base_qs(actor=actor)
    return qs.filter(province_id=province.pk) if province is not None else qs


# --- the median ----------------------------------------------------------------------


class _PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate at 0.5: the median, interpolated between the two
    middle values of an even count (it works on intervals as well as numbers)."""

    function = "PERCENTILE_CONT"
    name = "PercentileCont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


def _median_percentile_cont(qs: QuerySet, field: str):
    return qs.aggregate(median=_PercentileCont(F(field), output_field=DurationField()))["median"]


def _median_by_offset(qs: QuerySet, field: str, *, count: int | None = None):
    """The median with plain SQL: count the values, then read the middle one (odd count) or
    the middle two (even count) with ORDER BY ... LIMIT ... OFFSET, and average those."""
    values = qs.filter(**{f"{field}__isnull": False})
    if count is None:
        count = values.count()
    if count == 0:
        return None
    middle = list(
        values.order_by(field).values_list(field, flat=True)[(count - 1) // 2 : count // 2 + 1]
    )
    return sum(middle[1:], middle[0]) / len(middle)


def duration_median(qs: QuerySet, field: str, *, count: int | None = None) -> dt.timedelta | None:
    """The median of a duration annotation `field` over `qs` (NULLs left out), computed in
    the database: PERCENTILE_CONT on PostgreSQL, an ordered OFFSET query elsewhere (SQLite).

    `count`, when the caller already has the number of non-NULL values, saves the OFFSET
    method its COUNT query. None when there is no value."""
    if connections[qs.db].vendor == "postgresql":
        return _median_percentile_cont(qs.filter(**{f"{field}__isnull": False}), field)
    return _median_by_offset(qs, field, count=count)


# --- figures --------------------------------------------------------------------------


def _count_expressions(count) -> dict:
    """The counts of a level row; `count(condition)` is the aggregate (None: every row)."""
    expressions = {"total": count(None)}
    for value in CaseStatus.values:
        expressions[f"status_{value}"] = count(Q(status=value))
    for value in BluezoneStatus.values:
        expressions[f"bluezone_{value}"] = count(Q(bluezone_status=value))
    for value in F0Status.values:
        expressions[f"f0_{value}"] = count(Q(level=0, f0_status=value))
    for value in Verification.values:
        expressions[f"verification_{value}"] = count(Q(verification=value))
    return expressions


def _pending_expressions(now: dt.datetime) -> dict:
    """The age of the people still pending verification, measured to `now` (counting created_at:
    the backlog index, case_queue, holds every column read)."""
    pending = Q(verification=Verification.PENDING)
    one_day_ago, three_days_ago = now - DAY, now - 3 * DAY
    return {
        "pending_under_1_day": Count("created_at", filter=pending & Q(created_at__gt=one_day_ago)),
        "pending_1_to_3_days": Count(
            "created_at",
            filter=pending & Q(created_at__lte=one_day_ago, created_at__gte=three_days_ago),
        ),
        "pending_over_3_days": Count(
            "created_at", filter=pending & Q(created_at__lt=three_days_ago)
        ),
        "oldest_pending": Min("created_at", filter=pending),
    }


def _counts_from_people(people: QuerySet[Case], now: dt.datetime) -> dict[int, dict]:
    """{level: counts} aggregated over the people themselves, in one query."""
    expressions = {
        **_count_expressions(lambda condition: Count("id", filter=condition)),
        **_pending_expressions(now),
    }
    rows = people.values("level").annotate(**expressions).order_by("level")
    return {row["level"]: row for row in rows}


def _counts_from_days(
    people: QuerySet[Case], days: QuerySet[PeopleDay], now: dt.datetime
) -> dict[int, dict]:
    """The same, with the counts summed from PeopleDay (kept by triggers on PostgreSQL) and
    only the pending people read for their ages."""
    counts = _count_expressions(lambda condition: Coalesce(Sum("people", filter=condition), 0))
    by_level = {
        row["level"]: row
        for row in days.values("level").annotate(**counts).order_by("level")
        if row["total"]
    }
    pending = (
        people.filter(verification=Verification.PENDING)
        .values("level")
        .annotate(**_pending_expressions(now))
        .order_by("level")
    )
    for row in pending:
        by_level.setdefault(row["level"], {"level": row["level"]}).update(row)
    return by_level


def _level_row(level: int | None, row: dict) -> LevelRow:
    def counts(prefix, values):
        return {value: row.get(f"{prefix}_{value}") or 0 for value in values}

    return LevelRow(
        level=level,
        total=row.get("total") or 0,
        by_status=counts("status", CaseStatus.values),
        by_bluezone=counts("bluezone", BluezoneStatus.values),
        by_f0_status=counts("f0", F0Status.values),
        by_verification=counts("verification", Verification.values),
        pending_under_1_day=row.get("pending_under_1_day") or 0,
        pending_1_to_3_days=row.get("pending_1_to_3_days") or 0,
        pending_over_3_days=row.get("pending_over_3_days") or 0,
        oldest_pending=row.get("oldest_pending"),
    )


def people_figures(
    *, actor, province: Province | None, period: TracingRange, now: dt.datetime | None = None
) -> PeopleFigures:
    """People entered in the range by level (rows F0, F1, F2 always, deeper levels when
    someone is there) and in total: status, Bluezone status, verification and the age of
    the pending ones (measured to `now`). The counts come from PeopleDay on PostgreSQL, from
    the people themselves elsewhere; the totals are the levels' sums."""
    now = now or timezone.now()
    people = _people(actor=actor, province=province).filter(**period.lookups("created_at"))
    if people_days_kept():
        days = _in_view(
            PeopleDay.objects.filter(day__gte=period.date_from, day__lte=period.date_to),
            actor=actor,
            province=province,
        )
        by_level = _counts_from_days(people, days, now)
    else:
        by_level = _counts_from_people(people, now)
    levels = [
        _level_row(level, by_level.get(level, {}))
        for level in range(MAX_LEVEL + 1)
        if level in ALWAYS_SHOWN_LEVELS or level in by_level
    ]
    return PeopleFigures(levels=levels, total=_level_row(None, _totals(by_level.values())), now=now)


def _totals(rows) -> dict:
    """The sums of GROUP BY rows' counts, and the earliest of their oldest pending."""
    total: dict = {}
    for row in rows:
        for key, value in row.items():
            if key == "level" or value is None:
                continue
            if key == "oldest_pending":
                total[key] = min(total.get(key, value), value)
            else:
                total[key] = total.get(key, 0) + value
    return total


def install_ask_figures(
    *, actor, province: Province | None, period: TracingRange
) -> InstallAskFigures:
    """People asked to install Bluezone in the range, and those a later Bluezone check
    confirmed installed (see the module's docstring). One query."""
    asks = InstallAsk.objects.filter(case=OuterRef("pk"), **period.lookups("asked_at"))
    confirmed_after_an_ask = Q(bluezone_status=BluezoneStatus.INSTALLED) & Q(
        Exists(asks.filter(asked_at__lt=OuterRef("bluezone_checked_at")))
    )
    row = (
        _people(actor=actor, province=province)
        .filter(Exists(asks))
        .aggregate(asked=Count("id"), converted=Count("id", filter=confirmed_after_an_ask))
    )
    return InstallAskFigures(asked=row["asked"], converted=row["converted"])


def trace_figures(*, actor, province: Province | None, period: TracingRange) -> TraceFigures:
    """Trace requests opened in the range, by status. One query."""
    row = (
        _in_view(TraceRequest.objects.all(), actor=actor, province=province)
        .filter(**period.lookups("created_at"))
        .aggregate(
            total=Count("id"),
            **{value: Count("id", filter=Q(status=value)) for value in TraceState.values},
        )
    )
    return TraceFigures(
        by_status={value: row[value] for value in TraceState.values}, total=row["total"]
    )


def candidate_figures(
    *, actor, province: Province | None, period: TracingRange
) -> CandidateFigures:
    """F1 candidates of the trace requests opened in the range, by review. One query."""
    row = (
        _in_view(
            TracedContact.objects.filter(is_candidate=True),
            actor=actor,
            province=province,
            field="trace__province",
        )
        .filter(**period.lookups("trace__created_at"))
        .aggregate(**{value: Count("id", filter=Q(review=value)) for value in Review.values})
    )
    return CandidateFigures(
        pending=row[Review.PENDING], accepted=row[Review.ACCEPTED], rejected=row[Review.REJECTED]
    )


def sms_figures(*, actor, province: Province | None, period: TracingRange) -> SmsFigures:
    """SMS queued in the range: sent, delivered, failed and waiting. One query."""
    row = (
        _in_view(SmsMessage.objects.all(), actor=actor, province=province)
        .filter(**period.lookups("queued_at"))
        .aggregate(
            total=Count("id"),
            handed_to_operator=Count("id", filter=Q(sent_at__isnull=False)),
            queued=Count("id", filter=Q(status=SmsStatus.QUEUED)),
            awaiting_report=Count("id", filter=Q(status=SmsStatus.SENT)),
            delivered=Count("id", filter=Q(status=SmsStatus.DELIVERED)),
            failed=Count("id", filter=Q(status=SmsStatus.FAILED)),
        )
    )
    return SmsFigures(**row)


def verified_f0_delays(*, actor, province: Province | None, period: TracingRange) -> QuerySet[Case]:
    """F0s verified in the range, annotated with `first_trace_at` (the first trace request
    opened at or after the verification; NULL if none yet) and `delay` (the time between)."""
    first_trace = (
        TraceRequest.objects.filter(case=OuterRef("pk"), created_at__gte=OuterRef("verified_at"))
        .order_by()
        .values("case")
        .annotate(first=Min("created_at"))
        .values("first")
    )
    return (
        _people(actor=actor, province=province)
        .filter(level=0, verified_at__isnull=False, **period.lookups("verified_at"))
        .annotate(first_trace_at=Subquery(first_trace, output_field=DateTimeField()))
        .annotate(
            delay=ExpressionWrapper(
                F("first_trace_at") - F("verified_at"), output_field=DurationField()
            )
        )
        .order_by()
    )


def verification_to_trace(
    *, actor, province: Province | None, period: TracingRange
) -> VerificationToTrace:
    """How many F0s were verified in the range, how many have been traced since, and the
    median delay from verification to the trace request. One query on PostgreSQL (its
    PERCENTILE_CONT leaves out the F0s not traced yet); two elsewhere (one when no F0 was
    traced)."""
    qs = verified_f0_delays(actor=actor, province=province, period=period)
    counts = {
        "verified_f0": Count("id"),
        "traced": Count("id", filter=Q(first_trace_at__isnull=False)),
    }
    if connections[qs.db].vendor == "postgresql":
        delay = _PercentileCont(F("delay"), output_field=DurationField())
        row = qs.aggregate(**counts, median=delay)
        median = row["median"] if row["traced"] else None
    else:
        row = qs.aggregate(**counts)
        median = _median_by_offset(qs, "delay", count=row["traced"]) if row["traced"] else None
    return VerificationToTrace(verified_f0=row["verified_f0"], traced=row["traced"], median=median)


def tracing_figures_summary(
    *,
    actor,
    province: Province | None,
    period: TracingRange | None = None,
    now: dt.datetime | None = None,
) -> TracingFigures:
    """Every figure of the dashboard's tracing section, for the dashboard's province (None:
    the whole country, for national administrators). The range defaults to the last 30
    days. About ten queries, however much data there is."""
    period = period or TracingRange.last_days()
    scope = {"actor": actor, "province": province, "period": period}
    return TracingFigures(
        province=province,
        period=period,
        people=people_figures(**scope, now=now),
        install_asks=install_ask_figures(**scope),
        traces=trace_figures(**scope),
        candidates=candidate_figures(**scope),
        sms=sms_figures(**scope),
        verification_to_trace=verification_to_trace(**scope),
    )
