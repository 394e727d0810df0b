"""Writes of the exchange app: import jobs (upload, preview, confirm, import, cancel) and
the audit record of each export.

An import is checked twice: once for the preview (a dry run, nothing written), and again
when it runs, because the register may have changed in between. The run writes everything
in one transaction, so a failure leaves nothing half imported.
"""

import contextlib
import datetime
import logging
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tracing_portal.audit.models import AuditAction
from tracing_portal.audit.services import audit_record
from tracing_portal.core.exceptions import ApplicationError

from .importers import (
    BaseImport,
    Context,
    FacilityImport,
    SnapshotImport,
    file_digest,
    write_error_files,
)
from .models import ImportJob, ImportKind, ImportStatus
from .people import PeopleImport
from .reading import FileProblem, sniff_head
from .signals import people_imported

logger = logging.getLogger(__name__)

IMPORTERS: dict[str, type[BaseImport]] = {
    ImportKind.PEOPLE: PeopleImport,
    ImportKind.FACILITIES: FacilityImport,
    ImportKind.SNAPSHOTS: SnapshotImport,
}
# Extra permission a kind needs beside exchange.import_data.
KIND_PERMISSIONS = {ImportKind.FACILITIES: "cases.add_quarantinefacility"}
AUDIT_MODELS = {
    ImportKind.PEOPLE: "cases.case",
    ImportKind.FACILITIES: "cases.quarantinefacility",
    ImportKind.SNAPSHOTS: "stats.installsnapshot",
}
STORED_ISSUES = 500


def max_upload_bytes() -> int:
    return int(settings.EXCHANGE_MAX_UPLOAD_MB * 1024 * 1024)


def import_kinds_for(actor) -> list[tuple[str, str]]:
    """The kinds of file the actor may import."""
    if not actor.has_perm("exchange.import_data"):
        return []
    return [
        (kind, label)
        for kind, label in ImportKind.choices
        if actor.has_perm(KIND_PERMISSIONS.get(kind, "exchange.import_data"))
    ]


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",")


def import_job_create(*, actor, kind: str, upload, province=None) -> ImportJob:
    """Store an uploaded file and queue its preview. The size limit and "is it a
    spreadsheet at all" are checked here, before anything is stored."""
    if kind not in dict(import_kinds_for(actor)):
        raise ApplicationError(_("You may not import this kind of file."))
    province = province if (province is not None and actor.sees_all_provinces) else None
    province = province or actor.province
    if province is None:
        raise ApplicationError(_("Choose the province the file is for."))
    size = upload.size
    if size > max_upload_bytes():
        raise ApplicationError(
            _(
                "The file is %(size)s MB; files up to %(limit)s MB can be imported. Split it "
                "into smaller files, or save it as .xlsx (which is smaller than CSV)."
            )
            % {"size": _megabytes(size), "limit": settings.EXCHANGE_MAX_UPLOAD_MB}
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    try:
        file_format = sniff_head(head)
    except FileProblem as exc:
        raise ApplicationError(exc.message) from exc
    suffix = Path(upload.name or "").suffix.lower()[:8] or (
        ".xlsx" if file_format == "xlsx" else ".csv"
    )
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind,
            province=province,
            created_by=actor,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            original_name=os.path.basename(upload.name or "file")[:255],
            size_bytes=size,
            file_format=file_format,
        )
        job.file.save(f"{uuid.uuid4().hex}{suffix}", upload, save=True)
        job_id = job.pk
        transaction.on_commit(lambda: _enqueue("import_job_validate", job_id))
    return job


def _enqueue(task_name: str, job_id: int) -> None:
    from . import tasks

    getattr(tasks, task_name).delay(job_id)


def _importer_for(job: ImportJob) -> BaseImport:
    ctx = Context(
        actor=job.created_by,
        province=job.province,
        file_name=job.original_name,
        job_id=job.pk,
    )
    return IMPORTERS[job.kind](ctx)


def _progress_saver(job_id: int, start: int, end: int):
    def save(fraction: float) -> None:
        value = start + int((end - start) * fraction)
        ImportJob.objects.filter(pk=job_id).update(progress=min(value, 100))

    return save


def _issues_to_job(job: ImportJob, importer: BaseImport) -> None:
    errors = importer.sorted_errors()
    job.errors = [i.as_dict() for i in errors[:STORED_ISSUES]]
    job.notes = [{"file": n} for n in importer.file_notes] + [
        i.as_dict() for i in importer.notes[:STORED_ISSUES]
    ]
    job.total_rows = importer.outcome.rows
    job.error_rows = len(importer.errors)
    for name in ("error_file", "error_csv"):
        field = getattr(job, name)
        if field:
            field.delete(save=False)
    if importer.errors:
        xlsx_path, csv_path = write_error_files(
            importer, job.file.path, file_format=job.file_format, errors=importer.errors
        )
        stem = Path(job.original_name).stem[:80] or "import"
        for name, path, ext in (("error_file", xlsx_path, "xlsx"), ("error_csv", csv_path, "csv")):
            with open(path, "rb") as f:
                getattr(job, name).save(f"{stem}-loi-{job.pk}.{ext}", File(f), save=False)
            os.unlink(path)


def import_job_validate(*, job_id: int) -> ImportJob | None:
    """The preview: read and check every row, count what would be created and updated, and
    write the bad rows to error files. Nothing is imported. A re-run does nothing."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.UPLOADED).update(
        status=ImportStatus.VALIDATING, started_at=timezone.now(), progress=0
    )
    job = ImportJob.objects.select_related("province", "created_by").filter(pk=job_id).first()
    if not claimed or job is None:
        return job
    with translation.override(job.language):
        importer = _importer_for(job)
        try:
            with importer.open(job.file.path, file_format=job.file_format) as sheet:
                job.encoding = sheet.encoding
                importer.read(sheet, progress=_progress_saver(job.pk, 0, 85))
            importer.save_parsed(_parsed_path(job), digest=file_digest(job.file.path))
            importer.resolve()
        except FileProblem as exc:
            return _finish(job, ImportStatus.REJECTED, message=exc.message)
        except Exception:
            logger.exception("Checking import %s failed", job.pk)
            return _finish(job, ImportStatus.REJECTED, message=_("The file could not be read."))
        outcome = importer.outcome
        job.to_create, job.to_update = outcome.to_create, outcome.to_update
        job.unchanged = outcome.unchanged
        _issues_to_job(job, importer)
        return _finish(job, ImportStatus.READY, finished=False)


def _finish(job: ImportJob, status: str, *, message: str = "", finished: bool = True):
    job.status = status
    job.message = message
    job.progress = 100
    if finished:
        job.finished_at = timezone.now()
    job.save()
    return job


@transaction.atomic
def import_job_confirm(*, actor, job: ImportJob, valid_rows_only: bool = False) -> ImportJob:
    """The user read the preview and imports. With errors in the file, only if they chose
    to import the valid rows and leave the others."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.created_by_id != actor.pk:
        raise ApplicationError(_("Only the person who uploaded the file can import it."))
    if job.status != ImportStatus.READY:
        raise ApplicationError(_("This file is not waiting to be imported."))
    if job.error_rows and not valid_rows_only:
        raise ApplicationError(
            _(
                "%(count)s rows have errors, so nothing was imported. Fix them and upload the "
                "file again, or choose to import only the valid rows."
            )
            % {"count": job.error_rows}
        )
    if job.to_create + job.to_update == 0:
        raise ApplicationError(_("There is nothing to import: every row is already on file."))
    job.status = ImportStatus.CONFIRMED
    job.valid_rows_only = valid_rows_only
    job.progress = 0
    job.save(update_fields=["status", "valid_rows_only", "progress", "updated_at"])
    job_id = job.pk
    transaction.on_commit(lambda: _enqueue("import_job_run", job_id))
    return job


class _ChangedSincePreview(Exception):
    pass


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Import a confirmed file: check it again, then write it in one transaction with one
    audit event. A second run of the same job (a redelivered task) does nothing."""
    moved = ImportJob.objects.filter(
        pk=job_id, status__in=[ImportStatus.CONFIRMED, ImportStatus.IMPORTING]
    ).update(status=ImportStatus.IMPORTING, started_at=timezone.now(), progress=0)
    job = ImportJob.objects.select_related("province", "created_by").filter(pk=job_id).first()
    if not moved or job is None:
        return job
    with translation.override(job.language):
        importer = _importer_for(job)
        try:
            with importer.timed("read"):
                # The preview's reading of this same file, if it is there; else read again.
                digest = file_digest(job.file.path)
                if not importer.load_parsed(_parsed_path(job), digest=digest):
                    with importer.open(job.file.path, file_format=job.file_format) as sheet:
                        importer.read(sheet, progress=_progress_saver(job.pk, 0, 60))
            ImportJob.objects.filter(pk=job.pk).update(progress=70)
            with importer.timed("transaction"), transaction.atomic():
                locked = ImportJob.objects.select_for_update().get(pk=job.pk)
                if locked.status != ImportStatus.IMPORTING:
                    return locked
                with importer.timed("lock"):
                    importer.lock()
                with importer.timed("resolve"):
                    importer.resolve()
                if importer.errors and not job.valid_rows_only:
                    raise _ChangedSincePreview
                with importer.timed("write"):
                    outcome = importer.write(valid_rows_only=job.valid_rows_only)
                audit_record(
                    actor=job.created_by,
                    action=AuditAction.IMPORTED,
                    province=job.province,
                    details={
                        "model": AUDIT_MODELS[job.kind],
                        "job": job.pk,
                        "file": job.original_name,
                        "created": outcome.created,
                        "updated": outcome.updated,
                        "skipped": outcome.skipped,
                    },
                )
                job.created_count, job.updated_count = outcome.created, outcome.updated
                job.skipped_count = outcome.skipped
                job.to_create, job.to_update = outcome.to_create, outcome.to_update
                job.unchanged = outcome.unchanged
                if importer.errors:
                    _issues_to_job(job, importer)
                _after_commit(job, importer)
                job = _finish(job, ImportStatus.DONE)
            logger.info(
                "Import %s: %s rows; %s",
                job.pk,
                outcome.rows,
                ", ".join(f"{k} {v:.2f} s" for k, v in importer.timings.items()),
            )
            job.timings = importer.timings
        except _ChangedSincePreview:
            _issues_to_job(job, importer)
            return _finish(
                job,
                ImportStatus.FAILED,
                message=_(
                    "The register changed since the preview: %(count)s rows now have errors. "
                    "Nothing was imported. See the errors below, and import again."
                )
                % {"count": len(importer.errors)},
            )
        except (FileProblem, ApplicationError) as exc:
            return _finish(job, ImportStatus.FAILED, message=exc.message)
        except Exception:
            logger.exception("Import %s failed", job.pk)
            return _finish(
                job,
                ImportStatus.FAILED,
                message=_("The import failed and nothing was imported. Try again later."),
            )
    return job


def _after_commit(job: ImportJob, importer: BaseImport) -> None:
    job_id, province_id, actor_id = job.pk, job.province_id, job.created_by_id
    created = list(getattr(importer, "created_ids", []))
    updated = list(getattr(importer, "updated_ids", []))

    def announce():
        if job.kind == ImportKind.PEOPLE and (created or updated):
            people_imported.send(
                sender=ImportJob,
                job_id=job_id,
                province_id=province_id,
                actor_id=actor_id,
                created_ids=created,
                updated_ids=updated,
            )
        _delete_upload(job_id)

    transaction.on_commit(announce)


def _parsed_path(job: ImportJob) -> str:
    return f"{job.file.path}.parsed"


def _delete_upload(job_id: int) -> None:
    """The uploaded file holds personal data; once imported, it is not kept (nor what the
    preview read from it)."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is not None and job.file:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(_parsed_path(job))
        job.file.delete(save=False)
        ImportJob.objects.filter(pk=job_id).update(file="")


@transaction.atomic
def import_job_cancel(*, actor, job: ImportJob) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.created_by_id != actor.pk:
        raise ApplicationError(_("Only the person who uploaded the file can cancel it."))
    if job.status not in (ImportStatus.READY, ImportStatus.REJECTED, ImportStatus.FAILED):
        raise ApplicationError(_("This import can no longer be cancelled."))
    job.status = ImportStatus.CANCELLED
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at", "updated_at"])
    job_id = job.pk
    transaction.on_commit(lambda: _delete_upload(job_id))
    return job


def import_files_purge(*, older_than_days: int | None = None) -> int:
    """Delete uploaded and error files of imports older than the retention period; an
    import still waiting for confirmation then is cancelled. Returns the jobs touched."""
    days = settings.EXCHANGE_KEEP_FILES_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - datetime.timedelta(days=days)
    touched = 0
    old = ImportJob.objects.filter(updated_at__lt=cutoff).exclude(
        file="", error_file="", error_csv=""
    )
    for job in old.iterator():
        if job.file:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(_parsed_path(job))
        for name in ("file", "error_file", "error_csv"):
            field = getattr(job, name)
            if field:
                field.delete(save=False)
        if job.status in (ImportStatus.READY, ImportStatus.REJECTED):
            job.status = ImportStatus.CANCELLED
        ImportJob.objects.filter(pk=job.pk).update(
            file="", error_file="", error_csv="", status=job.status
        )
        touched += 1
    return touched


def export_record(
    *,
    actor,
    dataset: str,
    file_format: str,
    rows: int,
    filters: dict | None = None,
    full_phones: bool = False,
    completed: bool = True,
) -> None:
    """Audit one export: what, with which filter, how many rows actually went out."""
    audit_record(
        actor=actor,
        action=AuditAction.EXPORTED,
        province=None if actor.sees_all_provinces else actor.province_id,
        details={
            "dataset": dataset,
            "format": file_format,
            "rows": rows,
            "filters": _plain_filters(filters or {}),
            "full_phones": full_phones,
            "completed": completed,
        },
    )


def _plain_filters(filters: dict) -> dict:
    out = {}
    for name, value in filters.items():
        if value in (None, "", [], ()):
            continue
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif hasattr(value, "pk"):
            value = str(value.pk)
        elif not isinstance(value, bool | int | float | str):
            value = str(value)
        out[name] = value
    return out
