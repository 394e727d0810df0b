"""Reads behind the install dashboards: rates, ranks, trends and targets.

Everything is aggregated and ranked in SQL with window functions (RANK() OVER a day's
provinces), on SQLite and PostgreSQL alike; Python only reshapes the few result rows.

Rates are fractions (0.2152 is 21.52%). See `Denominator` for what each rate divides.
"""

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import (
    Case,
    Count,
    F,
    FilteredRelation,
    FloatField,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Rank
from django.http import Http404
from django.shortcuts import get_object_or_404

from tracing_portal.accounts.scoping import actor_can_see_province
from tracing_portal.geo.models import Province

from .models import InstallSnapshot
from .types import Denominator

WEEK = dt.timedelta(days=7)


@dataclass(frozen=True)
class RankRow:
    """One province on one day. `rank` is None when the province has no rate that day."""

    date: dt.date | None
    province_code: str
    province_name: str
    iso_3166_2: str
    population: int
    installs: int | None
    installs_with_phone: int | None
    smartphone_users: int | None
    numerator: int | None
    denominator: int | None
    rate: float | None
    rank: int | None
    ranked_count: int

    @property
    def rank_label(self) -> str:
        return f"{self.rank}/{self.ranked_count}" if self.rank else ""


@dataclass(frozen=True)
class InstallHeadline:
    province_code: str
    province_name: str
    on: dt.date
    denominator: str
    installs: int | None
    numerator: int | None
    rate: float | None
    rank: int | None
    ranked_count: int
    previous_date: dt.date
    previous_rate: float | None
    previous_rank: int | None

    @property
    def rank_label(self) -> str:
        return f"{self.rank}/{self.ranked_count}" if self.rank else ""

    @property
    def rate_change(self) -> float | None:
        """Change in rate since a week earlier, as a fraction (0.012 is 1.2 points)."""
        if self.rate is None or self.previous_rate is None:
            return None
        return self.rate - self.previous_rate

    @property
    def rank_change(self) -> int | None:
        """Places climbed since a week earlier (negative: places lost)."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank

    @property
    def places_up(self) -> int:
        return max(0, self.rank_change or 0)

    @property
    def places_down(self) -> int:
        return max(0, -(self.rank_change or 0))


@dataclass(frozen=True)
class TrendPoint:
    date: dt.date
    installs: int
    numerator: int
    denominator: int | None
    rate: float | None
    rank: int | None
    ranked_count: int


@dataclass(frozen=True)
class InstallTargets:
    on: dt.date
    denominator: str
    numerator: int | None
    denominator_value: int | None
    rate: float | None
    rank: int | None
    next_rank: int | None
    next_province_name: str
    next_rate: float | None
    installs_to_next_rank: int | None
    target_rate: Decimal | None
    installs_to_target: int | None


@dataclass(frozen=True)
class NationalDay:
    date: dt.date
    installs: int
    installs_with_phone: int
    population: int
    smartphone_users: int | None
    provinces_reporting: int
    rate: float | None


# --- building blocks ------------------------------------------------------------------


def _fraction(denominator: str) -> tuple[str, str]:
    """The names of a rate's numerator and denominator among a snapshot row's values."""
    if Denominator(denominator) == Denominator.SMARTPHONE:
        return "installs_with_phone", "smartphone_users"
    return "installs", "population"


def _rate(denominator: str, *, snap: str = "", population: str) -> Case:
    """The rate expression; `snap` is the path to the snapshot's fields and `population`
    the path to the province's population. Provinces with no snapshot, or no smartphone
    figure, get NULL: no rate and no rank."""
    numerator, denominator_name = _fraction(denominator)
    numerator = f"{snap}{numerator}"
    divisor = population if denominator_name == "population" else f"{snap}{denominator_name}"
    return Case(
        When(
            Q(**{f"{divisor}__gt": 0}) & Q(**{f"{numerator}__isnull": False}),
            then=Cast(F(numerator), FloatField()) / Cast(F(divisor), FloatField()),
        ),
        default=Value(None, output_field=FloatField()),
        output_field=FloatField(),
    )


def _rank_windows(partition_by: list) -> dict:
    return {
        "rank": Window(Rank(), partition_by=partition_by, order_by=F("rate").desc(nulls_last=True)),
        "ranked_count": Window(Count("rate"), partition_by=partition_by),
    }


# The columns a ranked snapshot row is read with. Each column appears once: Django's
# QUALIFY emulation drops a column whose expression repeats another's (Django 6.0).
_SNAPSHOT_VALUES = (
    "date",
    "province_id",
    "installs",
    "installs_with_phone",
    "smartphone_users",
    "population",
    "rate",
    "rank",
    "ranked_count",
)


def _ranked_snapshots(denominator: str, **date_filter) -> QuerySet:
    """Snapshots with rate, rank and ranked_count among the same day's provinces."""
    return (
        InstallSnapshot.objects.filter(**date_filter)
        .annotate(
            population=F("province__population_2019"),
            rate=_rate(denominator, population="province__population_2019"),
        )
        .annotate(**_rank_windows([F("date")]))
    )


def _numbers(row: dict, denominator: str) -> tuple[int | None, int | None]:
    numerator, denominator_name = _fraction(denominator)
    return row.get(numerator), row.get(denominator_name)


def _after_ranking(**lookups) -> Q:
    """A filter applied to ranked rows, not before ranking.

    Django applies a plain filter in WHERE, before window functions run, so filtering a
    ranked queryset on its province would rank that province alone. A condition that also
    mentions the rank goes to Django's QUALIFY emulation (an outer query over the ranked
    rows); the OR keeps the province condition together with it.
    """
    return Q(rank__isnull=True, **lookups) | Q(rank__isnull=False, **lookups)


def _rank_or_none(rate, rank):
    return rank if rate is not None else None


# --- public selectors -----------------------------------------------------------------


def install_date_range() -> tuple[dt.date | None, dt.date | None]:
    """The first and the latest day with install figures."""
    bounds = InstallSnapshot.objects.aggregate(first=Min("date"), latest=Max("date"))
    return bounds["first"], bounds["latest"]


def install_rank_table(*, on: dt.date, denominator: str = Denominator.POPULATION) -> list[RankRow]:
    """All 63 provinces on a day, best rate first, with RANK() (ties share a rank and the
    next rank is skipped). Provinces without a rate that day come last, without a rank."""
    rows = (
        Province.objects.annotate(
            snap=FilteredRelation("install_snapshots", condition=Q(install_snapshots__date=on))
        )
        .annotate(
            snap_date=F("snap__date"),
            installs=F("snap__installs"),
            installs_with_phone=F("snap__installs_with_phone"),
            smartphone_users=F("snap__smartphone_users"),
            population=F("population_2019"),
            rate=_rate(denominator, snap="snap__", population="population_2019"),
        )
        .annotate(**_rank_windows([]))
        .order_by(F("rate").desc(nulls_last=True), "code")
        .values(
            "code",
            "short_name",
            "iso_3166_2",
            "snap_date",
            "installs",
            "installs_with_phone",
            "smartphone_users",
            "population",
            "rate",
            "rank",
            "ranked_count",
        )
    )
    return [
        RankRow(
            date=r["snap_date"],
            province_code=r["code"],
            province_name=r["short_name"],
            iso_3166_2=r["iso_3166_2"],
            population=r["population"],
            installs=r["installs"],
            installs_with_phone=r["installs_with_phone"],
            smartphone_users=r["smartphone_users"],
            numerator=_numbers(r, denominator)[0],
            denominator=_numbers(r, denominator)[1],
            rate=r["rate"],
            rank=_rank_or_none(r["rate"], r["rank"]),
            ranked_count=r["ranked_count"],
        )
        for r in rows
    ]


def province_install_headline(
    *, province: Province, on: dt.date, denominator: str = Denominator.POPULATION
) -> InstallHeadline:
    """The province's rate and rank on a day ("6/63"), and a week earlier."""
    previous = on - WEEK
    rows = {
        r["date"]: r
        for r in _ranked_snapshots(denominator, date__in=[on, previous])
        .filter(_after_ranking(province_id=province.pk))
        .values(*_SNAPSHOT_VALUES)
    }
    now, before = rows.get(on, {}), rows.get(previous, {})
    return InstallHeadline(
        province_code=province.pk,
        province_name=province.short_name,
        on=on,
        denominator=Denominator(denominator).value,
        installs=now.get("installs"),
        numerator=_numbers(now, denominator)[0],
        rate=now.get("rate"),
        rank=_rank_or_none(now.get("rate"), now.get("rank")),
        ranked_count=now.get("ranked_count") or 0,
        previous_date=previous,
        previous_rate=before.get("rate"),
        previous_rank=_rank_or_none(before.get("rate"), before.get("rank")),
    )


def province_install_trend(
    *,
    province: Province,
    date_from: dt.date,
    date_to: dt.date,
    denominator: str = Denominator.POPULATION,
) -> list[TrendPoint]:
    """The province's rate and rank on each day of the range, ranked among each day's
    provinces in one query (the window is partitioned by date)."""
    rows = (
        _ranked_snapshots(denominator, date__range=(date_from, date_to))
        .filter(_after_ranking(province_id=province.pk))
        .order_by("date")
        .values(*_SNAPSHOT_VALUES)
    )
    return [
        TrendPoint(
            date=r["date"],
            installs=r["installs"],
            numerator=_numbers(r, denominator)[0],
            denominator=_numbers(r, denominator)[1],
            rate=r["rate"],
            rank=_rank_or_none(r["rate"], r["rank"]),
            ranked_count=r["ranked_count"],
        )
        for r in rows
    ]


def install_targets(
    *,
    province: Province,
    on: dt.date,
    denominator: str = Denominator.POPULATION,
    target_rate: Decimal | None = None,
) -> InstallTargets:
    """What the province needs on a day: the installs that would strictly pass the
    province ranked just above it, and the installs that would reach `target_rate`
    (a percentage, 50 for 50%). With the smartphone denominator both count installs with
    a verified phone number, the rate's numerator."""
    own = (
        _ranked_snapshots(denominator, date=on)
        .filter(_after_ranking(province_id=province.pk))
        .values(*_SNAPSHOT_VALUES)
        .first()
    ) or {}
    numerator, denominator_value = _numbers(own, denominator)
    rate = own.get("rate")
    rank = _rank_or_none(rate, own.get("rank"))

    above = None
    if rate is not None:
        # The province just above: the lowest rate strictly higher than this one.
        above = (
            _ranked_snapshots(denominator, date=on)
            .filter(_after_ranking(rate__gt=rate))
            .order_by("rate", "province_id")
            .values(*_SNAPSHOT_VALUES, "province__short_name")
            .first()
        )
    to_next = None
    if above is not None:
        above_numerator, above_denominator = _numbers(above, denominator)
        # The smallest n with n / d > a / b is floor(a * d / b) + 1, in exact integers.
        to_next = above_numerator * denominator_value // above_denominator + 1 - numerator

    to_target = None
    if target_rate is not None and denominator_value:
        wanted = math.ceil(Fraction(target_rate) * denominator_value / 100)
        to_target = max(0, wanted - numerator)

    return InstallTargets(
        on=on,
        denominator=Denominator(denominator).value,
        numerator=numerator,
        denominator_value=denominator_value,
        rate=rate,
        rank=rank,
        next_rank=above["rank"] if above else None,
        next_province_name=above["province__short_name"] if above else "",
        next_rate=above["rate"] if above else None,
        installs_to_next_rank=to_next,
        target_rate=target_rate,
        installs_to_target=to_target,
    )


def national_install_trend(
    *, date_from: dt.date, date_to: dt.date, denominator: str = Denominator.POPULATION
) -> list[NationalDay]:
    """National totals per day. The rate divides by the provinces that reported that day
    (population, or smartphone users of the provinces that have that figure)."""
    if Denominator(denominator) == Denominator.SMARTPHONE:
        numerator = Sum("installs_with_phone", filter=Q(smartphone_users__gt=0))
        denominator_sum = Sum("smartphone_users", filter=Q(smartphone_users__gt=0))
    else:
        numerator = Sum("installs")
        denominator_sum = Sum("province__population_2019")
    rows = (
        InstallSnapshot.objects.filter(date__range=(date_from, date_to))
        .values("date")
        .annotate(
            total_installs=Sum("installs"),
            total_with_phone=Sum("installs_with_phone"),
            total_population=Sum("province__population_2019"),
            total_smartphone_users=Sum("smartphone_users"),
            provinces_reporting=Count("id"),
            rate_numerator=numerator,
            rate_denominator=denominator_sum,
        )
        .annotate(
            rate=Case(
                When(
                    rate_denominator__gt=0,
                    then=Cast(F("rate_numerator"), FloatField())
                    / Cast(F("rate_denominator"), FloatField()),
                ),
                output_field=FloatField(),
            ),
        )
        .order_by("date")
    )
    return [
        NationalDay(
            date=r["date"],
            installs=r["total_installs"],
            installs_with_phone=r["total_with_phone"],
            population=r["total_population"],
            smartphone_users=r["total_smartphone_users"],
            provinces_reporting=r["provinces_reporting"],
            rate=r["rate"],
        )
        for r in rows
    ]


def dashboard_province(*, actor, province_code: str | None) -> Province | None:
    """The province whose view the actor gets: their own; for national administrators the
    one they asked for, or None for the national view. Another province's code from a
    province user is a 404, as if it did not exist."""
    if actor.sees_all_provinces:
        if province_code:
            return get_object_or_404(Province, code=province_code)
        return None
    if province_code and not actor_can_see_province(actor, province_code):
        raise Http404
    if actor.province_id is None:
        raise Http404
    return Province.objects.get(code=actor.province_id)


@dataclass(frozen=True)
class NationalHeadline:
    on: dt.date
    denominator: str
    installs: int | None
    provinces_reporting: int
    rate: float | None
    previous_date: dt.date
    previous_rate: float | None

    @property
    def rate_change(self) -> float | None:
        if self.rate is None or self.previous_rate is None:
            return None
        return self.rate - self.previous_rate


def national_install_headline(
    *, on: dt.date, denominator: str = Denominator.POPULATION
) -> NationalHeadline:
    """The national rate on a day and a week earlier."""
    previous = on - WEEK
    days = {
        d.date: d
        for d in national_install_trend(date_from=previous, date_to=on, denominator=denominator)
        if d.date in (on, previous)
    }
    now, before = days.get(on), days.get(previous)
    return NationalHeadline(
        on=on,
        denominator=Denominator(denominator).value,
        installs=now.installs if now else None,
        provinces_reporting=now.provinces_reporting if now else 0,
        rate=now.rate if now else None,
        previous_date=previous,
        previous_rate=before.rate if before else None,
    )
