"""Plain types shared by the stats services, importer and selectors."""

from dataclasses import dataclass
from typing import Protocol

from django.db import models
from django.utils.translation import gettext_lazy as _


class SnapshotRowLike(Protocol):
    """One province's figures on one day; the Bluezone client's `ProvinceInstalls` is one."""

    province_code: str
    installs: int
    installs_with_phone: int
    smartphone_users: int | None


@dataclass(frozen=True)
class SnapshotRow:
    province_code: str
    installs: int
    installs_with_phone: int
    smartphone_users: int | None = None


class Denominator(models.TextChoices):
    """What an install rate is divided by.

    POPULATION: installs ÷ the 2019 census population.
    SMARTPHONE: installs with a verified phone number ÷ smartphone users. The numerator is
    the phone-verified installs because that is how the June 2021 figures were published
    ("Hải Dương had 688,900 users with a phone number: 40.40% of population and 49.26% of
    smartphone users"); a province without a smartphone figure has no rate and no rank.
    """

    POPULATION = "population", _("population")
    SMARTPHONE = "smartphone", _("smartphone users")
