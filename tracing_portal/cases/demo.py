"""A Hải Dương investigation as it looked in August 2020: four F0s with their chains.

The services stamp "now"; after each step the demo moves what that step stamped to the
time it happened in the story (`restamp_people`): the F0s were entered over the August
weeks, their contacts in the hours and days after, each verified hours after entry.
"""

import datetime
import random
from zoneinfo import ZoneInfo

from django.db import models
from django.db.models import F, QuerySet, Value, When
from django.utils import timezone

from tracing_portal.accounts.models import User
from tracing_portal.geo.models import District

from .models import (
    Case,
    CaseHistory,
    CaseStatus,
    ContactLink,
    F0Status,
    InstallAsk,
    Quarantine,
    QuarantineFacility,
    Relation,
    Sex,
)
from .services import case_create, case_relevel, case_verify

HO_CHI_MINH = ZoneInfo("Asia/Ho_Chi_Minh")
# The days the investigation's records fall in, for the dashboard's tracing figures.
DEMO_PERIOD = (datetime.date(2020, 8, 1), datetime.date(2020, 8, 31))

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý"]
MIDDLE_M = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Công"]
MIDDLE_F = ["Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Phương"]
GIVEN_M = ["Hùng", "Dũng", "Nam", "Long", "Tuấn", "Hải", "Sơn", "Thắng", "Cường", "Phong"]
GIVEN_F = ["Lan", "Hương", "Mai", "Hạnh", "Thảo", "Trang", "Linh", "Hoa", "Nga", "Yến"]
PREFIXES = ["91", "98", "97", "86", "35", "36", "37", "38", "39", "83", "84", "85", "70", "77"]
STREETS = ["Trần Hưng Đạo", "Nguyễn Lương Bằng", "Thanh Niên", "Lê Thanh Nghị", "Ngô Quyền"]

FACILITIES = [
    ("Khu cách ly tập trung Trường Quân sự tỉnh", "Xã Cẩm Điền, huyện Cẩm Giàng", 400),
    ("Ký túc xá Trường Cao đẳng Y tế Hải Dương", "Số 1 Vũ Hựu, TP Hải Dương", 250),
]

# (name, sex, year, district short name, F1 count, relation of the F1s)
F0S = [
    ("Nguyễn Văn Thành", Sex.MALE, 1974, "Hải Dương", 9, Relation.WORKPLACE),
    ("Phạm Thị Thu Hà", Sex.FEMALE, 1985, "Cẩm Giàng", 6, Relation.HOUSEHOLD),
    ("Trần Đức Minh", Sex.MALE, 1992, "Kinh Môn", 5, Relation.TRAVEL),
    ("Vũ Thị Hồng", Sex.FEMALE, 1968, "Chí Linh", 4, Relation.HEALTHCARE),
]
# When each F0 was entered, and how long CDC took to verify it.
F0_ENTERED = [
    datetime.datetime(2020, 8, 1, 9, 20, tzinfo=HO_CHI_MINH),
    datetime.datetime(2020, 8, 6, 7, 5, tzinfo=HO_CHI_MINH),
    datetime.datetime(2020, 8, 12, 8, 30, tzinfo=HO_CHI_MINH),
    datetime.datetime(2020, 8, 19, 16, 45, tzinfo=HO_CHI_MINH),
]
F0_VERIFIED_AFTER = [
    datetime.timedelta(hours=2, minutes=30),
    datetime.timedelta(hours=3, minutes=15),
    datetime.timedelta(hours=1, minutes=15),
    datetime.timedelta(hours=3, minutes=25),
]
# The first F0's first F1 tested positive three days after being entered.
RELEVEL_AFTER = datetime.timedelta(days=3, hours=1)

# Every time a service stamps on a person.
PERSON_TIMES = [
    "created_at",
    "updated_at",
    "classification_verified_at",
    "identity_verified_at",
    "verified_at",
    "rejected_at",
    "closed_at",
    "bluezone_checked_at",
]


def restamp_people(people: QuerySet[Case], *, since: datetime.datetime, at: datetime.datetime):
    """Move every time a service stamped on these people at or after `since` (their record,
    history, asks to install and further sources) to `at`: when it happened in the demo's
    story. Demo data only: the portal itself never rewrites a time."""
    ids = list(people.values_list("pk", flat=True))  # before the times they are chosen by move
    people.update(
        **{
            field: models.Case(
                When(**{f"{field}__gte": since}, then=Value(at)),
                default=F(field),
                output_field=models.DateTimeField(),
            )
            for field in PERSON_TIMES
        }
    )
    CaseHistory.objects.filter(case__in=ids, at__gte=since).update(at=at)
    InstallAsk.objects.filter(case__in=ids, asked_at__gte=since).update(asked_at=at)
    ContactLink.objects.filter(case__in=ids, created_at__gte=since).update(
        created_at=at, updated_at=at
    )


def _person(rng: random.Random) -> dict:
    sex = rng.choice([Sex.MALE, Sex.FEMALE])
    middle, given = (MIDDLE_M, GIVEN_M) if sex == Sex.MALE else (MIDDLE_F, GIVEN_F)
    return {
        "full_name": f"{rng.choice(FAMILY)} {rng.choice(middle)} {rng.choice(given)}",
        "sex": sex,
        "year_of_birth": rng.randint(1945, 2015),
        "phone": "0" + rng.choice(PREFIXES) + f"{rng.randint(0, 9_999_999):07d}",
        "address": f"Số {rng.randint(1, 200)} {rng.choice(STREETS)}",
    }


def _step(person: Case, at: datetime.datetime, service, **kwargs):
    """Run one service on the person, then date what it stamped `at`."""
    since = timezone.now()
    result = service(**kwargs)
    restamp_people(Case.objects.filter(pk=person.pk), since=since, at=at)
    return result


def _entered(at: datetime.datetime, **kwargs) -> Case:
    """case_create, dated `at`."""
    since = timezone.now()
    person = case_create(**kwargs).case
    restamp_people(Case.objects.filter(pk=person.pk), since=since, at=at)
    return person


def seed(*, stdout) -> None:
    if Case.objects.filter(province_id="30").exists():
        stdout.write("Cases: the Hải Dương investigation is already loaded.")
        return
    police = User.objects.get(username="hd.police")
    cdc = User.objects.get(username="hd.cdc")
    rng = random.Random(2020)
    # The times have their own generator, so the people stay who they were.
    clock = random.Random(808)
    districts = {d.short_name: d for d in District.objects.filter(province_id="30")}
    facilities = [
        QuarantineFacility.objects.get_or_create(
            province_id="30", name=name, defaults={"address": address, "capacity": capacity}
        )[0]
        for name, address, capacity in FACILITIES
    ]
    people = 0
    last_entry = F0_ENTERED[0]
    f1_to_relevel = None
    for index, (name, sex, year, district, n_f1, relation) in enumerate(F0S):
        entered = F0_ENTERED[index]
        verified = entered + F0_VERIFIED_AFTER[index]
        f0 = _entered(
            entered,
            actor=cdc,
            level=0,
            f0_status=F0Status.CONFIRMED if index < 3 else F0Status.SUSPECTED,
            full_name=name,
            sex=sex,
            year_of_birth=year,
            phone=_person(rng)["phone"],
            address=_person(rng)["address"],
            district=districts[district],
            bluezone_status="installed" if index != 2 else "not_installed",
            quarantine=Quarantine.FACILITY,
            facility=facilities[0],
            notes="Ca bệnh liên quan đến ổ dịch Đà Nẵng." if index == 0 else "",
        )
        _step(f0, verified, case_verify, actor=cdc, case=f0)
        people += 1
        for j in range(n_f1):
            # Police enter the F0's contacts through the day after the F0 is verified; the
            # contacts met the F0 in the days before it was found.
            f1_entered = verified + datetime.timedelta(minutes=45 + 60 * j + clock.randint(0, 20))
            f1_exposure = entered.date() - datetime.timedelta(days=1 + j % 4)
            f1 = _entered(
                f1_entered,
                actor=police,
                source=f0,
                relation=relation if j % 3 else Relation.HOUSEHOLD,
                exposure_date=f1_exposure,
                district=districts[district],
                bluezone_status=rng.choice(["installed", "not_installed", "unknown"]),
                quarantine=Quarantine.HOME if j % 2 else Quarantine.FACILITY,
                facility=None if j % 2 else facilities[j % 2],
                **_person(rng),
            )
            people += 1
            if j < n_f1 - 2:
                cdc_at = f1_entered + datetime.timedelta(minutes=clock.randint(120, 540))
                police_at = f1_entered + datetime.timedelta(minutes=clock.randint(180, 1200))
                _step(f1, cdc_at, case_verify, actor=cdc, case=f1)
                _step(f1, police_at, case_verify, actor=police, case=f1)
            if index == 0 and j == 0:
                f1_to_relevel = (f1, f1_entered)
            for k in range(rng.randint(0, 3)):
                f2_entered = f1_entered + datetime.timedelta(
                    hours=5, minutes=150 * k + clock.randint(0, 45)
                )
                f2 = _entered(
                    f2_entered,
                    actor=police,
                    source=f1,
                    relation=rng.choice(
                        [Relation.HOUSEHOLD, Relation.NEIGHBOUR, Relation.RELATIVE]
                    ),
                    exposure_date=min(
                        f1_exposure + datetime.timedelta(days=1 + k), f2_entered.date()
                    ),
                    district=districts[district],
                    status=CaseStatus.ACTIVE if k else CaseStatus.RELEASED,
                    **_person(rng),
                )
                people += 1
                last_entry = max(last_entry, f2_entered)
                if k == 0:
                    f3_entered = f2_entered + datetime.timedelta(
                        hours=26, minutes=clock.randint(0, 50)
                    )
                    _entered(
                        f3_entered,
                        actor=police,
                        source=f2,
                        relation=Relation.HOUSEHOLD,
                        district=districts[district],
                        **_person(rng),
                    )
                    people += 1
                    last_entry = max(last_entry, f3_entered)
    if f1_to_relevel is not None:
        # Everyone below them moves up a level at that time too.
        person, entered = f1_to_relevel
        since = timezone.now()
        case_relevel(actor=cdc, case=person, to="f0")
        restamp_people(
            Case.objects.filter(province_id="30"), since=since, at=entered + RELEVEL_AFTER
        )
    stdout.write(
        f"Cases: {people} people in Hải Dương, in {len(F0S)} chains, entered "
        f"{F0_ENTERED[0]:%d/%m}–{last_entry:%d/%m/%Y}."
    )
