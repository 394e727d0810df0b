"""django-import-export widgets that read cells the Vietnamese way and write them back.

`clean` turns a cell into a value (None when empty) or raises CellError; `render` writes a
value for export. Both the admin and the fast importer call these, so a header, a date or
a phone number is read one way everywhere. `clean_with_note` also returns a remark for the
preview (a retired phone prefix that was converted).
"""

import datetime as dt
import re
from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import widgets

from tracing_portal.cases.phones import format_vn, mask, parse_vn_mobile

from . import cells
from .cells import CellError

MEMO_MAX = 50_000
_DIGIT = re.compile(r"\d")


class CellWidget(widgets.Widget):
    """Base: a blank cell is None; subclasses read a non-blank one in `parse`.

    A widget whose cells repeat (a district, a sex, a date) sets `memo = True`: each
    distinct cell is read once per import, which is most of the speed of a large file."""

    memo = False

    def __init__(self, *, required: bool = False):
        super().__init__(coerce_to_string=False)
        self.required = required
        self._memo: dict = {}

    def clean(self, value, row=None, **kwargs):
        if cells.is_blank(value):
            if self.required:
                raise CellError(_("This cell is empty."))
            return None
        return self.parse(value)

    def clean_with_note(self, value) -> tuple[object, str | None]:
        if not self.memo:
            return self._clean_with_note(value)
        key = (type(value), value)
        try:
            hit = self._memo[key]
        except KeyError:
            try:
                hit = (True, self._clean_with_note(value))
            except CellError as exc:
                hit = (False, str(exc))
            except TypeError:  # not hashable: not memoised
                return self._clean_with_note(value)
            if len(self._memo) < MEMO_MAX:
                self._memo[key] = hit
        if hit[0]:
            return hit[1]
        raise CellError(hit[1])

    def _clean_with_note(self, value) -> tuple[object, str | None]:
        return self.clean(value), None

    def parse(self, value):
        return cells.text(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value


class TextWidget(CellWidget):
    def __init__(self, *, max_length: int, required: bool = False, upper: bool = False):
        super().__init__(required=required)
        self.max_length = max_length
        self.upper = upper

    def parse(self, value):
        s = cells.text(value)
        if self.upper:
            s = s.upper()
        if len(s) > self.max_length:
            raise CellError(
                _("The text is too long: %(length)s characters, at most %(max)s.")
                % {"length": len(s), "max": self.max_length}
            )
        return s

    def render(self, value, obj=None, **kwargs):
        return value or ""


class NameWidget(TextWidget):
    """A person's full name: letters, not a total row ("Tổng cộng: 25") or a number."""

    def parse(self, value):
        s = super().parse(value)
        if _DIGIT.search(s):
            raise CellError(
                _("“%(value)s” is not a person's name (it contains digits).") % {"value": s}
            )
        return s


class CodeWidget(TextWidget):
    """A person code as written in a sheet: a portal code (HD-000123) or a sheet's own."""

    def __init__(self, *, max_length: int = 32, required: bool = False):
        super().__init__(max_length=max_length, required=required, upper=True)

    def parse(self, value):
        return super().parse(value).replace(" ", "")


class YearWidget(CellWidget):
    """A year of birth: 1980, 1980.0, "1980", or a date of birth (its year is kept)."""

    memo = True

    def parse(self, value):
        this_year = timezone.localdate().year
        if isinstance(value, dt.date):
            year = value.year
        else:
            raw = cells.text(value)
            try:
                year = cells.whole_number(value)
            except CellError:
                try:
                    year = cells.date_day_first(raw).year
                except CellError:
                    year = None
            if year is None or year < 1000:
                raise CellError(
                    _("“%(value)s” is not a year of birth (write a year such as 1985).")
                    % {"value": raw}
                )
        if not (1900 <= year <= this_year):
            raise CellError(
                _("The year of birth %(value)s is not between 1900 and %(year)s.")
                % {"value": year, "year": this_year}
            )
        return year


class DayFirstDateWidget(CellWidget):
    """A date, day first; optionally not in the future and not before `earliest`."""

    memo = True

    def __init__(
        self,
        *,
        required: bool = False,
        allow_future: bool = False,
        earliest: dt.date | None = None,
    ):
        super().__init__(required=required)
        self.allow_future = allow_future
        self.earliest = earliest

    def parse(self, value):
        day = cells.date_day_first(value)
        if day is None:
            return None
        return cells.check_date_range(day, earliest=self.earliest, allow_future=self.allow_future)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{value.day:02d}/{value.month:02d}/{value.year}"


class DateTimeWidget(CellWidget):
    """Export only: a time in the portal's time zone, dd/mm/yyyy hh:mm."""

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        tz = self.__dict__.get("_tz")
        if tz is None:
            # Looked up once per export: the current time zone does not change mid-file.
            tz = self._tz = timezone.get_current_timezone()
        v = value.astimezone(tz)
        return f"{v.day:02d}/{v.month:02d}/{v.year} {v.hour:02d}:{v.minute:02d}"


class CountWidget(CellWidget):
    """A whole number of zero or more, also when typed as text with thousands separators."""

    def parse(self, value):
        return cells.whole_number(value)


class NationalIdWidget(CellWidget):
    """A CMND (9 digits) or CCCD (12 digits). A number cell lost its leading zero (every
    CCCD starts with 0, its province code): it is put back."""

    def parse(self, value):
        was_number = isinstance(value, int | float) and not isinstance(value, bool)
        digits = cells.digits_text(value)
        if was_number and len(digits) in (8, 11):
            digits = "0" + digits
        if not digits.isdigit() or len(digits) not in (9, 12):
            raise CellError(
                _("“%(value)s” is not a national ID: a CMND has 9 digits, a CCCD 12.")
                % {"value": cells.text(value)}
            )
        return digits


def phone_national(e164: str) -> str:
    """+84912345678 -> 0912 345 678, without a '+' (a cell starting with '+' is a formula
    to a spreadsheet). The common mobile ranges are formatted here, fast; the rest by
    phonenumbers."""
    if not e164:
        return ""
    if e164.startswith("+84") and len(e164) == 12 and e164[3] in "35789":
        nsn = e164[3:]
        return f"0{nsn[:3]} {nsn[3:6]} {nsn[6:]}"
    return format_vn(e164).lstrip("+")


class PhoneWidget(CellWidget):
    """A Vietnamese mobile number through the portal's one parser (`parse_vn_mobile`).
    Export masks it (091****678) unless the resource was made with full numbers."""

    def __init__(self, *, required: bool = False, full: bool = False):
        super().__init__(required=required)
        self.full = full

    def _parsed(self, value):
        raw = cells.digits_text(value) if isinstance(value, int | float) else cells.text(value)
        try:
            return parse_vn_mobile(raw)
        except ValidationError as exc:
            raise CellError(" ".join(exc.messages)) from None

    def parse(self, value):
        return self._parsed(value).e164

    def _clean_with_note(self, value):
        if cells.is_blank(value):
            return self.clean(value), None
        parsed = self._parsed(value)
        note = None
        if parsed.converted_from:
            note = _("The retired number %(old)s was converted to its new form %(new)s.") % {
                "old": parsed.converted_from,
                "new": "0" + parsed.e164[3:],
            }
        return parsed.e164, note

    def render(self, value, obj=None, **kwargs):
        if not value:
            return ""
        return phone_national(value) if self.full else mask(value)


class WordsWidget(CellWidget):
    """One of a list of values, written as any of its words ("Nữ", "nu", "F"). The first
    word of each value is what export writes."""

    memo = True

    def __init__(
        self,
        words: Mapping[object, Sequence[str]],
        *,
        required: bool = False,
        fallback: object = None,
    ):
        super().__init__(required=required)
        self.words = dict(words)
        self.fallback = fallback
        self.lookup = {}
        for value, names in self.words.items():
            for name in names:
                self.lookup[cells.word_key(name)] = value
            self.lookup.setdefault(cells.word_key(str(value)), value)

    def parse(self, value):
        key = cells.word_key(value)
        if key in self.lookup:
            return self.lookup[key]
        raise CellError(
            _("“%(value)s” is not one of: %(choices)s.")
            % {
                "value": cells.text(value),
                "choices": ", ".join(names[0] for names in self.words.values()),
            }
        )

    def _clean_with_note(self, value):
        """With a fallback, a word not in the list is read as the fallback, and said so."""
        if self.fallback is None or cells.is_blank(value):
            return self.clean(value), None
        key = cells.word_key(value)
        if key in self.lookup:
            return self.lookup[key], None
        return self.fallback, _("“%(value)s” was read as “%(as)s”.") % {
            "value": cells.text(value),
            "as": self.words[self.fallback][0],
        }

    def render(self, value, obj=None, **kwargs):
        if value is None or value == "":
            return ""
        names = self.words.get(value)
        return names[0] if names else str(value)


class LevelWidget(WordsWidget):
    """F0..F5, also written 0..5 (numbers read as floats too)."""

    def __init__(self, *, max_level: int, required: bool = False):
        super().__init__(
            {level: (f"F{level}", str(level)) for level in range(max_level + 1)},
            required=required,
        )

    def parse(self, value):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return super().parse(value)


class ProvinceWidget(CellWidget):
    """A province by GSO code (30, "30", 30.0) or name ("Hải Dương", "Tỉnh Hải Dương",
    "TP Hà Nội"). Export writes the code, or the name with `as_name`."""

    memo = True

    def __init__(self, *, as_name: bool = False, required: bool = False):
        super().__init__(required=required)
        self.as_name = as_name
        self._lookup: dict[str, str] | None = None
        self._names: dict[str, str] = {}

    def _load(self) -> dict[str, str]:
        if self._lookup is None:
            from tracing_portal.geo.models import Province

            lookup: dict[str, str] = {}
            for code, name, short_name, iso in Province.objects.values_list(
                "code", "name", "short_name", "iso_3166_2"
            ):
                self._names[code] = short_name
                lookup[code] = code
                lookup[cells.header_key(iso)] = code
                for label in (name, short_name):
                    key = cells.header_key(label)
                    lookup[key] = code
                    for prefix in ("tinh ", "thanh pho ", "tp "):
                        if key.startswith(prefix):
                            lookup[key.removeprefix(prefix)] = code
                lookup["tp " + cells.header_key(short_name)] = code
            self._lookup = lookup
        return self._lookup

    def parse(self, value):
        key = cells.header_key(value)
        if key.isdigit():
            key = key.zfill(2)
        code = self._load().get(key)
        if code is None:
            raise CellError(_("Unknown province “%(value)s”.") % {"value": cells.text(value)})
        return code

    def render(self, value, obj=None, **kwargs):
        if not value:
            return ""
        code = getattr(value, "pk", value)
        if self.as_name:
            self._load()
            return self._names.get(code, code)
        return code


class DistrictWidget(CellWidget):
    """A district of one province, by name with or without its kind ("Huyện Cẩm Giàng",
    "Cẩm Giàng", "TP Hải Dương") or by GSO code. The province is set by the resource."""

    memo = True

    PREFIXES = ("huyen ", "quan ", "thi xa ", "thanh pho ", "tp ", "tx ", "q ", "h ")

    def __init__(self, *, required: bool = False):
        super().__init__(required=required)
        self.province_id: str | None = None
        self._lookup: dict[str, str | None] | None = None
        self._names: dict[str, str] = {}

    def set_province(self, province_id: str | None) -> None:
        self.province_id = province_id
        self._lookup = None

    def _load(self) -> dict[str, str | None]:
        if self._lookup is None:
            from tracing_portal.geo.models import District

            lookup: dict[str, str | None] = {}
            qs = District.objects.all()
            if self.province_id:
                qs = qs.filter(province_id=self.province_id)
            for code, name, short_name in qs.values_list("code", "name", "short_name"):
                self._names[code] = name
                keys = {code, cells.header_key(name), cells.header_key(short_name)}
                full = cells.header_key(name)
                for prefix in self.PREFIXES:
                    if full.startswith(prefix):
                        keys.add(full.removeprefix(prefix))
                if full.startswith("thanh pho "):
                    keys.add("tp " + full.removeprefix("thanh pho "))
                if full.startswith("thi xa "):
                    keys.add("tx " + full.removeprefix("thi xa "))
                for key in keys:
                    # A short name shared by two districts ("Thành phố X", "Huyện X") is
                    # ambiguous: None, and the full name is needed.
                    lookup[key] = code if lookup.get(key, code) == code else None
            self._lookup = lookup
        return self._lookup

    def parse(self, value):
        key = cells.header_key(value)
        lookup = self._load()
        if key.isdigit():
            key = key.zfill(3)
        if key not in lookup:
            raise CellError(
                _("Unknown district “%(value)s” in this province.") % {"value": cells.text(value)}
            )
        code = lookup[key]
        if code is None:
            raise CellError(
                _("“%(value)s” names two districts: write the full name (Huyện…, Thành phố…).")
                % {"value": cells.text(value)}
            )
        return code

    def render(self, value, obj=None, **kwargs):
        return value or ""


def other_province_message(code: str, own_code: str) -> str:
    from tracing_portal.geo.models import Province

    names = dict(Province.objects.filter(pk__in=[code, own_code]).values_list("pk", "short_name"))
    return _("This row is for %(other)s; you can import only into %(own)s.") % {
        "other": names.get(code, code),
        "own": names.get(own_code, own_code),
    }
