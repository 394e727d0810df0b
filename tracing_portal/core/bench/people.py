"""Realistic Vietnamese people for the generated province: names (with their folded form),
valid mobile numbers, national IDs and addresses. Deterministic for a given seed."""

import random

from tracing_portal.core.text import fold

# Family names with their approximate shares in Vietnam (Nguyễn about 38%).
FAMILY = [
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 5.1), ("Huỳnh", 1),
    ("Vũ", 3.9), ("Võ", 1), ("Phan", 4.5), ("Trương", 1), ("Bùi", 2), ("Đặng", 2.1),
    ("Đỗ", 1.4), ("Ngô", 1.3), ("Hồ", 1.3), ("Dương", 1), ("Đinh", 1), ("Lương", 0.6),
    ("Mạc", 0.4), ("Tạ", 0.4), ("Trịnh", 0.6), ("Lưu", 0.4), ("Cao", 0.5), ("Đoàn", 0.6),
]  # fmt: skip
MIDDLE_MALE = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Thành", "Xuân", "Mạnh", "Tiến",
               "Ngọc", "Anh", "Duy", "Trọng", "Đình", "Bá", "Thế", "Quốc"]  # fmt: skip
MIDDLE_FEMALE = ["Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Phương", "Kim", "Diệu", "Minh",
                 "Bích", "Thùy", "Khánh", "Mai", "Hải", "Lan", "Quỳnh"]  # fmt: skip
GIVEN_MALE = ["Hùng", "Dũng", "Nam", "Long", "Tuấn", "Hải", "Sơn", "Thắng", "Cường", "Phong",
              "Quân", "Huy", "Khánh", "Đạt", "Trung", "Hiếu", "Vinh", "Bình", "An", "Toàn",
              "Tùng", "Thịnh", "Phúc", "Kiên", "Lâm", "Hoàng", "Đức", "Tâm", "Việt",
              "Khoa"]  # fmt: skip
GIVEN_FEMALE = ["Lan", "Hương", "Mai", "Hạnh", "Thảo", "Trang", "Linh", "Hoa", "Nga", "Yến",
                "Hằng", "Huyền", "Loan", "Nhung", "Oanh", "Phượng", "Quyên", "Tâm", "Vân",
                "Xuân", "Anh", "Ngân", "Giang", "Hà", "Thủy", "Dung", "Liên", "Ánh",
                "Chi"]  # fmt: skip
STREETS = ["Trần Hưng Đạo", "Nguyễn Lương Bằng", "Thanh Niên", "Lê Thanh Nghị", "Ngô Quyền",
           "Điện Biên Phủ", "Hồng Quang", "Bạch Đằng", "Quang Trung", "Chi Lăng", "Nguyễn Trãi",
           "Lê Lợi", "Trần Phú", "Tuệ Tĩnh", "Phạm Ngũ Lão", "Yết Kiêu"]  # fmt: skip
# Mobile prefixes in use since 2018 (Viettel, VinaPhone, MobiFone, Vietnamobile).
MOBILE_PREFIXES = ["96", "97", "98", "86", "32", "33", "34", "35", "36", "37", "38", "39",
                   "91", "94", "88", "81", "82", "83", "84", "85", "90", "93", "89", "70",
                   "76", "77", "78", "79", "92", "56", "58"]  # fmt: skip

_FAMILY_NAMES = [name for name, _share in FAMILY]
_FAMILY_WEIGHTS = [share for _name, share in FAMILY]
_FOLD_CACHE: dict[str, str] = {}


def _folded(part: str) -> str:
    folded = _FOLD_CACHE.get(part)
    if folded is None:
        folded = _FOLD_CACHE[part] = fold(part)
    return folded


def person_name(rng: random.Random, *, male: bool) -> tuple[str, str]:
    """A full name and its folded form (as `tracing_portal.core.text.fold` makes it)."""
    family = rng.choices(_FAMILY_NAMES, _FAMILY_WEIGHTS)[0]
    if male:
        middle, given = rng.choice(MIDDLE_MALE), rng.choice(GIVEN_MALE)
    else:
        middle, given = rng.choice(MIDDLE_FEMALE), rng.choice(GIVEN_FEMALE)
    full = f"{family} {middle} {given}"
    return full, f"{_folded(family)} {_folded(middle)} {_folded(given)}"


def mobile_e164(serial: int) -> str:
    """A valid Vietnamese mobile number in E.164, distinct for every serial below 10**7 ×
    the number of prefixes."""
    prefix = MOBILE_PREFIXES[serial % len(MOBILE_PREFIXES)]
    rest = (serial // len(MOBILE_PREFIXES) * 7_919 + 1_234_567) % 10_000_000
    return f"+84{prefix}{rest:07d}"


def has_phone(case_id: int) -> bool:
    """Whether a generated person has a phone on file (about 92% do), decided by the id so
    that traced contacts can be given the phone of a person already on file."""
    return (case_id * 2_654_435_761) % 100 < 92


def national_id(rng: random.Random, *, serial: int, male: bool, year: int, province: str) -> str:
    """A 12-digit citizen ID card number: province code, century and sex, year, serial."""
    century = 0 if year < 2000 else 2
    sex = 0 if male else 1
    number = (serial * 7_877 + rng.randrange(7)) % 1_000_000
    return f"0{province}{century + sex}{year % 100:02d}{number:06d}"


def address(rng: random.Random) -> str:
    return f"Số {rng.randint(1, 320)} {rng.choice(STREETS)}"
