"""Columns of a spreadsheet, defined once on a django-import-export resource.

A `Column` is an import-export `Field` with the aliases people really use for its header
("Họ và tên" / "Họ tên") and whether the file must have it. `ColumnSet.of(resource)` reads
them back from a resource instance: the fast importer and the exporter take their headers,
order and cell widgets from there, so the three cannot drift apart.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from import_export.fields import Field

from .cells import header_key

# Headers that the portal writes itself (an error file's extra columns, a row number) and
# that an import skips without remark.
IGNORED_HEADERS = ("Lỗi", "Dòng", "STT", "TT", "Số thứ tự", "Errors", "Row")


class Column(Field):
    def __init__(self, *args, aliases: tuple[str, ...] = (), required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.aliases = tuple(aliases)
        self.required = required

    @property
    def header_keys(self) -> list[str]:
        return [header_key(self.column_name), *(header_key(a) for a in self.aliases)]


@dataclass
class HeaderMatch:
    """Which column of the file holds which field (0-based index), and what was left over."""

    header_row: int
    headers: list[str]
    fields: dict[str, int] = field(default_factory=dict)
    unknown: list[tuple[int, str]] = field(default_factory=list)
    duplicates: list[tuple[str, list[int]]] = field(default_factory=list)

    def score(self) -> int:
        return len(self.fields)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class ColumnSet:
    """The columns of one resource: name -> Column, in the resource's order."""

    columns: dict[str, Column]

    @classmethod
    def of(cls, resource) -> "ColumnSet":
        return cls(
            columns={
                name: resource.fields[name]
                for name in resource.get_export_order()
                if isinstance(resource.fields.get(name), Column)
            }
        )

    def importable(self) -> dict[str, Column]:
        return {name: col for name, col in self.columns.items() if not col.readonly}

    def _aliases(self) -> dict[str, str]:
        aliases: dict[str, str] = {}
        for name, col in self.columns.items():
            for key in col.header_keys:
                aliases.setdefault(key, name)
        return aliases

    def match(self, header_cells: list, *, header_row: int) -> HeaderMatch:
        aliases = self._aliases()
        ignored = {header_key(h) for h in IGNORED_HEADERS}
        result = HeaderMatch(header_row=header_row, headers=[])
        positions: dict[str, list[int]] = {}
        for index, cell in enumerate(header_cells):
            title = "" if cell is None else str(cell).strip()
            result.headers.append(title)
            key = header_key(title)
            if not key:
                continue
            name = aliases.get(key)
            if name is None:
                if key not in ignored:
                    result.unknown.append((index, title))
                continue
            positions.setdefault(name, []).append(index)
        for name, found in positions.items():
            result.fields[name] = found[0]
            if len(found) > 1:
                result.duplicates.append((name, found))
        return result

    def check(self, match: HeaderMatch) -> list[str]:
        """File-level problems of a header row: missing required columns, a column twice."""
        problems = []
        missing = [
            col.column_name
            for name, col in self.importable().items()
            if col.required and name not in match.fields
        ]
        if missing:
            problems.append(
                _("Row %(row)s, the header row, lacks the columns: %(missing)s.")
                % {"row": match.header_row, "missing": ", ".join(f"“{m}”" for m in missing)}
            )
        for name, found in match.duplicates:
            problems.append(
                _("The column “%(column)s” appears twice (columns %(letters)s): keep one.")
                % {
                    "column": self.columns[name].column_name,
                    "letters": ", ".join(column_letter(i) for i in found),
                }
            )
        return problems

    def expected_headers(self) -> str:
        return ", ".join(
            "“" + " / ".join([col.column_name, *col.aliases[:1]]) + "”"
            for col in self.importable().values()
        )

    def headers(self) -> list[str]:
        return [col.column_name for col in self.columns.values()]
