"""One cell of a spreadsheet: the values people really type, and what the readers hand over.

python-calamine gives whole numbers as floats (2011.0), empty cells as '', and date cells
as date or datetime; the csv module gives strings. Dates are always read day first
(dd/mm/yyyy): a month-first date is refused with a message, never silently swapped.

Each parser returns a clean value (None for an empty cell) or raises CellError with a
message for the person who fixes the file. The widgets in `widgets.py` call these, so the
fast importer and django-import-export read a cell the same way.
"""

import datetime as dt
import re
import unicodedata

from django.utils import timezone
from django.utils.translation import gettext as _

from tracing_portal.core.text import fold


class CellError(ValueError):
    """A cell that cannot be read; str(exc) is the message shown with its row and column."""


# Excel's day 0 (it counts 1900 as a leap year, so serials from 61 on start here).
EXCEL_EPOCH = dt.date(1899, 12, 30)
# Serial numbers of 1 Jan 1900 and 31 Dec 2100: anything outside is not a date we accept.
EXCEL_SERIAL_MIN, EXCEL_SERIAL_MAX = 2, 73415

_DMY = re.compile(
    r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4}|\d{2})(?:[ T]+\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_GROUPED = re.compile(r"^\d{1,3}(?:([.,\u00a0 ])\d{3})(?:\1\d{3})*$")
_WHOLE_FLOAT_TEXT = re.compile(r"^(\d+)[.,]0+$")
# What export puts before a cell that a spreadsheet would run as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_OUR_APOSTROPHE = re.compile(r"^'(?=[=+\-@\t\r])")


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value) -> str:
    """The cell as one line of NFC text with single spaces; '' for an empty cell.

    A whole number read as a float comes back without '.0'. The apostrophe that export puts
    before a formula-like cell is removed again, so that an export re-imports unchanged."""
    if value is None:
        return ""
    if isinstance(value, str):
        s = value
    elif isinstance(value, bool):
        s = "1" if value else "0"
    elif isinstance(value, float):
        s = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, dt.datetime):
        s = value.strftime("%d/%m/%Y %H:%M") if value.time() != dt.time() else f"{value:%d/%m/%Y}"
    elif isinstance(value, dt.date):
        s = f"{value:%d/%m/%Y}"
    else:
        s = str(value)
    if not s:
        return ""
    if not s.isascii():
        s = unicodedata.normalize("NFC", s)
    s = " ".join(s.split())
    if s.startswith("'"):
        s = _OUR_APOSTROPHE.sub("", s)
    return s


def header_key(value) -> str:
    """How a header is matched: case, diacritics, punctuation and spacing do not count
    ("Tỉnh/Thành phố" = "tinh thanh pho", "SĐT" = "sdt")."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text(value))).split())


def word_key(value) -> str:
    """How a value from a list (sex, relation, Bluezone...) is matched."""
    return header_key(value)


def _real_date(year: int, month: int, day: int, raw: str) -> dt.date:
    if month > 12:
        if day <= 12:
            raise CellError(
                _(
                    "“%(value)s” is not a date: dates are read day first (dd/mm/yyyy) and there "
                    "is no month %(month)s. If you meant %(day)02d/%(month2)02d/%(year)s, write "
                    "it that way."
                )
                % {"value": raw, "month": month, "day": month, "month2": day, "year": year}
            )
        raise CellError(
            _("“%(value)s” is not a date (write dd/mm/yyyy, day first).") % {"value": raw}
        )
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(_("“%(value)s” is not a real date.") % {"value": raw}) from None


def excel_serial_date(number: float, raw) -> dt.date:
    if not (EXCEL_SERIAL_MIN <= number <= EXCEL_SERIAL_MAX):
        raise CellError(
            _("“%(value)s” is a number, not a date (write dd/mm/yyyy).") % {"value": raw}
        )
    return EXCEL_EPOCH + dt.timedelta(days=int(number))


def date_day_first(value) -> dt.date | None:
    """A date from an Excel date cell, an Excel serial number, dd/mm/yyyy (also with . or -
    and two-digit years) or yyyy-mm-dd. Never month first."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a date (write dd/mm/yyyy).") % {"value": value})
    if isinstance(value, int | float):
        return excel_serial_date(value, text(value))
    raw = text(value)
    if not raw:
        return None
    if match := _DMY.match(raw):
        day, month, year = (int(g) for g in match.groups())
        if year < 100:
            year += 2000
        return _real_date(year, month, day, raw)
    if match := _ISO.match(raw):
        year, month, day = (int(g) for g in match.groups())
        return _real_date(year, month, day, raw)
    if raw.isdigit() and len(raw) == 5:
        return excel_serial_date(int(raw), raw)
    raise CellError(_("“%(value)s” is not a date (write dd/mm/yyyy).") % {"value": raw})


def check_date_range(
    day: dt.date, *, earliest: dt.date | None = None, allow_future: bool = False
) -> dt.date:
    if not allow_future and day > timezone.localdate():
        raise CellError(
            _("%(date)s is in the future.") % {"date": day.strftime("%d/%m/%Y")},
        )
    if earliest is not None and day < earliest:
        raise CellError(
            _("%(date)s is before %(earliest)s.")
            % {"date": day.strftime("%d/%m/%Y"), "earliest": earliest.strftime("%d/%m/%Y")}
        )
    return day


def whole_number(value) -> int | None:
    """A whole number of zero or more: 1234, 1234.0, "1234", "1.234.567", "1,234,567",
    "1 234 567"."""
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": value})
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("“%(value)s” is not a whole number.") % {"value": text(value)})
        number = int(value)
    else:
        raw = text(value)
        if not raw:
            return None
        if raw.isdigit():
            number = int(raw)
        elif _GROUPED.match(raw):
            number = int(re.sub(r"\D", "", raw))
        elif match := _WHOLE_FLOAT_TEXT.match(raw):
            number = int(match.group(1))
        else:
            raise CellError(_("“%(value)s” is not a whole number.") % {"value": raw})
    if number < 0:
        raise CellError(_("“%(value)s” is negative.") % {"value": number})
    return number


def digits_text(value) -> str:
    """A code made of digits (a national ID): a number cell gives its digits back."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return text(value).replace(" ", "").replace(".", "")


def neutralise(value: str) -> str:
    """A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a
    leading apostrophe, so it is shown as text."""
    if value and value[0] in FORMULA_STARTS:
        return "'" + value
    return value
