"""Reads of the exchange app: import jobs, and the rows of each export, narrowed to the
actor's province by the selectors of the apps that own the data."""

import datetime as dt

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.http import Http404

from tracing_portal.accounts.scoping import scope_to_province
from tracing_portal.cases.models import Case
from tracing_portal.cases.selectors import case_list
from tracing_portal.core.dates import day_start

from .models import ImportJob


def import_job_list(*, actor, limit: int = 20) -> QuerySet[ImportJob]:
    """The actor's own recent imports (an import's rows are personal data of its uploader's
    work; others in the province see the people it created, not the file)."""
    return (
        scope_to_province(ImportJob.objects.all(), actor=actor)
        .filter(created_by=actor)
        .select_related("province")[:limit]
    )


def import_job_get(*, actor, pk: int) -> ImportJob:
    job = (
        ImportJob.objects.select_related("province", "created_by")
        .filter(pk=pk, created_by_id=actor.pk)
        .first()
    )
    if job is None:
        raise Http404
    return job


def people_export_rows(*, actor, filters: dict, attributes: list[str]):
    """The people of the cases list with the same filters, as value tuples in the cases
    list's order; streamed from the database in chunks."""
    return case_list(actor=actor, filters=filters).values_list(*attributes)


def people_export_count(*, actor, filters: dict) -> int:
    return case_list(actor=actor, filters=filters).count()


def sms_export_rows(*, actor, filters: dict, attributes: list[str]):
    from tracing_portal.notifications.selectors import sms_message_list

    return sms_message_list(actor=actor, filters=filters).values_list(*attributes)


def sms_export_count(*, actor, filters: dict) -> int:
    from tracing_portal.notifications.selectors import sms_message_list

    return sms_message_list(actor=actor, filters=filters).count()


def candidate_export_rows(*, actor, filters: dict, attributes: list[str]):
    """Bluezone's F1 candidates of the actor's province's traces, newest trace first."""
    from tracing_portal.bluezone.models import TracedContact

    qs = scope_to_province(
        TracedContact.objects.filter(is_candidate=True), actor=actor, field="trace__province"
    )
    if filters.get("review"):
        qs = qs.filter(review=filters["review"])
    if filters.get("date_from"):
        qs = qs.filter(trace__created_at__gte=day_start(filters["date_from"]))
    if filters.get("date_to"):
        qs = qs.filter(trace__created_at__lt=day_start(filters["date_to"] + dt.timedelta(days=1)))
    return qs.order_by("-trace__created_at", "trace_id", "-weighted_minutes", "id").values_list(
        *attributes
    )


def snapshot_export_rows(
    *,
    attributes: list[str],
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    province=None,
):
    """Install figures (aggregates, the same for every user) by date and province."""
    from tracing_portal.stats.models import InstallSnapshot

    qs = InstallSnapshot.objects.all()
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    if province is not None:
        qs = qs.filter(province=province)
    return qs.order_by("date", "province_id").values_list(*attributes)


def ministry_daily_counts(*, actor, date_from: dt.date, date_to: dt.date):
    """F0, F1 and F2 entered each day, by district, counted in SQL (days in the portal's
    time zone; merged duplicates left out). Rows: (day, province code, province, district,
    F0, F1, F2, total)."""
    qs = (
        scope_to_province(Case.objects.filter(merged_into__isnull=True), actor=actor)
        .annotate(day=TruncDate("created_at"))
        .filter(day__gte=date_from, day__lte=date_to, level__lte=2)
        .values("day", "province_id", "province__short_name", "district__name")
        .annotate(
            f0=Count("id", filter=Q(level=0)),
            f1=Count("id", filter=Q(level=1)),
            f2=Count("id", filter=Q(level=2)),
            total=Count("id"),
        )
        .order_by("day", "province_id", F("district__name").asc(nulls_last=True))
    )
    return qs.values_list(
        "day",
        "province_id",
        "province__short_name",
        "district__name",
        "f0",
        "f1",
        "f2",
        "total",
    )
