import random
from collections import Counter

import phonenumbers
import pytest
from django.core.exceptions import ValidationError

from tracing_portal.cases.phones import (
    RETIRED_PREFIXES,
    NumberKind,
    format_vn,
    mask,
    number_kind,
    parse_vn_mobile,
)


@pytest.mark.parametrize(
    "raw",
    [
        "0912 345 678",
        "+84 912 345 678",
        "84912345678",
        "912345678",
        "0912.345.678",
        "(091) 234-5678",
        "0084912345678",
    ],
)
def test_accepted_forms_of_one_number(raw):
    parsed = parse_vn_mobile(raw)
    assert parsed.e164 == "+84912345678"
    assert parsed.converted_from is None


@pytest.mark.parametrize(
    "raw,new",
    [
        ("0162 345 6789", "+84323456789"),
        ("0169 345 6789", "+84393456789"),
        ("01203456789", "+84703456789"),
        ("01213456789", "+84793456789"),
        ("01223456789", "+84773456789"),
        ("01263456789", "+84763456789"),
        ("01283456789", "+84783456789"),
        ("01233456789", "+84833456789"),
        ("01243456789", "+84843456789"),
        ("01253456789", "+84853456789"),
        ("01273456789", "+84813456789"),
        ("01293456789", "+84823456789"),
        ("01863456789", "+84563456789"),
        ("01883456789", "+84583456789"),
        ("01993456789", "+84593456789"),
        ("+84 168 345 6789", "+84383456789"),
        ("841683456789", "+84383456789"),
    ],
)
def test_retired_prefixes_are_converted_and_reported(raw, new):
    parsed = parse_vn_mobile(raw)
    assert parsed.e164 == new
    assert parsed.converted_from is not None
    assert parsed.converted_from.startswith("01")


def test_every_retired_prefix_of_the_2018_table_is_known():
    assert len(RETIRED_PREFIXES) == 8 + 10 + 3


@pytest.mark.parametrize(
    "raw,code",
    [
        ("", "required"),
        ("   ", "required"),
        ("0912 34", "length"),
        ("09123456789", "length"),
        ("0912-345-67a", "malformed"),
        ("+1 202 555 0100", "not_vn"),
        ("024 3825 1234", "not_mobile"),
        ("0212345678", "unallocated"),
        ("0112345678", "unallocated"),
    ],
)
def test_bad_inputs_get_a_clear_reason(raw, code):
    with pytest.raises(ValidationError) as info:
        parse_vn_mobile(raw)
    assert info.value.code == code
    assert str(info.value.messages[0])


def test_unallocated_message_says_so():
    from django.utils import translation

    with pytest.raises(ValidationError) as info:
        parse_vn_mobile("0212345678")
    with translation.override("en"):
        assert "not an allocated" in info.value.messages[0]
    with translation.override("vi"):
        assert "không phải số đã được cấp" in info.value.messages[0]


def test_format_and_mask():
    assert format_vn("+84912345678") == "0912 345 678"
    assert mask("+84912345678") == "091****678"
    assert mask("") == ""


def _kind_by_phonenumbers(nsn: str) -> NumberKind:
    number = phonenumbers.parse("+84" + nsn, None)
    if not phonenumbers.is_valid_number(number):
        return NumberKind.INVALID
    mobile = (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    return NumberKind.MOBILE if phonenumbers.number_type(number) in mobile else NumberKind.OTHER


def test_number_kind_decides_every_prefix_as_phonenumbers_does():
    """The import's fast check against phonenumbers itself: every 4-digit start of a 9-digit
    number (the mobile length), and every 3-digit start at the other lengths, 0 included."""
    rng = random.Random(2020)
    seen = Counter()

    def check(start: str, length: int):
        nsn = start + "".join(rng.choice("0123456789") for _ in range(length - len(start)))
        expected = _kind_by_phonenumbers(nsn)
        assert number_kind(nsn) is expected, nsn
        seen[expected] += 1

    for start in range(10_000):
        check(f"{start:04d}", 9)
    for start in range(1000):
        for length in (7, 8, 10):
            check(f"{start:03d}", length)
    assert min(seen[kind] for kind in NumberKind) > 100, seen


def test_a_parsed_mobile_is_phonenumbers_e164():
    for raw in ("0352 123 456", "0868 000 111", "+84 99 512 3456", "0523 456 789"):
        parsed = parse_vn_mobile(raw)
        number = phonenumbers.parse(raw, "VN")
        assert parsed.e164 == phonenumbers.format_number(
            number, phonenumbers.PhoneNumberFormat.E164
        )
