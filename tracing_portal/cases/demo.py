"""A Hải Dương investigation as it looked in August 2020: four F0s with their chains."""

import datetime
import random

from tracing_portal.accounts.models import User
from tracing_portal.geo.models import District

from .models import Case, CaseStatus, F0Status, Quarantine, QuarantineFacility, Relation, Sex
from .services import case_add_contact, case_create, case_relevel, case_verify

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


def seed(*, stdout) -> None:
    if Case.objects.filter(province_id="30").exists():
        stdout.write("Cases: the Hải Dương investigation is already loaded.")
        return
    police = User.objects.get(username="hd.police")
    cdc = User.objects.get(username="hd.cdc")
    rng = random.Random(2020)
    districts = {d.short_name: d for d in District.objects.filter(province_id="30")}
    facilities = [
        QuarantineFacility.objects.get_or_create(
            province_id="30", name=name, defaults={"address": address, "capacity": capacity}
        )[0]
        for name, address, capacity in FACILITIES
    ]
    start = datetime.date(2020, 7, 28)
    people = 0
    f1_to_relevel = None
    for index, (name, sex, year, district, n_f1, relation) in enumerate(F0S):
        f0 = case_create(
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
        ).case
        case_verify(actor=cdc, case=f0)
        people += 1
        for j in range(n_f1):
            f1 = case_add_contact(
                actor=police,
                source=f0,
                relation=relation if j % 3 else Relation.HOUSEHOLD,
                exposure_date=start + datetime.timedelta(days=index + j % 4),
                district=districts[district],
                bluezone_status=rng.choice(["installed", "not_installed", "unknown"]),
                quarantine=Quarantine.HOME if j % 2 else Quarantine.FACILITY,
                facility=None if j % 2 else facilities[j % 2],
                **_person(rng),
            ).case
            people += 1
            if j < n_f1 - 2:
                case_verify(actor=cdc, case=f1)
                case_verify(actor=police, case=f1)
            if index == 0 and j == 0:
                f1_to_relevel = f1
            for k in range(rng.randint(0, 3)):
                f2 = case_add_contact(
                    actor=police,
                    source=f1,
                    relation=rng.choice(
                        [Relation.HOUSEHOLD, Relation.NEIGHBOUR, Relation.RELATIVE]
                    ),
                    exposure_date=start + datetime.timedelta(days=index + 2 + k),
                    district=districts[district],
                    status=CaseStatus.ACTIVE if k else CaseStatus.RELEASED,
                    **_person(rng),
                ).case
                people += 1
                if k == 0:
                    case_add_contact(
                        actor=police,
                        source=f2,
                        relation=Relation.HOUSEHOLD,
                        district=districts[district],
                        **_person(rng),
                    )
                    people += 1
    if f1_to_relevel is not None:
        case_relevel(actor=cdc, case=f1_to_relevel, to="f0")
    stdout.write(f"Cases: {people} people in Hải Dương, in {len(F0S)} chains.")
