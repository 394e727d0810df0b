"""Writing an export: columns from a resource, rows from a selector, streamed.

CSV goes out as it is read from the database (a generator under a StreamingHttpResponse,
the rows fetched in chunks), so a million rows are never held in memory. xlsx is written
by openpyxl's write-only mode to a temporary file. Each text cell a spreadsheet would run
as a formula gets a leading apostrophe; phone numbers are written as 0912 345 678, so they
never start with '+'. The audit record is written when the last row has gone out, with the
number of rows actually sent (or, if the download was cut off, the number sent so far).
"""

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from .cells import FORMULA_STARTS, neutralise
from .columns import ColumnSet

CHUNK_ROWS = 2000
CSV_FLUSH_ROWS = 1000


@dataclass(frozen=True)
class ExportColumn:
    header: str
    attribute: str
    render: Callable


def columns_of(resource) -> list[ExportColumn]:
    """Every column of the resource, in its export order."""
    return [
        ExportColumn(col.column_name, col.attribute, col.widget.render)
        for col in ColumnSet.of(resource).columns.values()
    ]


def _text_cells(row: list) -> list:
    """A row for CSV: None as empty, formula-like text neutralised (see cells.neutralise)."""
    out = []
    for value in row:
        if value.__class__ is str:
            if value and value[0] in FORMULA_STARTS:
                value = "'" + value
        elif value is None:
            value = ""
        out.append(value)
    return out


def _xlsx_cell(value):
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def rendered(columns: list[ExportColumn], rows: Iterable[tuple]) -> Iterator[list]:
    renders = [c.render for c in columns]
    for row in rows:
        yield [render(value) for render, value in zip(renders, row, strict=True)]


def stream_csv(
    header: list[str], rows: Iterable[list], *, done: Callable[[int, bool], None]
) -> Iterator[bytes]:
    """UTF-8 with a BOM (Excel then reads the Vietnamese correctly). `done(rows, completed)`
    runs once at the end, also when the client stops reading half way."""
    count = 0
    completed = False
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    try:
        writer.writerow(header)
        yield ("\ufeff" + buffer.getvalue()).encode()
        buffer.seek(0)
        buffer.truncate()
        for row in rows:
            writer.writerow(_text_cells(row))
            count += 1
            if count % CSV_FLUSH_ROWS == 0:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode()
        completed = True
    finally:
        done(count, completed)


def write_xlsx(header: list[str], rows: Iterable[list], *, title: str):
    """(an open temporary file holding the workbook, number of rows). The file deletes
    itself when closed."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    bold = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        bold.append(cell)
    sheet.append(bold)
    count = 0
    for row in rows:
        sheet.append([_xlsx_cell(v) for v in row])
        count += 1
    out = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(out)
    out.seek(0)
    return out, count
