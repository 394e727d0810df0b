"""Vietnamese mobile numbers: parse what people type, convert retired prefixes, format, mask."""

import enum
import re
from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# 11-digit mobile prefixes retired in 2018 (national significant number, without the 0),
# mapped to the 10-digit prefixes that replaced them.
RETIRED_PREFIXES = {
    **{f"16{d}": f"3{d}" for d in "23456789"},
    "120": "70",
    "121": "79",
    "122": "77",
    "126": "76",
    "128": "78",
    "123": "83",
    "124": "84",
    "125": "85",
    "127": "81",
    "129": "82",
    "186": "56",
    "188": "58",
    "199": "59",
}

_SEPARATORS = re.compile(r"[\s.\-()/]")


@dataclass(frozen=True)
class ParsedPhone:
    e164: str
    converted_from: str | None = None

    @property
    def msisdn(self) -> str:
        return self.e164.lstrip("+")


def parse_vn_mobile(raw: str) -> ParsedPhone:
    """Accept "0912 345 678", "+84 912 345 678", "84912345678", "912345678" and the
    retired 11-digit forms ("0168 123 4567"). Raise ValidationError with a clear reason."""
    text = _SEPARATORS.sub("", (raw or "").strip())
    if not text:
        raise ValidationError(_("Enter a phone number."), code="required")
    if text.startswith("+"):
        if not text.startswith("+84"):
            raise ValidationError(
                _("Only Vietnamese mobile numbers (+84) are accepted."), code="not_vn"
            )
        text = text[1:]
    if not text.isdigit():
        raise ValidationError(
            _("A phone number may contain only digits, spaces and a leading +."),
            code="malformed",
        )
    if text.startswith("0084"):
        nsn = text[4:]
    elif text.startswith("84") and len(text) in (11, 12):
        nsn = text[2:]
    elif text.startswith("0"):
        nsn = text[1:]
    else:
        nsn = text
    converted_from = None
    if len(nsn) == 10 and nsn[:3] in RETIRED_PREFIXES:
        converted_from = "0" + nsn
        nsn = RETIRED_PREFIXES[nsn[:3]] + nsn[3:]
    if len(nsn) != 9:
        if len(nsn) == 10 and phonenumbers.is_valid_number(phonenumbers.parse("+84" + nsn, None)):
            raise ValidationError(
                _("%(value)s is not a mobile number. Bluezone and SMS need a mobile number."),
                code="not_mobile",
                params={"value": raw},
            )
        raise ValidationError(
            _("%(value)s has the wrong number of digits for a Vietnamese mobile number."),
            code="length",
            params={"value": raw},
        )
    kind = number_kind(nsn)
    if kind is NumberKind.INVALID:
        raise ValidationError(
            _("%(value)s is not an allocated Vietnamese number (unknown prefix 0%(prefix)s)."),
            code="unallocated",
            params={"value": raw, "prefix": nsn[:2]},
        )
    if kind is not NumberKind.MOBILE:
        raise ValidationError(
            _("%(value)s is not a mobile number. Bluezone and SMS need a mobile number."),
            code="not_mobile",
            params={"value": raw},
        )
    return ParsedPhone(e164="+84" + nsn, converted_from=converted_from)


class NumberKind(enum.Enum):
    MOBILE = "mobile"  # phonenumbers' MOBILE or FIXED_LINE_OR_MOBILE
    OTHER = "other"  # a valid number of another kind (fixed line, toll free, ...)
    INVALID = "invalid"


def _desc_matcher(desc):
    """phonenumbers' _is_number_matching_desc for one description, compiled once."""
    if desc is None or not desc.national_number_pattern:
        return lambda nsn: False
    pattern = re.compile(desc.national_number_pattern)
    lengths = frozenset(desc.possible_length)
    return lambda nsn: (not lengths or len(nsn) in lengths) and pattern.fullmatch(nsn) is not None


_VN = phonenumbers.PhoneMetadata.metadata_for_region("VN")
_GENERAL = _desc_matcher(_VN.general_desc)
_FIXED_LINE = _desc_matcher(_VN.fixed_line)
_MOBILE = _desc_matcher(_VN.mobile)
_SPECIAL = tuple(
    _desc_matcher(getattr(_VN, name))
    for name in (
        "premium_rate",
        "toll_free",
        "shared_cost",
        "voip",
        "personal_number",
        "pager",
        "uan",
        "voicemail",
    )
    if getattr(_VN, name) is not None
)


def number_kind(nsn: str) -> NumberKind:
    """The kind of a Vietnamese national significant number (digits, no leading 0), decided
    as phonenumbers' number_type decides it, from the same metadata, without building a
    PhoneNumber: an import checks 100,000 numbers, and that took a third of its time."""
    if nsn.startswith("0"):
        # phonenumbers would read the 0 as the national prefix: let it decide.
        number = phonenumbers.parse("+84" + nsn, None)
        if not phonenumbers.is_valid_number(number):
            return NumberKind.INVALID
        return (
            NumberKind.MOBILE
            if phonenumbers.number_type(number) in _MOBILE_TYPES
            else NumberKind.OTHER
        )
    if not _GENERAL(nsn):
        return NumberKind.INVALID
    if any(matches(nsn) for matches in _SPECIAL):
        return NumberKind.OTHER
    if _FIXED_LINE(nsn):
        if _VN.same_mobile_and_fixed_line_pattern or _MOBILE(nsn):
            return NumberKind.MOBILE
        return NumberKind.OTHER
    if not _VN.same_mobile_and_fixed_line_pattern and _MOBILE(nsn):
        return NumberKind.MOBILE
    return NumberKind.INVALID


_MOBILE_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)


def format_vn(e164: str) -> str:
    """+84912345678 -> 0912 345 678."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def mask(e164: str) -> str:
    """+84912345678 -> 091****678: enough to recognise, not enough to call."""
    if not e164:
        return ""
    national = "0" + e164[3:] if e164.startswith("+84") else e164
    if len(national) < 7:
        return "*" * len(national)
    return national[:3] + "*" * (len(national) - 6) + national[-3:]
