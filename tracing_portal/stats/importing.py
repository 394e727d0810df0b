"""Reading install figures from a CSV file.

Kept small and separate on purpose: a later change moves spreadsheet imports to
django-import-export, and only this module should need replacing.

Columns (header names in English or Vietnamese, any case, with or without diacritics):
province (GSO code such as 30 or a name such as Hải Dương; "Mã tỉnh" or "Tỉnh/Thành phố"),
date ("Ngày": dd/mm/yyyy or yyyy-mm-dd, never month first), installs ("Số lượt cài
Bluezone"), installs_with_phone ("Số lượt cài có số điện thoại") and, optionally,
smartphone_users ("Số người dùng điện thoại thông minh").
"""

import csv
import datetime as dt
import re
from collections.abc import Iterable
from typing import IO

from django.utils.translation import gettext as _

from tracing_portal.core.exceptions import ApplicationError
from tracing_portal.core.text import fold
from tracing_portal.geo.models import Province

from .types import SnapshotRow

MAX_REPORTED_PROBLEMS = 50

# Folded header -> column. Folding removes case, diacritics and punctuation.
HEADER_ALIASES = {
    "province_code": [
        "province code",
        "province_code",
        "code",
        "gso code",
        "ma tinh",
        "ma tinh thanh pho",
        "ma",
    ],
    "province_name": [
        "province",
        "province name",
        "tinh thanh pho",
        "tinh tp",
        "tinh",
        "ten tinh",
        "tinh thanh",
    ],
    "date": ["date", "ngay", "ngay thang", "ngay bao cao"],
    "installs": ["installs", "so luot cai bluezone", "so luot cai", "luot cai", "so cai dat"],
    "installs_with_phone": [
        "installs with phone",
        "so luot cai co so dien thoai",
        "so luot cai co sdt",
        "co so dien thoai",
        "so nguoi dung co so dien thoai",
        "nguoi dung co so dien thoai",
    ],
    "smartphone_users": [
        "smartphone users",
        "so nguoi dung dien thoai thong minh",
        "nguoi dung dien thoai thong minh",
        "so nguoi dung smartphone",
        "so thue bao smartphone",
    ],
}
REQUIRED = ("date", "installs", "installs_with_phone")

_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")
_INT = re.compile(r"^\d+$")
_GROUPED_INT = re.compile(r"^\d{1,3}(?:([.,\u00a0 ])\d{3})(?:\1\d{3})*$")


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split())


def _province_lookup() -> dict[str, str]:
    lookup = {}
    for code, name, short_name, iso in Province.objects.values_list(
        "code", "name", "short_name", "iso_3166_2"
    ):
        lookup[code] = code
        lookup[_key(iso)] = code
        for label in (name, short_name):
            key = _key(label)
            lookup[key] = code
            for prefix in ("tinh ", "thanh pho ", "tp "):
                if key.startswith(prefix):
                    lookup[key.removeprefix(prefix)] = code
            lookup["tp " + _key(short_name)] = code
    return lookup


def _columns(header: list[str]) -> dict[str, int]:
    aliases = {alias: column for column, names in HEADER_ALIASES.items() for alias in names}
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        column = aliases.get(_key(title))
        if column and column not in found:
            found[column] = index
    missing = [c for c in REQUIRED if c not in found]
    if "province_code" not in found and "province_name" not in found:
        missing.insert(0, "province")
    if missing:
        raise ApplicationError(
            _(
                "The file lacks the columns %(missing)s. Expected a header row with: "
                "province (or “Mã tỉnh” / “Tỉnh/Thành phố”), date (“Ngày”), installs "
                "(“Số lượt cài Bluezone”), installs_with_phone and, optionally, "
                "smartphone_users."
            )
            % {"missing": ", ".join(missing)}
        )
    return found


def _parse_date(value: str) -> dt.date:
    value = value.strip()
    if match := _ISO.match(value):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DMY.match(value):
        day, month, year = (int(g) for g in match.groups())
    else:
        raise ValueError(
            _("“%(value)s” is not a date (use dd/mm/yyyy or yyyy-mm-dd).") % {"value": value}
        )
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(_("“%(value)s” is not a real date.") % {"value": value}) from None


def _parse_count(value: str, label: str, *, required: bool) -> int | None:
    value = value.strip()
    if not value:
        if required:
            raise ValueError(_("The %(column)s column is empty.") % {"column": label})
        return None
    if _INT.match(value):
        return int(value)
    if _GROUPED_INT.match(value):
        return int(re.sub(r"\D", "", value))
    raise ValueError(
        _("The %(column)s value “%(value)s” is not a whole number of zero or more.")
        % {"column": label, "value": value}
    )


def _cell(row: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    return row[index].strip() if index is not None and index < len(row) else ""


def _sniff_dialect(first_line: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(first_line, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def install_csv_parse(*, file: IO[str]) -> dict[dt.date, list[SnapshotRow]]:
    """Read every row, or raise ApplicationError listing each bad row by its row number
    (the header is row 1). Returns the rows grouped by date."""
    lines = iter(file)
    first = next(lines, "").lstrip("\ufeff")
    if not first.strip():
        raise ApplicationError(_("The file is empty."))
    reader = csv.reader(_chain([first], lines), dialect=_sniff_dialect(first))
    columns = _columns(next(reader))
    lookup = _province_lookup()
    labels = {
        "installs": _("installs"),
        "installs_with_phone": _("installs with phone"),
        "smartphone_users": _("smartphone users"),
    }

    by_date: dict[dt.date, list[SnapshotRow]] = {}
    first_seen: dict[tuple[str, dt.date], int] = {}
    problems: list[str] = []
    row_number = 1
    for row in reader:
        row_number += 1
        if not any(cell.strip() for cell in row):
            continue
        try:
            raw_province = _cell(row, columns, "province_code") or _cell(
                row, columns, "province_name"
            )
            if not raw_province:
                raise ValueError(_("The province is empty."))
            key = _key(raw_province)
            code = lookup.get(key.zfill(2) if key.isdigit() else key)
            if code is None:
                raise ValueError(_("Unknown province “%(value)s”.") % {"value": raw_province})
            day = _parse_date(_cell(row, columns, "date"))
            installs = _parse_count(
                _cell(row, columns, "installs"), labels["installs"], required=True
            )
            with_phone = _parse_count(
                _cell(row, columns, "installs_with_phone"),
                labels["installs_with_phone"],
                required=True,
            )
            smartphone_users = _parse_count(
                _cell(row, columns, "smartphone_users"),
                labels["smartphone_users"],
                required=False,
            )
            if with_phone > installs:
                raise ValueError(
                    _("Installs with phone (%(with_phone)s) exceed installs (%(installs)s).")
                    % {"with_phone": with_phone, "installs": installs}
                )
            if (code, day) in first_seen:
                raise ValueError(
                    _("This province and date already appear in row %(row)s.")
                    % {"row": first_seen[(code, day)]}
                )
        except ValueError as exc:
            problems.append(_("Row %(row)s: %(problem)s") % {"row": row_number, "problem": exc})
            continue
        first_seen[(code, day)] = row_number
        by_date.setdefault(day, []).append(
            SnapshotRow(
                province_code=code,
                installs=installs,
                installs_with_phone=with_phone,
                smartphone_users=smartphone_users,
            )
        )

    if problems:
        shown = problems[:MAX_REPORTED_PROBLEMS]
        if len(problems) > len(shown):
            shown.append(_("…and %(count)s more problems.") % {"count": len(problems) - len(shown)})
        raise ApplicationError(
            _("Nothing was imported. %(problems)s") % {"problems": " ".join(shown)},
            extra={"problems": problems},
        )
    if not by_date:
        raise ApplicationError(_("The file has a header but no rows."))
    return by_date


def _chain(*iterables: Iterable[str]) -> Iterable[str]:
    for iterable in iterables:
        yield from iterable
