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


# --- CSV straight from PostgreSQL ------------------------------------------------------
#
# On PostgreSQL a CSV export is written by the server: `COPY (SELECT …) TO STDOUT` with each
# column rendered in SQL as its widget renders it in Python (masking, words, dates) and the
# formula neutralising done there too, streamed through psycopg's `cursor.copy()`. The file
# is byte for byte the Python writer's (tests/exchange/test_export_copy.py): empty cells are
# NULL (unquoted, as csv.writer writes them) and row ends become CRLF.


def _neutralised_sql(expr: str) -> str:
    return (
        f"CASE WHEN left({expr}, 1) IN ('=', '+', '-', '@', E'\\t', E'\\r') "
        f"THEN '''' || {expr} ELSE {expr} END"
    )


def _words_sql(expr: str, words: dict) -> tuple[str, list]:
    whens, params = [], []
    for value, names in words.items():
        whens.append("WHEN %s THEN %s")
        params += [str(value), names[0]]
    return f"CASE {expr}::text {' '.join(whens)} ELSE {expr}::text END", params


def _column_sql(widget, expr: str) -> tuple[str, list, bool] | None:
    """(SQL rendering the column like widget.render, params, neutralise?) or None when the
    widget has no SQL twin."""
    from django.utils import timezone

    from . import widgets as w

    kind = type(widget)
    if kind is w.PhoneWidget:
        if widget.full:
            return (
                f"CASE WHEN {expr} ~ '^\\+84[35789][0-9]{{8}}$' THEN '0' || substr({expr}, 4, 3)"
                f" || ' ' || substr({expr}, 7, 3) || ' ' || substr({expr}, 10) "
                f"ELSE ltrim({expr}, '+') END",
                [],
                True,
            )
        national = f"(CASE WHEN {expr} LIKE '+84%%' THEN '0' || substr({expr}, 4) ELSE {expr} END)"
        return (
            f"CASE WHEN length({national}) < 7 THEN repeat('*', length({national})) "
            f"ELSE left({national}, 3) || repeat('*', length({national}) - 6) "
            f"|| right({national}, 3) END",
            [],
            True,
        )
    if issubclass(kind, w.WordsWidget) and kind.render is w.WordsWidget.render:
        sql, params = _words_sql(expr, widget.words)
        return sql, params, True
    # A date or time starts with a digit: no formula to neutralise.
    if kind is w.DayFirstDateWidget:
        return f"to_char({expr}, 'DD/MM/YYYY')", [], False
    if kind is w.DateTimeWidget:
        zone = str(timezone.get_current_timezone())
        return f"to_char({expr} AT TIME ZONE %s, 'DD/MM/YYYY HH24:MI')", [zone], False
    if kind in (w.YearWidget, w.CountWidget):
        return f"{expr}::text", [], False
    if kind is w.ProvinceWidget and widget.as_name:
        # The attribute is the province's name already.
        return f"{expr}::text", [], True
    if kind in (w.ProvinceWidget, w.DistrictWidget) or kind.render in (
        w.CellWidget.render,
        w.TextWidget.render,
    ):
        return f"{expr}::text", [], True
    return None


def copy_csv_query(columns: list[ExportColumn], qs) -> tuple[str, list] | None:
    """The COPY statement writing these columns of `qs` (a values_list of their attributes)
    as CSV, or None when a column has no SQL rendering (the Python writer is used then)."""
    from . import widgets as w

    inner, inner_params = qs.query.sql_with_params()
    names = [f"c{i}" for i in range(len(columns))]
    renders, outer, params = [], [], []
    for i, column in enumerate(columns):
        widget = getattr(column.render, "__self__", None)
        if not isinstance(widget, w.CellWidget):
            return None
        rendered_sql = _column_sql(widget, names[i])
        if rendered_sql is None:
            return None
        sql, column_params, neutralise_it = rendered_sql
        renders.append(f"{sql} AS r{i}")
        params += column_params
        # Neutralising repeats the cell: done a level up, so each parameter appears once.
        outer.append(f"NULLIF({_neutralised_sql(f'r{i}') if neutralise_it else f'r{i}'}, '')")
    # The column SQL is built here; every value goes as a parameter.
    cells = f"SELECT {', '.join(renders)} FROM ({inner}) AS export_rows({', '.join(names)})"  # noqa: S608
    statement = (
        f"COPY (SELECT {', '.join(outer)} FROM ({cells}) AS rendered_rows) "  # noqa: S608
        "TO STDOUT WITH (FORMAT csv)"
    )
    return statement, [*params, *inner_params]


def stream_copy_csv(
    header: list[str], statement: str, params: list, *, done: Callable[[int, bool], None]
) -> Iterator[bytes]:
    """The same file as stream_csv, written by PostgreSQL (see copy_csv_query), in chunks of
    CSV_FLUSH_ROWS rows. libpq hands COPY data over one row at a time, so each piece ends
    with the row's LF (any other LF is inside quotes): it becomes csv.writer's CRLF. If the
    client goes away, the rest of the COPY is read and dropped: the connection must be free
    for the audit record."""
    from django.db import connection

    count = 0
    completed = False
    buffer = io.StringIO()
    csv.writer(buffer).writerow(header)
    try:
        yield ("\ufeff" + buffer.getvalue()).encode()
        connection.ensure_connection()
        with connection.connection.cursor() as cursor, cursor.copy(statement, params) as copy:
            pieces = iter(copy)
            batch = []
            try:
                for piece in pieces:
                    batch.append(bytes(piece)[:-1])
                    if len(batch) == CSV_FLUSH_ROWS:
                        count += len(batch)
                        yield b"\r\n".join(batch) + b"\r\n"
                        batch = []
                if batch:
                    count += len(batch)
                    yield b"\r\n".join(batch) + b"\r\n"
            except GeneratorExit:
                for _piece in pieces:
                    pass
                raise
        completed = True
    finally:
        done(count, completed)


def people_copy_query(
    *, actor, filters: dict, full_phones: bool, limit: int | None = None
) -> tuple[str, list] | None:
    """The people export's COPY statement on PostgreSQL (None elsewhere): the columns of
    CaseResource, the rows of the people list with these filters, in its order."""
    from django.db import connection

    from tracing_portal.cases.resources import CaseResource

    from . import selectors

    if connection.vendor != "postgresql":
        return None
    columns = columns_of(CaseResource(full_phones=full_phones))
    qs = selectors.people_export_rows(
        actor=actor, filters=filters, attributes=[c.attribute for c in columns]
    )
    return copy_csv_query(columns, qs[:limit] if limit else qs)
