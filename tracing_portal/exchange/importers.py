"""What every import does: read the rows under the header, collect problems by row and
column, count what would be created or updated, and write the bad rows back as a
spreadsheet to fix. `people.PeopleImport` is the fast one; facilities and install figures
are here.

An import runs in three steps, and the preview is the first two:
1. `read(sheet)`: each cell through its column's widget; problems inside the file.
2. `resolve()`: what is already on file (database reads only).
3. `write(...)`: in the caller's transaction.
"""

import datetime as dt
import hashlib
import hmac
import os
import pickle
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tracing_portal.cases.resources import FacilityResource
from tracing_portal.core.exceptions import ApplicationError
from tracing_portal.core.text import fold
from tracing_portal.stats.resources import InstallSnapshotResource

from .cells import neutralise
from .columns import ColumnSet
from .reading import FileProblem, Sheet, open_sheet
from .widgets import other_province_message

PROGRESS_EVERY_ROWS = 2000
ERROR_COLUMN = "Lỗi"
ROW_COLUMN = "Dòng"


@dataclass
class Issue:
    row: int
    column: str
    letter: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "letter": self.letter, "msg": self.message}

    def __str__(self):
        if self.column:
            return _("Row %(row)s, column “%(column)s” (%(letter)s): %(message)s") % {
                "row": self.row,
                "column": self.column,
                "letter": self.letter,
                "message": self.message,
            }
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class Outcome:
    """Counts of a preview or an import."""

    rows: int = 0
    blank_rows: int = 0
    to_create: int = 0
    to_update: int = 0
    unchanged: int = 0
    error_rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0


@dataclass
class Context:
    actor: object
    province: object  # geo.Province
    file_name: str = ""
    job_id: int | None = None
    now: dt.datetime = field(default_factory=timezone.now)


PARSED_VERSION = 1
_PARSED_BASE = ("errors", "notes", "file_notes", "labels", "outcome")


def _signature(payload: bytes) -> bytes:
    key = hashlib.sha256(b"exchange.parsed:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, payload, hashlib.sha256).digest()


def file_digest(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class BaseImport:
    """Shared machinery; a subclass names its resource and implements the three steps."""

    resource_class: type
    kind: str
    # What step 1 leaves on the importer besides the base's errors and notes.
    parsed_state: tuple[str, ...] = ()

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.resource = self.make_resource()
        self.columns = ColumnSet.of(self.resource)
        self.errors: dict[int, list[Issue]] = {}
        self.notes: list[Issue] = []
        self.file_notes: list[str] = []
        self.outcome = Outcome()
        self.sheet: Sheet | None = None
        self.labels: dict[str, tuple[str, str]] = {}
        self._other_province_messages: dict[str, str] = {}
        self.timings: dict[str, float] = {}

    @contextmanager
    def timed(self, step: str):
        """Seconds spent in each step, for the benchmark and the log."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[step] = self.timings.get(step, 0.0) + time.perf_counter() - started

    def make_resource(self):
        return self.resource_class()

    # --- problems

    def error(self, row: int, name: str | None, message: str) -> None:
        column, letter = self.labels.get(name, ("", "")) if name else ("", "")
        self.errors.setdefault(row, []).append(Issue(row, column, letter, message))

    def note(self, row: int, name: str | None, message: str) -> None:
        column, letter = self.labels.get(name, ("", "")) if name else ("", "")
        self.notes.append(Issue(row, column, letter, message))

    def sorted_errors(self) -> list[Issue]:
        return [issue for row in sorted(self.errors) for issue in self.errors[row]]

    # --- step 1

    def open(self, path, *, file_format: str | None = None):
        return open_sheet(path, self.columns, file_format=file_format)

    def check_header(self, sheet: Sheet) -> list[tuple[str, int]]:
        """(field name, column index) of the importable columns found; FileProblem when a
        required column is missing or a column appears twice."""
        match = sheet.header
        problems = self.columns.check(match)
        problems += self.extra_header_problems(match.fields)
        if problems:
            raise FileProblem(" ".join(problems))
        importable = self.columns.importable()
        for name, index in match.fields.items():
            self.labels[name] = (match.headers[index], sheet.letter(index))
        for index, title in match.unknown:
            self.file_notes.append(
                _(
                    "The column “%(title)s” (%(letter)s) is not one the portal knows; it was "
                    "left out."
                )
                % {"title": title, "letter": sheet.letter(index)}
            )
        if sheet.title_rows:
            self.file_notes.append(
                _("Rows %(rows)s above the header row were read as titles and left out.")
                % {"rows": ", ".join(str(r) for r in sheet.title_rows)}
            )
        return [(name, index) for name, index in match.fields.items() if name in importable]

    # --- the result of step 1, kept between the preview and the import

    def save_parsed(self, path: str, *, digest: str) -> None:
        """Keep what `read` found (rows, errors, notes) for the import that follows the
        preview: the file is not parsed twice. Signed with SECRET_KEY; see `load_parsed`."""
        state = {name: getattr(self, name) for name in (*_PARSED_BASE, *self.parsed_state)}
        payload = pickle.dumps(
            {
                "version": PARSED_VERSION,
                "kind": self.kind,
                "digest": digest,
                "day": timezone.localdate(),
                "state": state,
            },
            protocol=pickle.HIGHEST_PROTOCOL,
        )
        tmp = f"{path}.tmp"
        with open(tmp, "wb") as f:
            f.write(_signature(payload) + payload)
        os.replace(tmp, path)

    def load_parsed(self, path: str, *, digest: str) -> bool:
        """Take back what the preview read, if it was read from this very file today by this
        version of the code; False (and nothing changed) otherwise."""
        try:
            with open(path, "rb") as f:
                blob = f.read()
        except OSError:
            return False
        signature, payload = blob[:32], blob[32:]
        if not hmac.compare_digest(signature, _signature(payload)):
            return False
        data = pickle.loads(payload)  # noqa: S301 - signed by this installation above
        if (data["version"], data["kind"], data["digest"], data["day"]) != (
            PARSED_VERSION,
            self.kind,
            digest,
            timezone.localdate(),
        ):
            return False
        for name, value in data["state"].items():
            setattr(self, name, value)
        return True

    def extra_header_problems(self, found: dict[str, int]) -> list[str]:
        return []

    def read(self, sheet: Sheet, *, progress: Callable[[float], None] | None = None) -> None:
        self.sheet = sheet
        fields = self.check_header(sheet)
        parsers = [
            (name, index, widget.clean_with_note, widget.required)
            for name, index in fields
            for widget in (self.columns.columns[name].widget,)
        ]
        outcome = self.outcome
        for number, cells in sheet.rows:
            width = len(cells)
            values = {}
            missing = []
            filled = False
            row_errors = False
            for name, index, clean, required in parsers:
                cell = cells[index] if index < width else None
                if cell == "" or cell is None or (cell.__class__ is str and cell.isspace()):
                    values[name] = None
                    if required:
                        missing.append(name)
                    continue
                try:
                    value, remark = clean(cell)
                except ValueError as exc:
                    self.error(number, name, str(exc))
                    row_errors = True
                    values[name] = None
                    continue
                if value is not None:
                    filled = True
                elif required:
                    missing.append(name)
                if remark:
                    self.note(number, name, remark)
                values[name] = value
            if not filled and not row_errors:
                # Nothing in the portal's columns (a numbered template row, an empty line).
                outcome.blank_rows += 1
                continue
            outcome.rows += 1
            for name in missing:
                self.error(number, name, _("This cell is empty."))
                row_errors = True
            self.take_row(number, values, has_errors=row_errors)
            if progress is not None and outcome.rows % PROGRESS_EVERY_ROWS == 0:
                progress(sheet.progress(number))
        if outcome.rows == 0:
            raise FileProblem(_("The file has a header row but no rows under it."))

    def take_row(self, number: int, values: dict, *, has_errors: bool) -> None:
        raise NotImplementedError

    # --- step 2 and 3

    def lock(self) -> None:
        """Called in the import's transaction before `resolve`: take the locks that keep
        two imports from creating the same thing."""

    def resolve(self) -> None:
        raise NotImplementedError

    def write(self, *, valid_rows_only: bool) -> Outcome:
        raise NotImplementedError

    def finish_counts(self) -> None:
        self.outcome.error_rows = len(self.errors)

    def province_of_row(self, number: int, values: dict) -> str | None:
        """The row's province from "Mã tỉnh" or "Tỉnh/Thành phố"; both must agree."""
        code = values.get("province")
        name_code = values.get("province_name")
        if code and name_code and code != name_code:
            self.error(
                number,
                "province_name",
                _("“Mã tỉnh” and “Tỉnh/Thành phố” name different provinces."),
            )
            return None
        return code or name_code

    def check_own_province(self, number: int, code: str | None) -> bool:
        own = self.ctx.province
        if code is None or code == own.pk:
            return True
        if code not in self._other_province_messages:
            self._other_province_messages[code] = other_province_message(code, own.pk)
        self.error(
            number,
            "province" if "province" in self.labels else "province_name",
            self._other_province_messages[code],
        )
        return False


def write_error_files(
    importer: BaseImport, path, *, file_format: str | None, errors: dict[int, list[Issue]]
) -> tuple[str, str]:
    """The rows with errors, as they were in the file, plus a “Lỗi” column: an xlsx and a
    CSV file (temporary paths; the caller stores them)."""
    from openpyxl import Workbook

    xlsx_fd, xlsx_path = tempfile.mkstemp(suffix=".xlsx")
    csv_fd, csv_path = tempfile.mkstemp(suffix=".csv")
    os.close(xlsx_fd)
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(_("Rows to fix"))
    with (
        os.fdopen(csv_fd, "w", encoding="utf-8-sig", newline="") as csv_file,
        open_sheet(path, importer.columns, file_format=file_format) as sheet,
    ):
        import csv

        writer = csv.writer(csv_file)
        header = [ROW_COLUMN, *sheet.header.headers, ERROR_COLUMN]
        ws.append(header)
        writer.writerow(header)
        width = len(sheet.header.headers)
        for number, cells in sheet.rows:
            issues = errors.get(number)
            if not issues:
                continue
            cells = list(cells[:width]) + [""] * (width - len(cells))
            message = "; ".join(
                f"{i.column}: {i.message}" if i.column else i.message for i in issues
            )
            row = [number, *(_safe(c) for c in cells), _safe(message)]
            ws.append(row)
            writer.writerow(["" if c is None else c for c in row])
    workbook.save(xlsx_path)
    return xlsx_path, csv_path


def _safe(value):
    """A cell for a written spreadsheet: formula-like text neutralised, characters that
    xlsx cannot hold removed."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


# --- quarantine facilities


class FacilityImport(BaseImport):
    """Quarantine facilities of the importer's province, matched by name."""

    kind = "facilities"
    resource_class = FacilityResource
    parsed_state = ("rows", "by_name")

    def __init__(self, ctx: Context):
        super().__init__(ctx)
        self.rows: dict[int, dict] = {}
        self.by_name: dict[str, int] = {}
        self.existing: dict[str, object] = {}
        self.plan: dict[int, str] = {}

    def take_row(self, number, values, *, has_errors):
        code = self.province_of_row(number, values)
        self.check_own_province(number, code)
        name = values.get("name")
        if name:
            key = fold(name)
            if key in self.by_name:
                self.error(
                    number,
                    "name",
                    _("This facility already appears in row %(row)s.") % {"row": self.by_name[key]},
                )
            else:
                self.by_name[key] = number
        self.rows[number] = values

    def resolve(self):
        from tracing_portal.cases.models import QuarantineFacility

        self.existing = {
            fold(f.name): f for f in QuarantineFacility.objects.filter(province=self.ctx.province)
        }
        for number, values in self.rows.items():
            if number in self.errors:
                continue
            found = self.existing.get(fold(values["name"]))
            if found is None:
                self.plan[number] = "create"
                self.outcome.to_create += 1
            elif any(
                values.get(name) is not None and getattr(found, name) != values[name]
                for name in ("address", "capacity")
            ):
                self.plan[number] = "update"
                self.outcome.to_update += 1
            else:
                self.plan[number] = "unchanged"
                self.outcome.unchanged += 1
        self.finish_counts()

    def write(self, *, valid_rows_only):
        from django.core.exceptions import ValidationError

        from tracing_portal.cases.models import QuarantineFacility

        outcome = self.outcome
        for number, action in sorted(self.plan.items()):
            values = self.rows[number]
            if action == "unchanged":
                continue
            if action == "create":
                facility = QuarantineFacility(
                    province=self.ctx.province,
                    name=values["name"],
                    address=values.get("address") or "",
                    capacity=values["capacity"],
                )
            else:
                facility = self.existing[fold(values["name"])]
                for name in ("address", "capacity"):
                    if values.get(name) is not None:
                        setattr(facility, name, values[name])
            try:
                facility.full_clean(exclude=["province"])
            except ValidationError as exc:
                raise ApplicationError(str(Issue(number, "", "", " ".join(exc.messages)))) from exc
            facility.save()
            if action == "create":
                outcome.created += 1
            else:
                outcome.updated += 1
        outcome.skipped = len(self.errors)
        return outcome


# --- install figures


class SnapshotImport(BaseImport):
    """Daily install figures per province, written through the stats service (upsert on
    province and date). A province user imports their own province's rows only."""

    kind = "snapshots"
    resource_class = InstallSnapshotResource
    parsed_state = ("rows", "seen")

    def __init__(self, ctx: Context):
        super().__init__(ctx)
        self.rows: dict[int, tuple[str, dt.date, int, int, int | None]] = {}
        self.seen: dict[tuple[str, dt.date], int] = {}
        self.plan: dict[int, str] = {}

    def extra_header_problems(self, found):
        if "province" not in found and "province_name" not in found:
            return [_("The file lacks a province column: “Mã tỉnh” or “Tỉnh/Thành phố”.")]
        return []

    def take_row(self, number, values, *, has_errors):
        code = self.province_of_row(number, values)
        if code is None and not has_errors and number not in self.errors:
            self.error(number, "province", _("The province is empty."))
        sees_all = getattr(self.ctx.actor, "sees_all_provinces", False)
        if code is not None and not sees_all:
            self.check_own_province(number, code)
        installs, with_phone = values.get("installs"), values.get("installs_with_phone")
        if installs is not None and with_phone is not None and with_phone > installs:
            self.error(
                number,
                "installs_with_phone",
                _("Installs with a phone number (%(with_phone)s) exceed installs (%(installs)s).")
                % {"with_phone": with_phone, "installs": installs},
            )
        day = values.get("date")
        if code and day:
            key = (code, day)
            if key in self.seen:
                self.error(
                    number,
                    "date",
                    _("This province and date already appear in row %(row)s.")
                    % {"row": self.seen[key]},
                )
            else:
                self.seen[key] = number
        if number not in self.errors:
            self.rows[number] = (code, day, installs, with_phone, values.get("smartphone_users"))

    def resolve(self):
        from django.db.models import Q

        from tracing_portal.stats.models import InstallSnapshot

        keys = [(code, day) for code, day, *_rest in self.rows.values()]
        existing = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            condition = Q()
            for code, day in chunk:
                condition |= Q(province_id=code, date=day)
            for snap in InstallSnapshot.objects.filter(condition):
                existing[(snap.province_id, snap.date)] = (
                    snap.installs,
                    snap.installs_with_phone,
                    snap.smartphone_users,
                )
        for number, (code, day, installs, with_phone, users) in self.rows.items():
            if number in self.errors:
                continue
            before = existing.get((code, day))
            if before is None:
                self.plan[number] = "create"
                self.outcome.to_create += 1
            elif before != (installs, with_phone, users):
                self.plan[number] = "update"
                self.outcome.to_update += 1
            else:
                self.plan[number] = "unchanged"
                self.outcome.unchanged += 1
        self.finish_counts()

    def write(self, *, valid_rows_only):
        from tracing_portal.stats.models import SnapshotSource
        from tracing_portal.stats.services import snapshot_upsert_dated
        from tracing_portal.stats.types import SnapshotRow

        by_date: dict[dt.date, list[SnapshotRow]] = {}
        for number, action in self.plan.items():
            if action == "unchanged":
                continue
            code, day, installs, with_phone, users = self.rows[number]
            by_date.setdefault(day, []).append(
                SnapshotRow(
                    province_code=code,
                    installs=installs,
                    installs_with_phone=with_phone,
                    smartphone_users=users,
                )
            )
        if by_date:
            with transaction.atomic():
                snapshot_upsert_dated(rows_by_date=by_date, source=SnapshotSource.IMPORT)
        self.outcome.created = self.outcome.to_create
        self.outcome.updated = self.outcome.to_update
        self.outcome.skipped = len(self.errors)
        return self.outcome
