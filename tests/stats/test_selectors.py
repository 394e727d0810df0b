import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from django.http import Http404

from tracing_portal.accounts.roles import Role
from tracing_portal.geo.models import Province
from tracing_portal.stats.selectors import (
    dashboard_province,
    install_date_range,
    install_rank_table,
    install_targets,
    national_install_headline,
    national_install_trend,
    province_install_headline,
    province_install_trend,
)

from .conftest import DAY, DN, HCM, HD, HN, ON_DAY

WEEK_BEFORE = DAY - dt.timedelta(days=7)


def by_code(rows):
    return {r.province_code: r for r in rows}


def test_rank_table_ranks_by_population_rate_with_ties_sharing_a_rank(day):
    rows = install_rank_table(on=DAY, denominator="population")
    table = by_code(rows)
    assert [r.province_code for r in rows[:4]] == [HN, HD, DN, HCM]  # ties by code
    assert {c: table[c].rate for c in ON_DAY} == {HN: 0.3, HD: 0.2, DN: 0.2, HCM: 0.1}
    # Two provinces tie for 2nd, so nobody is 3rd.
    assert {c: table[c].rank for c in ON_DAY} == {HN: 1, HD: 2, DN: 2, HCM: 4}
    assert table[HD].rank_label == "2/4"
    assert table[HD].numerator == 200_000 and table[HD].denominator == 1_000_000


def test_rank_table_lists_all_63_provinces_and_those_without_figures_last_unranked(day):
    rows = install_rank_table(on=DAY, denominator="population")
    assert len(rows) == 63
    assert all(r.rate is None and r.rank is None for r in rows[4:])
    assert all(r.ranked_count == 4 for r in rows)


def test_smartphone_rate_divides_installs_with_phone_by_smartphone_users(day):
    table = by_code(install_rank_table(on=DAY, denominator="smartphone"))
    assert {c: table[c].rate for c in ON_DAY} == {HN: 0.3, HD: 0.25, DN: None, HCM: 0.5}
    assert {c: table[c].rank for c in ON_DAY} == {HN: 2, HD: 3, DN: None, HCM: 1}
    assert table[HD].rank_label == "3/3"
    assert table[HD].numerator == 100_000 and table[HD].denominator == 400_000


def test_smartphone_ties_share_a_rank_and_the_population_order_differs(round_populations, put_day):
    put_day(
        DAY,
        {
            HN: (150_000, 100_000, 400_000),  # 25% of smartphone users; 15% of population
            HD: (300_000, 50_000, 200_000),  # 25% (tie); 30%
            DN: (400_000, 10_000, 100_000),  # 10%; 40%
            HCM: (500_000, 100_000, None),  # no smartphone figure; 50%
        },
    )
    smartphone = by_code(install_rank_table(on=DAY, denominator="smartphone"))
    assert {c: smartphone[c].rank for c in ON_DAY} == {HN: 1, HD: 1, DN: 3, HCM: None}
    assert smartphone[HD].rank_label == "1/3"
    population = by_code(install_rank_table(on=DAY, denominator="population"))
    assert {c: population[c].rank for c in ON_DAY} == {HCM: 1, DN: 2, HD: 3, HN: 4}
    # The headline ranks with the same window, per denominator.
    hd = Province.objects.get(code=HD)
    assert province_install_headline(province=hd, on=DAY, denominator="smartphone").rank_label == (
        "1/3"
    )
    assert province_install_headline(province=hd, on=DAY, denominator="population").rank_label == (
        "3/4"
    )


def test_headline_gives_rate_rank_and_change_since_a_week_earlier(day, put_day):
    put_day(
        WEEK_BEFORE,
        {
            HN: (100_000, 0, None),
            HD: (110_000, 0, None),
            DN: (120_000, 0, None),
            HCM: (200_000, 0, None),
        },
    )
    hd = Province.objects.get(code=HD)
    headline = province_install_headline(province=hd, on=DAY, denominator="population")
    assert headline.rate == 0.2
    assert headline.rank_label == "2/4"
    assert headline.previous_rank == 3
    assert headline.rank_change == 1 and headline.places_up == 1 and headline.places_down == 0
    assert headline.rate_change == pytest.approx(0.09)


def test_headline_without_figures_a_week_earlier_has_no_change(day):
    headline = province_install_headline(
        province=Province.objects.get(code=HD), on=DAY, denominator="population"
    )
    assert headline.rank == 2
    assert headline.previous_rate is None and headline.rate_change is None
    assert headline.rank_change is None


def test_trend_ranks_each_day_among_that_days_provinces_in_one_query(
    round_populations, put_day, django_assert_num_queries
):
    put_day(
        DAY - dt.timedelta(days=2),
        {HN: (100_000, 0, None), HD: (300_000, 0, None), HCM: (50_000, 0, None)},
    )
    put_day(
        DAY - dt.timedelta(days=1),
        {
            HN: (350_000, 0, None),
            HD: (300_000, 0, None),
            DN: (100_000, 0, None),
            HCM: (400_000, 0, None),
        },
    )
    put_day(DAY, ON_DAY)
    hd = Province.objects.get(code=HD)
    with django_assert_num_queries(1):
        trend = province_install_trend(
            province=hd,
            date_from=DAY - dt.timedelta(days=10),
            date_to=DAY,
            denominator="population",
        )
    assert [p.date for p in trend] == [DAY - dt.timedelta(days=2), DAY - dt.timedelta(days=1), DAY]
    assert [p.rank for p in trend] == [1, 3, 2]
    assert [p.ranked_count for p in trend] == [3, 4, 4]
    assert [p.rate for p in trend] == [0.3, 0.3, 0.2]


def test_targets_count_installs_to_strictly_pass_the_province_above(day):
    hd = Province.objects.get(code=HD)
    targets = install_targets(province=hd, on=DAY, denominator="population")
    # Hà Nội is above at 300,000 / 1,000,000: passing it needs 300,001.
    assert targets.next_rank == 1 and targets.next_province_name == "Hà Nội"
    assert targets.installs_to_next_rank == 100_001


def test_targets_treat_a_tie_above_as_one_step(day):
    hcm = Province.objects.get(code=HCM)
    targets = install_targets(province=hcm, on=DAY, denominator="population")
    assert targets.rank == 4
    assert targets.next_rank == 2
    assert targets.installs_to_next_rank == 100_001


def test_first_place_has_no_next_rank(day):
    targets = install_targets(province=Province.objects.get(code=HN), on=DAY)
    assert targets.rank == 1
    assert targets.installs_to_next_rank is None and targets.next_rank is None


@pytest.mark.parametrize(
    "target,needed",
    [
        (Decimal("25"), 50_000),
        (Decimal("20.0001"), 1),
        (Decimal("12.5"), 0),
        (Decimal("100"), 800_000),
    ],
)
def test_targets_count_installs_to_reach_a_target_rate(day, target, needed):
    targets = install_targets(
        province=Province.objects.get(code=HD), on=DAY, denominator="population", target_rate=target
    )
    assert targets.installs_to_target == needed


def test_smartphone_targets_count_installs_with_a_phone(day):
    targets = install_targets(
        province=Province.objects.get(code=HD),
        on=DAY,
        denominator="smartphone",
        target_rate=Decimal("50"),
    )
    # Hà Nội: 150,000 / 500,000 = 30%; 30% of Hải Dương's 400,000 is 120,000, so 120,001.
    assert targets.installs_to_next_rank == 20_001
    assert targets.installs_to_target == 100_000


def test_targets_are_exact_with_real_populations(put_day):
    # The published 20 Aug 2020 figures: Hà Nội 2,334,000; Hải Dương 21.52% of 1,892,254.
    put_day(DAY, {HN: (2_334_000, 0, None), HD: (407_213, 0, None)})
    targets = install_targets(province=Province.objects.get(code=HD), on=DAY)
    hn_rate = Fraction(2_334_000, 8_053_663)
    reached = 407_213 + targets.installs_to_next_rank
    assert Fraction(reached, 1_892_254) > hn_rate
    assert Fraction(reached - 1, 1_892_254) <= hn_rate


def test_national_trend_sums_provinces_per_day(day):
    [population_day] = national_install_trend(date_from=DAY, date_to=DAY, denominator="population")
    assert population_day.installs == 800_000
    assert population_day.population == 4_000_000
    assert population_day.provinces_reporting == 4
    assert population_day.rate == 0.2
    [smartphone_day] = national_install_trend(date_from=DAY, date_to=DAY, denominator="smartphone")
    # Đà Nẵng has no smartphone figure: 300,000 with a phone over 1,000,000 smartphone users.
    assert smartphone_day.rate == 0.3


def test_national_headline_compares_with_a_week_earlier(day, put_day):
    put_day(WEEK_BEFORE, {HN: (100_000, 0, None), HD: (100_000, 0, None)})
    headline = national_install_headline(on=DAY, denominator="population")
    assert headline.rate == 0.2 and headline.previous_rate == 0.1
    assert headline.rate_change == pytest.approx(0.1)


def test_date_range_spans_the_snapshots(day, put_day):
    put_day(WEEK_BEFORE, {HN: (1, 0, None)})
    assert install_date_range() == (WEEK_BEFORE, DAY)


def test_province_user_gets_their_own_province(make_user):
    official = make_user(Role.OFFICIAL, HD)
    assert dashboard_province(actor=official, province_code=None).code == HD
    assert dashboard_province(actor=official, province_code=HD).code == HD


def test_province_user_cannot_get_another_provinces_view(make_user):
    official = make_user(Role.OFFICIAL, HD)
    with pytest.raises(Http404):
        dashboard_province(actor=official, province_code=HN)


def test_national_admin_gets_the_country_or_any_province(national_admin):
    assert dashboard_province(actor=national_admin, province_code=None) is None
    assert dashboard_province(actor=national_admin, province_code=HN).code == HN
    with pytest.raises(Http404):
        dashboard_province(actor=national_admin, province_code="99")
