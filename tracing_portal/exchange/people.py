"""The fast import of people: 100,000 rows in seconds, with the checks of the person form.

django-import-export saves a row at a time (three round trips a row). This reads the rows
through the same resource's widgets, resolves what is on file with a few queries per ten
thousand rows, reserves the case codes in one step, and writes the new people with
PostgreSQL's COPY (bulk_create on SQLite), their history rows in bulk and one audit event.

Rules, as in `cases.services.case_create`:
- A person with a source ("Nguồn lây") is one level below it; without one, "Cấp độ" says
  the level. An F0 without a classification is a suspected F0.
- The source is a person on file in the same province, or a row of the same file (by its
  "Mã"), before or after the row.
- A row matches a person on file by the portal code ("Mã", e.g. HD-000123), or else by
  phone + name + year of birth: importing a file again creates no one twice. A matched row
  updates the cells it fills; an empty cell never erases what is on file. Its source and
  level are not changed by an import (that re-levels a chain: the person's page does it).
"""

import json
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import F
from django.utils.translation import gettext as _

from tracing_portal.cases.models import (
    MAX_LEVEL,
    Case,
    CaseCodeCounter,
    CaseHistory,
    F0Status,
    HistoryKind,
)
from tracing_portal.cases.resources import CaseResource
from tracing_portal.cases.services import CLOSED_STATUSES
from tracing_portal.core.text import fold
from tracing_portal.geo.models import Province

from .importers import BaseImport, Context, Outcome

LOOKUP_CHUNK = 10_000
WRITE_BATCH = 2000
_PORTAL_CODE = re.compile(r"^([A-Z]{2,4})-(\d{6})$")

# Fields an import may change on a person already on file (source and level excluded).
UPDATABLE = (
    "full_name",
    "year_of_birth",
    "sex",
    "national_id",
    "phone",
    "address",
    "district_id",
    "relation",
    "exposure_date",
    "f0_status",
    "status",
    "bluezone_status",
    "notes",
)
_EXISTING_VALUES = (
    "id",
    "code",
    "province_id",
    "level",
    "source_id",
    "merged_into_id",
    "merged_into__code",
    "version",
    "bluezone_checked_at",
    "name_folded",
    *UPDATABLE,
)


@dataclass(slots=True, eq=False)
class Person:
    row: int
    code: str | None
    portal: bool
    full_name: str | None
    name_folded: str
    year_of_birth: int | None
    sex: str | None
    national_id: str | None
    phone: str | None
    address: str | None
    district_id: str | None
    source_ref: str | None
    relation: str | None
    exposure_date: object
    level: int | None
    f0_status: str | None
    status: str | None
    bluezone_status: str | None
    notes: str | None
    existing: dict | None = None
    source_row: "Person | None" = None
    source_on_file: dict | None = None
    final_level: int | None = None
    action: str = ""
    changes: dict | None = None
    resolving: bool = False
    new_id: int | None = None
    new_code: str | None = None

    def key(self) -> tuple:
        return (self.phone or "", self.name_folded, self.year_of_birth)


class PeopleImport(BaseImport):
    kind = "people"
    resource_class = CaseResource
    parsed_state = ("people", "by_code", "by_key")

    def __init__(self, ctx: Context):
        super().__init__(ctx)
        province = ctx.province
        self.prefix = province.case_prefix
        self.prefixes = dict(Province.objects.values_list("case_prefix", "short_name"))
        self.people: list[Person] = []
        self.by_code: dict[str, Person] = {}
        self.by_key: dict[tuple, Person] = {}
        self.created_ids: list[int] = []
        self.updated_ids: list[int] = []

    def make_resource(self):
        return CaseResource(province_id=self.ctx.province.pk)

    def extra_header_problems(self, found):
        if "level" not in found and "source" not in found:
            return [
                _(
                    "The file needs a “Cấp độ” column (F0, F1…) or a “Nguồn lây” column (the "
                    "source's code), or both."
                )
            ]
        return []

    # --- step 1: rows

    def take_row(self, number, values, *, has_errors):
        get = values.get
        province_code = self.province_of_row(number, values)
        self.check_own_province(number, province_code)
        code = get("code")
        portal = False
        if code:
            match = _PORTAL_CODE.match(code)
            if match and match.group(1) == self.prefix:
                portal = True
            elif match and match.group(1) in self.prefixes:
                self.error(
                    number,
                    "code",
                    _("%(code)s is a code of %(province)s, not of %(own)s.")
                    % {
                        "code": code,
                        "province": self.prefixes[match.group(1)],
                        "own": self.ctx.province.short_name,
                    },
                )
        full_name = get("full_name")
        source_ref = get("source")
        level = get("level")
        if source_ref is None and level is None and "level" not in self.errors_for(number):
            self.error(
                number,
                "level" if "level" in self.labels else "source",
                _("Without a source (“Nguồn lây”), the level (“Cấp độ”: F0, F1…) is needed."),
            )
        if source_ref is not None and code is not None and source_ref == code:
            self.error(number, "source", _("A person cannot be their own source."))
        person = Person(
            row=number,
            code=code,
            portal=portal,
            full_name=full_name,
            name_folded=fold(full_name) if full_name else "",
            year_of_birth=get("year_of_birth"),
            sex=get("sex"),
            national_id=get("national_id"),
            phone=get("phone"),
            address=get("address"),
            district_id=get("district"),
            source_ref=source_ref,
            relation=get("relation"),
            exposure_date=get("exposure_date"),
            level=level,
            f0_status=get("f0_status"),
            status=get("status"),
            bluezone_status=get("bluezone_status"),
            notes=get("notes"),
        )
        if code is not None:
            first = self.by_code.get(code)
            if first is not None:
                self.error(
                    number,
                    "code",
                    _("The code %(code)s already appears in row %(row)s.")
                    % {"code": code, "row": first.row},
                )
            else:
                self.by_code[code] = person
        if not portal and full_name:
            key = person.key()
            first = self.by_key.get(key)
            if first is not None:
                self.error(
                    number,
                    None,
                    _(
                        "Same phone, name and year of birth as row %(row)s: the person is entered "
                        "twice."
                    )
                    % {"row": first.row},
                )
            else:
                self.by_key[key] = person
        self.people.append(person)

    def errors_for(self, number: int) -> set[str]:
        return {i.column for i in self.errors.get(number, [])}

    # --- step 2: what is on file

    def lock(self) -> None:
        """The province's code counter, as `case_create` takes it: imports and the person
        form of one province queue here, so none matches or numbers against stale data."""
        CaseCodeCounter.objects.select_for_update().get_or_create(province=self.ctx.province)

    def resolve(self) -> None:
        province_id = self.ctx.province.pk
        people = self.people
        portal_codes = [p.code for p in people if p.portal]
        on_file_by_code = self._by_code(portal_codes)
        keyed = [p for p in people if not p.portal and p.full_name]
        phones = sorted({p.phone for p in keyed if p.phone})
        names = sorted({p.name_folded for p in keyed if not p.phone})
        base = Case.objects.filter(province_id=province_id, merged_into__isnull=True)
        on_file_by_key: dict[tuple, list[dict]] = {}
        for chunk in _chunks(phones):
            for row in _where_in(base, "phone", chunk).values(*_EXISTING_VALUES):
                k = (row["phone"], row["name_folded"], row["year_of_birth"])
                on_file_by_key.setdefault(k, []).append(row)
        for chunk in _chunks(names):
            qs = _where_in(base.filter(phone=""), "name_folded", chunk)
            for row in qs.values(*_EXISTING_VALUES):
                k = ("", row["name_folded"], row["year_of_birth"])
                on_file_by_key.setdefault(k, []).append(row)
        # Sources named by a portal code that is not a row of this file.
        wanted = sorted(
            {p.source_ref for p in people if p.source_ref and p.source_ref not in self.by_code}
        )
        sources_on_file = self._by_code(wanted, province_id=province_id)

        matched: dict[int, Person] = {}
        for p in people:
            if p.portal:
                found = on_file_by_code.get(p.code)
                if found is not None:
                    if found["merged_into_id"]:
                        self.error(
                            p.row,
                            "code",
                            _("%(code)s was merged into %(other)s: use that code.")
                            % {"code": p.code, "other": found["merged_into__code"]},
                        )
                        continue
                    p.existing = found
            elif p.full_name:
                found_list = on_file_by_key.get(p.key(), [])
                if len(found_list) > 1:
                    self.error(
                        p.row,
                        None,
                        _(
                            "Several people on file have this phone, name and year of birth "
                            "(%(codes)s): put the right code in the “Mã” column."
                        )
                        % {"codes": ", ".join(sorted(r["code"] for r in found_list))},
                    )
                    continue
                if found_list:
                    p.existing = found_list[0]
            if p.existing is not None:
                first = matched.get(p.existing["id"])
                if first is not None:
                    self.error(
                        p.row,
                        None,
                        _("This row and row %(row)s are the same person on file (%(code)s).")
                        % {"row": first.row, "code": p.existing["code"]},
                    )
                    continue
                matched[p.existing["id"]] = p

        for p in people:
            if p.source_ref is None:
                continue
            in_file = self.by_code.get(p.source_ref)
            if in_file is not None and in_file is not p:
                p.source_row = in_file
                continue
            found = sources_on_file.get(p.source_ref)
            if found is None:
                match = _PORTAL_CODE.match(p.source_ref)
                if match and match.group(1) != self.prefix and match.group(1) in self.prefixes:
                    message = _(
                        "The source %(code)s is a person of %(province)s; a source must be of "
                        "the same province."
                    ) % {"code": p.source_ref, "province": self.prefixes[match.group(1)]}
                else:
                    message = _(
                        "The source %(code)s is not on file in %(province)s, nor the “Mã” of a "
                        "row of this file."
                    ) % {"code": p.source_ref, "province": self.ctx.province.short_name}
                self.error(p.row, "source", message)
            elif found["merged_into_id"]:
                self.error(
                    p.row,
                    "source",
                    _("The source %(code)s was merged into %(other)s: use that code.")
                    % {"code": p.source_ref, "other": found["merged_into__code"]},
                )
            else:
                p.source_on_file = found
        self._resolve_levels()
        self._spread_source_errors()
        self._plan()

    @staticmethod
    def _by_code(codes, **filters) -> dict[str, dict]:
        out = {}
        for chunk in _chunks(codes):
            qs = _where_in(Case.objects.filter(**filters), "code", chunk)
            for row in qs.values(*_EXISTING_VALUES):
                out[row["code"]] = row
        return out

    def _resolve_levels(self) -> None:
        """Each row's level: its own if on file, one below its source (on file or in the
        file, followed up the chain), or its "Cấp độ"."""
        for person in self.people:
            if person.final_level is not None:
                continue
            path: list[Person] = []
            visited: list[Person] = []
            current: Person | None = person
            above: int | None = None  # the level of the person above path[-1]
            while current is not None:
                if current.final_level is not None:
                    above = current.final_level
                    break
                if current.resolving:
                    cycle = path[next(i for i, p in enumerate(path) if p is current) :]
                    rows = ", ".join(str(p.row) for p in cycle)
                    for p in cycle:
                        self.error(
                            p.row,
                            "source",
                            _("The sources of rows %(rows)s go round in a circle.")
                            % {"rows": rows},
                        )
                    break
                current.resolving = True
                visited.append(current)
                path.append(current)
                if current.existing is not None:
                    current.final_level = current.existing["level"]
                elif current.source_on_file is not None:
                    source_level = current.source_on_file["level"]
                    if self._check_depth(current, source_level):
                        current.final_level = source_level + 1
                elif current.source_row is None:
                    current.final_level = current.level
                else:
                    current = current.source_row
                    continue
                path.pop()
                above = current.final_level
                break
            for p in reversed(path):
                if above is None or not self._check_depth(p, above):
                    break
                p.final_level = above + 1
                above = p.final_level
            for p in visited:
                p.resolving = False
        for p in self.people:
            if p.existing is not None:
                self._note_ignored_chain(p)
                continue
            has_source = p.source_row is not None or p.source_on_file is not None
            if (
                has_source
                and p.final_level is not None
                and p.level is not None
                and p.level != p.final_level
            ):
                self.error(
                    p.row,
                    "level",
                    _(
                        "“Cấp độ” says F%(given)s, but one below the source %(source)s is "
                        "F%(level)s."
                    )
                    % {"given": p.level, "source": p.source_ref, "level": p.final_level},
                )

    def _check_depth(self, person: Person, source_level: int) -> bool:
        if source_level + 1 <= MAX_LEVEL:
            return True
        self.error(
            person.row,
            "source",
            _(
                "%(code)s is F%(level)s, the deepest level tracked; contacts below F5 are "
                "not recorded."
            )
            % {"code": person.source_ref, "level": source_level},
        )
        return False

    def _note_ignored_chain(self, p: Person) -> None:
        existing = p.existing
        file_level = p.level
        if file_level is not None and file_level != existing["level"]:
            self.note(
                p.row,
                "level",
                _(
                    "%(code)s is F%(level)s on file; an import does not change a level (use "
                    "the person's page)."
                )
                % {"code": existing["code"], "level": existing["level"]},
            )

    def _spread_source_errors(self) -> None:
        """A row whose source row has errors cannot be linked: it is in error too."""
        changed = True
        while changed:
            changed = False
            for p in self.people:
                src = p.source_row
                if src is not None and src.row in self.errors and p.row not in self.errors:
                    self.error(
                        p.row,
                        "source",
                        _("Its source, row %(row)s, has errors: fix that row first.")
                        % {"row": src.row},
                    )
                    changed = True

    def _plan(self) -> None:
        outcome = self.outcome
        for p in self.people:
            if p.row in self.errors:
                p.action = "error"
                continue
            if p.existing is None:
                p.action = "create"
                outcome.to_create += 1
                continue
            changes = self._changes(p)
            if changes:
                p.action, p.changes = "update", changes
                outcome.to_update += 1
            else:
                p.action = "unchanged"
                outcome.unchanged += 1
        self.finish_counts()

    def _changes(self, p: Person) -> dict:
        existing = p.existing
        changes = {}
        for name in UPDATABLE:
            new = getattr(p, name)
            if new is None:
                continue
            old = existing[name]
            if name == "f0_status" and existing["level"] != 0:
                continue
            if name == "bluezone_status" and existing["bluezone_checked_at"] and new != old:
                self.note(
                    p.row,
                    "bluezone_status",
                    _(
                        "Bluezone itself confirmed this person's status; the file's value was not "
                        "used."
                    ),
                )
                continue
            if new != old:
                changes[name] = (old, new)
        return changes

    # --- step 3: write

    def write(self, *, valid_rows_only: bool) -> Outcome:
        """Inside the caller's transaction. Locks the province's code counter first, so two
        imports (or an import and the person form) never hand out the same code."""
        outcome = self.outcome
        to_create = [p for p in self.people if p.action == "create"]
        to_update = [p for p in self.people if p.action == "update"]
        # Sources first: rows whose source is in the file come after it.
        to_create.sort(key=lambda p: (p.final_level, p.row))
        with self.timed("codes and ids"):
            self._assign_codes(to_create)
            self._assign_ids(to_create)
        with self.timed("insert"):
            self._insert(to_create)
        with self.timed("update"):
            self._update(to_update)
        self.created_ids = [p.new_id for p in to_create]
        outcome.created = len(to_create)
        outcome.updated = len(self.updated_ids)
        outcome.skipped = len(self.errors)
        return outcome

    def _assign_codes(self, to_create: list[Person]) -> None:
        province = self.ctx.province
        counter, _created = CaseCodeCounter.objects.select_for_update().get_or_create(
            province=province
        )
        explicit = {int(p.code[-6:]) for p in to_create if p.portal}
        number = counter.last_number
        for p in to_create:
            if p.portal:
                p.new_code = p.code
                continue
            number += 1
            while number in explicit:
                number += 1
            p.new_code = f"{self.prefix}-{number:06d}"
        last = max([number, counter.last_number, *explicit])
        CaseCodeCounter.objects.filter(pk=counter.pk).update(
            last_number=F("last_number") - counter.last_number + last
        )

    def _assign_ids(self, to_create: list[Person]) -> None:
        if not to_create:
            return
        table = Case._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, len(to_create)],
                )
                ids = [row[0] for row in cursor.fetchall()]
            else:
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
                first = cursor.fetchone()[0] + 1
                ids = range(first, first + len(to_create))
        for p, new_id in zip(to_create, ids, strict=True):
            p.new_id = new_id

    def _case_rows(self, to_create: list[Person]):
        """Rows of the Case table in its column order, defaults from the model."""
        ctx = self.ctx
        actor = ctx.actor
        fields = Case._meta.concrete_fields
        base = [f.get_default() if f.has_default() or not f.null else None for f in fields]
        ix = {f.attname: i for i, f in enumerate(fields)}
        now = ctx.now
        base[ix["created_at"]] = now
        base[ix["updated_at"]] = now
        base[ix["province_id"]] = ctx.province.pk
        base[ix["entered_by_id"]] = actor.pk
        base[ix["entering_agency"]] = actor.agency
        base[ix["version"]] = 1
        i_id, i_code, i_level, i_f0 = ix["id"], ix["code"], ix["level"], ix["f0_status"]
        i_source, i_closed = ix["source_id"], ix["closed_at"]
        i_folded = ix["name_folded"]
        simple = [
            (ix[name], name, base[ix[name]])
            for name in (
                "full_name",
                "year_of_birth",
                "sex",
                "national_id",
                "phone",
                "address",
                "district_id",
                "relation",
                "exposure_date",
                "status",
                "bluezone_status",
                "notes",
            )
        ]
        for p in to_create:
            row = base.copy()
            row[i_id] = p.new_id
            row[i_code] = p.new_code
            row[i_folded] = p.name_folded
            for index, name, default in simple:
                value = getattr(p, name)
                row[index] = default if value is None else value
            level = p.final_level
            row[i_level] = level
            if level == 0:
                row[i_f0] = p.f0_status or F0Status.SUSPECTED
            else:
                row[i_f0] = ""
            if p.source_row is not None:
                row[i_source] = (
                    p.source_row.existing["id"] if p.source_row.existing else p.source_row.new_id
                )
            elif p.source_on_file is not None:
                row[i_source] = p.source_on_file["id"]
            if p.status in CLOSED_STATUSES:
                row[i_closed] = now
            yield row

    def _history_rows(self, to_create: list[Person]):
        ctx = self.ctx
        note = _("Imported from %(file)s (import #%(job)s).") % {
            "file": ctx.file_name,
            "job": ctx.job_id or "-",
        }
        actor_id, now, created = ctx.actor.pk, ctx.now, HistoryKind.CREATED.value
        for p in to_create:
            if p.source_row is not None:
                source_code = (
                    p.source_row.existing["code"]
                    if p.source_row.existing
                    else p.source_row.new_code
                )
            elif p.source_on_file is not None:
                source_code = p.source_on_file["code"]
            else:
                source_code = None
            # The JSON of {"level": [None, level], "source": [None, code]}, written directly:
            # 100,000 json.dumps calls cost more than the rest of the row.
            source = "null" if source_code is None else json.dumps(source_code)
            changes = f'{{"level": [null, {p.final_level}], "source": [null, {source}]}}'
            yield (p.new_id, now, actor_id, created, 1, changes, note)

    def _insert(self, to_create: list[Person]) -> None:
        if not to_create:
            return
        case_columns = [f.column for f in Case._meta.concrete_fields]
        history_columns = ["case_id", "at", "actor_id", "kind", "version", "changes", "note"]
        if connection.vendor == "postgresql":
            with self.timed("copy people"):
                _copy(Case._meta.db_table, case_columns, self._case_rows(to_create))
            with self.timed("copy history"):
                _copy(CaseHistory._meta.db_table, history_columns, self._history_rows(to_create))
            return
        attnames = [f.attname for f in Case._meta.concrete_fields]
        batch = []
        for row in self._case_rows(to_create):
            batch.append(Case(**dict(zip(attnames, row, strict=True))))
            if len(batch) >= WRITE_BATCH:
                Case.objects.bulk_create(batch)
                batch = []
        Case.objects.bulk_create(batch)
        history = [
            CaseHistory(
                case_id=case_id,
                at=at,
                actor_id=actor_id,
                kind=kind,
                version=version,
                changes=json.loads(changes),
                note=note,
            )
            for case_id, at, actor_id, kind, version, changes, note in self._history_rows(to_create)
        ]
        CaseHistory.objects.bulk_create(history, batch_size=WRITE_BATCH)

    def _update(self, to_update: list[Person]) -> None:
        """People on file that the file changes: locked, re-read (someone may have saved
        them since the preview), saved in batches with one history entry each."""
        if not to_update:
            return
        ctx = self.ctx
        note = _("Updated from %(file)s (import #%(job)s).") % {
            "file": ctx.file_name,
            "job": ctx.job_id or "-",
        }
        current = {}
        for chunk in _chunks([p.existing["id"] for p in to_update]):
            locked = _where_in(Case.objects.select_for_update(), "id", chunk)
            for row in locked.values("id", "version", "name_folded", "closed_at", *UPDATABLE):
                current[row["id"]] = row
        objects, history, fields = [], [], {"version", "updated_at"}
        for p in to_update:
            row = current[p.existing["id"]]
            case = Case(pk=row["id"], name_folded=row["name_folded"], closed_at=row["closed_at"])
            for name in UPDATABLE:
                setattr(case, name, row[name])
            diff = {}
            for name, (_old, new) in p.changes.items():
                if row[name] != new:
                    diff[name] = [_plain(row[name]), _plain(new)]
                    setattr(case, name, new)
                    fields.add(name)
            if not diff:
                continue
            if "full_name" in diff:
                case.name_folded = fold(case.full_name)
                fields.add("name_folded")
            if "status" in diff:
                case.closed_at = ctx.now if case.status in CLOSED_STATUSES else None
                fields.add("closed_at")
            case.version = row["version"] + 1
            case.updated_at = ctx.now
            objects.append(case)
            history.append(
                CaseHistory(
                    case_id=case.pk,
                    at=ctx.now,
                    actor=ctx.actor,
                    kind=HistoryKind.UPDATED,
                    version=case.version,
                    changes=diff,
                    note=note,
                )
            )
        # Every object carries every field listed (those it does not change, as they are).
        Case.objects.bulk_update(objects, sorted(fields), batch_size=1000)
        CaseHistory.objects.bulk_create(history, batch_size=WRITE_BATCH)
        self.updated_ids = [case.pk for case in objects]


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _where_in(qs, field: str, values: list):
    """`field IN values`. On PostgreSQL as `= ANY(%s)` with one array parameter: psycopg
    would otherwise parse a query with thousands of placeholders, once per chunk."""
    if connection.vendor != "postgresql":
        return qs.filter(**{f"{field}__in": values})
    column = qs.model._meta.get_field(field).column
    name = (
        f"{connection.ops.quote_name(qs.model._meta.db_table)}.{connection.ops.quote_name(column)}"
    )
    return qs.extra(where=[f"{name} = ANY(%s)"], params=[list(values)])  # noqa: S610


def _chunks(items, size: int = LOOKUP_CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _copy(table: str, columns: list[str], rows) -> None:
    """Stream rows into a table with PostgreSQL's COPY (psycopg 3), in the transaction."""
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
