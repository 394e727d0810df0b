"""Opening an uploaded file as rows, one at a time.

xlsx (and xls, ods) through python-calamine, CSV through the csv module. A CSV may be
UTF-8, UTF-8 with a BOM, UTF-16 (Excel's "Unicode text") or Windows-1258 (Vietnamese
Windows); the encoding is detected, and the delimiter (comma, semicolon, tab) too. The
header row is found among the first rows, below any title rows.

Only one row at a time is turned into Python objects. python-calamine keeps the sheet's
cells in its own compact form while the file is read; the upload size limit bounds that.
"""

import codecs
import csv
import io
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from tracing_portal.core.exceptions import ApplicationError

from .cells import is_blank
from .columns import ColumnSet, HeaderMatch, column_letter

HEADER_SEARCH_ROWS = 10
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x1f\x8b", b"Rar!", b"7z\xbc")


class FileProblem(ApplicationError):
    """The file as a whole cannot be imported (not a spreadsheet, no header row...)."""


def not_a_spreadsheet() -> FileProblem:
    return FileProblem(
        _("This file is not a spreadsheet. Save it as Excel (.xlsx) or CSV and upload it again.")
    )


def sniff_format(path) -> str:
    """'xlsx' (any workbook python-calamine reads), or 'csv'; FileProblem otherwise."""
    with open(path, "rb") as f:
        return sniff_head(f.read(8192))


def sniff_head(head: bytes) -> str:
    """The format from a file's first bytes (8 KB): see `sniff_format`."""
    if not head.strip():
        raise FileProblem(_("The file is empty."))
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xlsx"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "csv"
    if head.startswith(_BINARY_MAGIC) or b"\x00" in head:
        raise not_a_spreadsheet()
    return "csv"


def detect_encoding(path) -> str:
    """utf-8-sig (BOM), utf-16 (BOM), utf-8 if every byte decodes, else cp1258."""
    with open(path, "rb") as f:
        head = f.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        f.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1258"
    return "utf-8"


class _CountingReader(io.RawIOBase):
    """A binary file that counts the bytes read, for the progress of a CSV import."""

    def __init__(self, raw):
        self.raw = raw
        self.bytes_read = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        n = self.raw.readinto(buffer)
        self.bytes_read += n or 0
        return n


@dataclass
class Sheet:
    """The rows of a file below its header row. `rows` yields (row number, cells), the
    row number as a spreadsheet shows it (the first row is 1)."""

    format: str
    encoding: str
    header: HeaderMatch
    rows: Iterator[tuple[int, list]]
    total_rows: int | None
    progress: Callable[[int], float]
    title_rows: list[int] = field(default_factory=list)
    first_column: int = 0

    def letter(self, index: int) -> str:
        return column_letter(self.first_column + index)


def _find_header(
    rows: Iterator[tuple[int, list]], columns: ColumnSet
) -> tuple[HeaderMatch, list[int]]:
    """The first row (of the first HEADER_SEARCH_ROWS non-blank ones) naming two or more
    known columns, or the only known column if the file has one. Rows above it are titles."""
    seen: list[tuple[int, list]] = []
    best: HeaderMatch | None = None
    for number, cells in rows:
        if all(is_blank(c) for c in cells):
            continue
        match = columns.match(cells, header_row=number)
        if match.score() >= 2 or (match.score() == 1 and len(columns.importable()) == 1):
            return match, [n for n, _c in seen]
        if best is None or match.score() > best.score():
            best = match
        seen.append((number, cells))
        if len(seen) >= HEADER_SEARCH_ROWS:
            break
    if not seen and best is None:
        raise FileProblem(_("The file is empty."))
    raise FileProblem(
        _(
            "No header row was found in the first %(n)s rows. The headers must be in one row, "
            "for example: %(expected)s."
        )
        % {"n": HEADER_SEARCH_ROWS, "expected": columns.expected_headers()}
    )


def _check_merged_header(merged, header_row: int) -> None:
    """A header cell merged across columns or down into the next row means a two-level
    header: the columns under it have no heading of their own."""
    problems = []
    for (r0, c0), (r1, c1) in merged or []:
        if r0 + 1 <= header_row <= r1 + 1 and (c1 > c0 or r1 > r0):
            problems.append(f"{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}")
    if problems:
        raise FileProblem(
            _(
                "The header row (row %(row)s) has merged cells (%(cells)s). Use a single header "
                "row with one heading in each column, and unmerge the cells."
            )
            % {"row": header_row, "cells": ", ".join(problems)}
        )


@contextmanager
def open_sheet(path, columns: ColumnSet, *, file_format: str | None = None):
    """Open the file and find its header row; yields a Sheet. FileProblem when the file is
    not a spreadsheet or has no recognisable header row."""
    file_format = file_format or sniff_format(path)
    if file_format == "xlsx":
        with _open_workbook(path, columns) as sheet:
            yield sheet
    else:
        with _open_csv(path, columns) as sheet:
            yield sheet


@contextmanager
def _open_workbook(path, columns: ColumnSet):
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_path(os.fspath(path))
    except Exception:  # noqa: BLE001 - calamine raises several kinds for a broken file
        raise not_a_spreadsheet() from None
    try:
        names = [
            m.name
            for m in workbook.sheets_metadata
            if str(m.visible).endswith("Visible") and str(m.typ).endswith("WorkSheet")
        ] or workbook.sheet_names
        if not names:
            raise FileProblem(_("The workbook has no sheets."))
        sheet = workbook.get_sheet_by_name(names[0])
        start_row, start_col = sheet.start or (0, 0)
        numbered = ((start_row + i + 1, row) for i, row in enumerate(sheet.iter_rows()))
        header, titles = _find_header(numbered, columns)
        _check_merged_header(sheet.merged_cell_ranges, header.header_row)
        height = sheet.height
        first_data = header.header_row - start_row

        def progress(row_number: int) -> float:
            done = row_number - header.header_row
            total = max(height - first_data, 1)
            return min(done / total, 1.0)

        yield Sheet(
            format="xlsx",
            encoding="",
            header=header,
            rows=numbered,
            total_rows=max(height - first_data, 0),
            progress=progress,
            title_rows=titles,
            first_column=start_col,
        )
    finally:
        workbook.close()


def _sniff_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        first = sample.split("\n", 1)[0]
        return max(",;\t", key=first.count)


@contextmanager
def _open_csv(path, columns: ColumnSet):
    encoding = detect_encoding(path)
    size = os.path.getsize(path)
    with open(path, "rb", buffering=0) as raw:
        counting = _CountingReader(raw)
        buffered = io.BufferedReader(counting, buffer_size=1 << 16)
        text = io.TextIOWrapper(buffered, encoding=encoding, newline="")
        try:
            sample = text.read(16384)
        except UnicodeDecodeError:
            raise not_a_spreadsheet() from None
        if "\x00" in sample:
            raise not_a_spreadsheet()
        delimiter = _sniff_delimiter(sample)
        reader = csv.reader(_chain_text(sample, text), delimiter=delimiter)
        numbered = ((i + 1, row) for i, row in enumerate(reader))
        try:
            header, titles = _find_header(numbered, columns)
        except csv.Error:
            raise not_a_spreadsheet() from None

        def progress(row_number: int) -> float:
            return min(counting.bytes_read / max(size, 1), 1.0)

        yield Sheet(
            format="csv",
            encoding=encoding,
            header=header,
            rows=_csv_errors_as_problems(numbered),
            total_rows=None,
            progress=progress,
            title_rows=titles,
        )


def _chain_text(sample: str, rest) -> Iterator[str]:
    """The lines of `sample` followed by the rest of the file (split as csv expects)."""
    buffered = io.StringIO(sample + rest.readline())
    yield from buffered
    yield from rest


def _csv_errors_as_problems(rows):
    try:
        yield from rows
    except csv.Error as exc:
        raise FileProblem(
            _("The CSV file is malformed: %(error)s.") % {"error": str(exc)}
        ) from None
    except UnicodeDecodeError:
        raise not_a_spreadsheet() from None
