"""Writes of install snapshots: upserts from Bluezone, backfills and imported files."""

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO

from django.db import connection, transaction
from django.utils.translation import gettext as _

from tracing_portal.audit.models import AuditAction
from tracing_portal.audit.services import audit_record
from tracing_portal.core.exceptions import ApplicationError
from tracing_portal.geo.models import Province

from .importing import install_csv_parse
from .models import InstallSnapshot, SnapshotSource
from .types import SnapshotRowLike

logger = logging.getLogger(__name__)

UPSERT_BATCH_SIZE = 1000
MAX_COUNT = 2_147_483_647  # the largest PositiveIntegerField on every database
# How many days a backfill fetches before it saves them (a failure later keeps these).
BACKFILL_CHUNK_DAYS = 31


@dataclass(frozen=True)
class BackfillResult:
    days_saved: int
    days_without_data: int
    rows_saved: int


def snapshot_upsert_many(
    *, on: dt.date, rows: Sequence[SnapshotRowLike], source: SnapshotSource | str
) -> int:
    """Save one day's figures for many provinces, replacing that day's earlier figures.

    All rows are validated first; any unknown province code or impossible figure raises
    ApplicationError naming them, and nothing is saved. Returns the number of rows saved.
    """
    return snapshot_upsert_dated(rows_by_date={on: rows}, source=source)


def snapshot_upsert_dated(
    *, rows_by_date: Mapping[dt.date, Sequence[SnapshotRowLike]], source: SnapshotSource | str
) -> int:
    """`snapshot_upsert_many` for several days at once: one transaction, batched upserts."""
    source = SnapshotSource(source)
    known = set(Province.objects.values_list("code", flat=True))
    unknown = sorted({row.province_code for rows in rows_by_date.values() for row in rows} - known)
    if unknown:
        raise ApplicationError(
            _("Unknown province codes: %(codes)s. Nothing was saved.")
            % {"codes": ", ".join(unknown)},
            extra={"unknown_codes": unknown},
        )
    snapshots = []
    problems = []
    for day, rows in sorted(rows_by_date.items()):
        seen = set()
        for row in rows:
            if row.province_code in seen:
                problems.append(
                    _("%(code)s on %(date)s appears twice.")
                    % {"code": row.province_code, "date": day.isoformat()}
                )
                continue
            seen.add(row.province_code)
            if errors := _figure_problems(row):
                problems.append(
                    _("%(code)s on %(date)s: %(errors)s")
                    % {
                        "code": row.province_code,
                        "date": day.isoformat(),
                        "errors": " ".join(errors),
                    }
                )
                continue
            snapshot = InstallSnapshot(
                province_id=row.province_code,
                date=day,
                installs=row.installs,
                installs_with_phone=row.installs_with_phone,
                smartphone_users=row.smartphone_users,
                source=source,
            )
            snapshots.append(snapshot)
    if problems:
        raise ApplicationError(
            _("Nothing was saved: %(problems)s") % {"problems": " ".join(problems)},
            extra={"problems": problems},
        )
    with transaction.atomic():
        InstallSnapshot.objects.bulk_create(
            snapshots,
            batch_size=UPSERT_BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["province", "date"],
            update_fields=[
                "installs",
                "installs_with_phone",
                "smartphone_users",
                "source",
                "updated_at",
            ],
        )
    return len(snapshots)


def _figure_problems(row: SnapshotRowLike) -> list[str]:
    """What is wrong with one row's figures. This stands in for full_clean(), which costs
    more than the insert itself on a year of rows: province codes are checked in bulk
    above, and the (province, date) uniqueness is what the upsert resolves. The database's
    constraints remain the backstop."""
    problems = []
    for name in ("installs", "installs_with_phone", "smartphone_users"):
        value = getattr(row, name)
        if value is None and name == "smartphone_users":
            continue
        if type(value) is not int or not 0 <= value <= MAX_COUNT:
            problems.append(
                _("%(field)s must be a whole number of zero or more.") % {"field": name}
            )
    if not problems and row.installs_with_phone > row.installs:
        problems.append(_("installs with a phone number exceed installs."))
    return problems


def _install_stats(on: dt.date, *, client=None):
    if client is None:
        from tracing_portal.bluezone.client import get_client

        client = get_client()
    return client.install_stats(on)


def snapshots_fetch_from_bluezone(
    *, on: dt.date, client=None, source: SnapshotSource | str = SnapshotSource.BLUEZONE_API
) -> int | None:
    """Fetch one day's figures from Bluezone and save them. Returns the number of rows saved,
    or None when Bluezone has no figures for that day. Running it twice changes nothing."""
    stats = _install_stats(on, client=client)
    if stats is None:
        return None
    return snapshot_upsert_many(on=stats.date, rows=stats.provinces, source=source)


def snapshots_backfill(
    *,
    date_from: dt.date,
    date_to: dt.date,
    client=None,
    progress: Callable[[dt.date, int | None], None] | None = None,
) -> BackfillResult:
    """Fetch every day from date_from to date_to (inclusive) from Bluezone and save them,
    skipping days without data. Saved in chunks of days, each in one transaction, so an
    interrupted backfill keeps what it saved; running it again is harmless."""
    if date_to < date_from:
        raise ApplicationError(_("The end date is before the start date."))
    days_saved = days_without = rows_saved = 0
    pending: dict[dt.date, Sequence[SnapshotRowLike]] = {}

    def flush():
        nonlocal rows_saved
        if pending:
            rows_saved += snapshot_upsert_dated(
                rows_by_date=pending, source=SnapshotSource.BACKFILL
            )
            pending.clear()

    for day in _days(date_from, date_to):
        stats = _install_stats(day, client=client)
        if stats is None:
            days_without += 1
        else:
            pending[stats.date] = stats.provinces
            days_saved += 1
        if progress is not None:
            progress(day, None if stats is None else len(stats.provinces))
        if len(pending) >= BACKFILL_CHUNK_DAYS:
            flush()
    flush()
    return BackfillResult(
        days_saved=days_saved, days_without_data=days_without, rows_saved=rows_saved
    )


def snapshots_import_csv(*, file: IO[str], actor=None, file_name: str = "") -> int:
    """Import install figures from a CSV file (see `importing.install_csv_parse`). Any bad
    row raises ApplicationError listing every problem by row number; nothing is saved."""
    parsed = install_csv_parse(file=file)
    with transaction.atomic():
        saved = snapshot_upsert_dated(rows_by_date=parsed, source=SnapshotSource.IMPORT)
        audit_record(
            actor=actor,
            action=AuditAction.IMPORTED,
            details={"model": "stats.installsnapshot", "rows": saved, "file": file_name},
        )
    return saved


def _days(first: dt.date, last: dt.date) -> Iterable[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


# --- people per day (the dashboard's counts) ------------------------------------------------

_PEOPLE_DAY_COMPACT = """
WITH busy AS (
    SELECT DISTINCT province_id, day FROM stats_peopleday
    GROUP BY province_id, day, level, status, bluezone_status, f0_status, verification
    HAVING COUNT(*) > 1 OR SUM(people) = 0
), gone AS (
    DELETE FROM stats_peopleday AS p USING busy
    WHERE p.province_id = busy.province_id AND p.day = busy.day
    RETURNING p.province_id, p.day, p.level, p.status, p.bluezone_status, p.f0_status,
        p.verification, p.people
), folded AS (
    INSERT INTO stats_peopleday
        (province_id, day, level, status, bluezone_status, f0_status, verification, people)
    SELECT province_id, day, level, status, bluezone_status, f0_status, verification,
        SUM(people)
    FROM gone
    GROUP BY province_id, day, level, status, bluezone_status, f0_status, verification
    HAVING SUM(people) <> 0
    RETURNING 1
)
SELECT (SELECT COUNT(*) FROM gone) - (SELECT COUNT(*) FROM folded)
"""


def people_days_kept() -> bool:
    """Whether PeopleDay is kept by triggers: on PostgreSQL (migration stats/0002)."""
    return connection.vendor == "postgresql"


def people_days_compact() -> int:
    """Fold PeopleDay's rows of changes into one row per key, for the days that have more
    than one (or a count of zero); return how many rows went. Rows added meanwhile by
    other transactions are not seen and stay, so the sums never change."""
    if not people_days_kept():
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_PEOPLE_DAY_COMPACT)
        removed = cursor.fetchone()[0]
    logger.info("People per day compacted: %s rows folded away", removed)
    return removed
