"""Synthetic install statistics per province, calibrated to published figures.

The national total follows Bluezone's published curve, interpolated linearly. Each province
gets a deterministic share of it. The shares reproduce the published rates of 20 Aug 2020
(installs ÷ 2019 population: Đà Nẵng 37.3%, Hà Nội 29.0%, Quảng Ninh 27.2%, TP Hồ Chí Minh
25.5%, Bắc Ninh 22.0%, Hải Dương 6th of 63 with 21.52%). Shares then drift slowly, and
Hải Dương's rises through its outbreak of early 2021, so that on 19 Jun 2021 its installs
with a verified phone (688,900) are 49.26% of its smartphone users. After the calibration
day the provinces' rates slowly converge, as late adopters caught up during 2021.
"""

import csv
import random
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "provinces_2019.csv"

LAUNCH = date(2020, 4, 18)
CALIBRATION_DAY = date(2020, 8, 20)
NATIONAL_CURVE = [
    (LAUNCH, 200_000),
    (date(2020, 8, 10), 10_000_000),
    (CALIBRATION_DAY, 19_400_000),
    (date(2021, 3, 2), 30_000_000),
    (date(2021, 6, 26), 38_000_000),
]
# After the last published point: slow growth, levelling off.
GROWTH_PER_DAY = 4_000
NATIONAL_CEILING = 42_000_000

HAI_DUONG = "30"
# Published rates on CALIBRATION_DAY, highest first; Hải Dương is 6th.
PUBLISHED_RATES = {
    "48": 0.373,
    "01": 0.290,
    "22": 0.272,
    "79": 0.255,
    "27": 0.220,
    HAI_DUONG: 0.2152,
}
OTHER_RATE_RANGE = (0.08, 0.212)

# Hải Dương on 19 Jun 2021: 688,900 installs with a verified phone = 49.26% of smartphone users.
HD_CHECK_DAY = date(2021, 6, 19)
HD_WITH_PHONE_ON_CHECK_DAY = 688_900
HD_SMARTPHONE_USERS = 1_398_500
HD_PHONE_SHARE = 0.62
HD_OUTBREAK = (date(2021, 1, 27), date(2021, 3, 15))
# How far the provinces' rates have converged to the national rate, by this day and after.
CONVERGENCE = (date(2021, 9, 30), 0.5)


@dataclass(frozen=True)
class ProvinceModel:
    code: str
    population: int
    calibrated_installs: int  # installs on CALIBRATION_DAY
    relative_rate: float  # its rate on CALIBRATION_DAY ÷ the national rate
    drift_per_year: float
    phone_share: float
    smartphone_users: int | None


@dataclass(frozen=True)
class Calibration:
    provinces: tuple[ProvinceModel, ...]
    hd_boost: float


@cache
def populations() -> dict[str, int]:
    with DATA_FILE.open(encoding="utf-8") as f:
        return {row["gso_code"]: int(row["population_2019"]) for row in csv.DictReader(f)}


def national_installs(on: date) -> float | None:
    """Bluezone's installs across the country on a day, or None before launch."""
    if on < LAUNCH:
        return None
    for (d0, v0), (d1, v1) in zip(NATIONAL_CURVE, NATIONAL_CURVE[1:], strict=False):
        if d0 <= on <= d1:
            return v0 + (v1 - v0) * (on - d0).days / (d1 - d0).days
    last_day, last_value = NATIONAL_CURVE[-1]
    return min(NATIONAL_CEILING, last_value + GROWTH_PER_DAY * (on - last_day).days)


def _other_rates(weights: list[tuple[int, float]], target: float) -> list[float]:
    """Rates in OTHER_RATE_RANGE, spread as `u ** k`; k is chosen so the installs sum to target."""
    lo, hi = OTHER_RATE_RANGE

    def total(k):
        return sum(pop * (lo + (hi - lo) * u**k) for pop, u in weights)

    k_lo, k_hi = 1e-4, 100.0  # total() falls as k rises
    for _ in range(200):
        mid = (k_lo + k_hi) / 2
        if total(mid) > target:
            k_lo = mid
        else:
            k_hi = mid
    k = (k_lo + k_hi) / 2
    return [lo + (hi - lo) * u**k for _pop, u in weights]


@cache
def calibration(seed: int) -> Calibration:
    rng = random.Random(f"bluezone-sandbox:installs:{seed}")
    pops = populations()
    codes = sorted(pops)
    national = dict(NATIONAL_CURVE)[CALIBRATION_DAY]

    installs = {code: round(rate * pops[code]) for code, rate in PUBLISHED_RATES.items()}
    others = [c for c in codes if c not in PUBLISHED_RATES]
    draws = [(pops[c], rng.random()) for c in others]
    rates = _other_rates(draws, national - sum(installs.values()))
    for code, rate in zip(others, rates, strict=True):
        installs[code] = round(rate * pops[code])
    # Rounding leaves a few installs over or under: the most populous other province takes them.
    largest = max(others, key=pops.__getitem__)
    installs[largest] += national - sum(installs.values())

    models = []
    for code in codes:
        drift = 0.0 if code == HAI_DUONG else rng.uniform(-0.06, 0.1)
        phone_share = HD_PHONE_SHARE if code == HAI_DUONG else rng.uniform(0.56, 0.64)
        if code == HAI_DUONG:
            smartphones = HD_SMARTPHONE_USERS
        elif rng.random() < 0.5:
            smartphones = round(pops[code] * rng.uniform(0.6, 0.85) / 100) * 100
        else:
            smartphones = None
        if code == HAI_DUONG:
            # Exactly the published number of installs with a phone on HD_CHECK_DAY.
            phone_share = HD_WITH_PHONE_ON_CHECK_DAY / round(
                HD_WITH_PHONE_ON_CHECK_DAY / HD_PHONE_SHARE
            )
        relative = installs[code] / pops[code] / (national / sum(pops.values()))
        models.append(
            ProvinceModel(
                code, pops[code], installs[code], relative, drift, phone_share, smartphones
            )
        )
    provinces = tuple(models)

    # The boost that puts Hải Dương's installs on HD_CHECK_DAY at the published figure.
    target_installs = round(HD_WITH_PHONE_ON_CHECK_DAY / HD_PHONE_SHARE)
    share = target_installs / national_installs(HD_CHECK_DAY)
    hd = next(p for p in provinces if p.code == HAI_DUONG)
    rest = sum(_weight(p, HD_CHECK_DAY, 1.0) for p in provinces if p is not hd)
    hd_boost = share * rest / (_weight(hd, HD_CHECK_DAY, 1.0) * (1 - share))
    return Calibration(provinces, hd_boost)


def _weight(p: ProvinceModel, on: date, hd_boost: float) -> float:
    """The province's installs on the day, before scaling to the national total."""
    days = (on - CALIBRATION_DAY).days
    until, most = CONVERGENCE
    converged = most * min(1.0, max(0.0, days / (until - CALIBRATION_DAY).days))
    relative = (1 - converged) * p.relative_rate + converged
    years = min(2.0, max(-0.5, days / 365.25))
    weight = p.population * relative * (1 + p.drift_per_year * years)
    if p.code == HAI_DUONG:
        start, end = HD_OUTBREAK
        if on >= end:
            weight *= hd_boost
        elif on > start:
            weight *= 1 + (hd_boost - 1) * (on - start).days / (end - start).days
    return weight


@dataclass(frozen=True)
class ProvinceInstallRow:
    province_code: str
    installs: int
    installs_with_phone: int
    smartphone_users: int | None


def install_rows(on: date, *, seed: int) -> list[ProvinceInstallRow] | None:
    """One row per province for the day, or None before launch."""
    national = national_installs(on)
    if national is None:
        return None
    cal = calibration(seed)
    weights = [_weight(p, on, cal.hd_boost) for p in cal.provinces]
    total = sum(weights)
    rows = []
    for p, weight in zip(cal.provinces, weights, strict=True):
        installs = round(national * weight / total)
        rows.append(
            ProvinceInstallRow(
                province_code=p.code,
                installs=installs,
                installs_with_phone=round(installs * p.phone_share),
                smartphone_users=p.smartphone_users,
            )
        )
    return rows


@cache
def subscriber_province_table(seed: int) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """Province codes with cumulative shares, for spreading synthetic subscribers."""
    cal = calibration(seed)
    total = sum(p.calibrated_installs for p in cal.provinces)
    cumulative, running = [], 0.0
    for p in cal.provinces:
        running += p.calibrated_installs / total
        cumulative.append(running)
    cumulative[-1] = 1.0
    return tuple(p.code for p in cal.provinces), tuple(cumulative)
