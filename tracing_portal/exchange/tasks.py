from celery import shared_task

from . import services


@shared_task(acks_late=True)
def import_job_validate(job_id: int) -> str | None:
    """The preview of an uploaded file; a re-run after it started does nothing."""
    job = services.import_job_validate(job_id=job_id)
    return job.status if job else None


@shared_task(acks_late=True)
def import_job_run(job_id: int) -> str | None:
    """Import a confirmed file; a re-run after it was imported does nothing."""
    job = services.import_job_run(job_id=job_id)
    return job.status if job else None


@shared_task
def import_files_purge() -> int:
    return services.import_files_purge()
