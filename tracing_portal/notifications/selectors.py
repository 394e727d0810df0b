"""Reads of SMS data, always narrowed to the actor's province."""

import datetime
import re

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from tracing_portal.accounts.scoping import get_scoped_or_404, scope_to_province
from tracing_portal.cases.models import Case, CaseStatus
from tracing_portal.cases.phones import parse_vn_mobile
from tracing_portal.core.dates import day_start
from tracing_portal.core.exceptions import ApplicationError

from .models import SmsMessage, SmsStatus, SmsTemplate, TemplateKind, idempotency_key

_DIGITS = re.compile(r"\D")


def sms_template_get(*, kind: str, province_id: str | None) -> SmsTemplate:
    """The province's own template of that kind if it has one in use, else the default."""
    templates = SmsTemplate.objects.filter(
        Q(province_id=province_id) | Q(province__isnull=True), kind=kind, is_active=True
    ).order_by("province_id")  # NULLs sort last on SQLite and PostgreSQL ascending
    template = next((t for t in templates if t.province_id == province_id), None)
    template = template or next(iter(templates), None)
    if template is None:
        raise ApplicationError(
            _("No SMS template of the kind “%(kind)s” is in use. Ask an administrator.")
            % {"kind": TemplateKind(kind).label}
        )
    return template


def sms_sent_today(*, actor=None, recipient: str | None = None) -> int:
    qs = SmsMessage.objects.filter(queued_at__gte=day_start())
    if actor is not None:
        qs = qs.filter(created_by=actor)
    if recipient is not None:
        qs = qs.filter(recipient=recipient)
    return qs.count()


def sms_case_get(*, actor, code: str) -> Case:
    return get_scoped_or_404(
        Case.objects.select_related("province", "district"), actor=actor, code=code
    )


def sms_case_messages(*, case: Case, limit: int = 20) -> list[SmsMessage]:
    return list(
        SmsMessage.objects.filter(case=case)
        .select_related("created_by")
        .order_by("-queued_at")[:limit]
    )


def sms_sent_kinds(*, case: Case, purposes: dict[str, str]) -> dict[str, SmsMessage]:
    """For each kind, the message already sent to this person for that kind's purpose."""
    keys = {
        idempotency_key(case_id=case.pk, template_kind=kind, purpose=purpose): kind
        for kind, purpose in purposes.items()
    }
    return {keys[m.idempotency_key]: m for m in SmsMessage.objects.filter(idempotency_key__in=keys)}


def sms_already_sent_counts(*, case_ids: list[int], purposes: dict[str, str]) -> dict[str, int]:
    """For each kind, how many of these people already had it for that kind's purpose."""
    return {
        kind: SmsMessage.objects.filter(
            idempotency_key__in=[
                idempotency_key(case_id=pk, template_kind=kind, purpose=purpose) for pk in case_ids
            ]
        ).count()
        for kind, purpose in purposes.items()
    }


def sms_bulk_selection(
    *, actor, filters: dict | None = None, case_ids: list[int] | None = None
) -> QuerySet[Case]:
    """People a bulk send would go to: the ids given (e.g. ticked on the cases list) or the
    filters, inside the actor's province; merged and closed records left out."""
    qs = scope_to_province(
        Case.objects.filter(merged_into__isnull=True, anonymised_at__isnull=True),
        actor=actor,
    ).exclude(status=CaseStatus.DECEASED)
    if case_ids is not None:
        return qs.filter(pk__in=case_ids).order_by("code")
    filters = filters or {}
    for name in ("bluezone_status", "verification", "status"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    level = filters.get("level")
    if level == "contacts":
        qs = qs.filter(level__gte=1)
    elif level not in (None, ""):
        qs = qs.filter(level=int(level))
    if filters.get("trace"):
        qs = qs.filter(pk__in=_accepted_contacts(actor=actor, trace_id=filters["trace"]))
    if filters.get("district"):
        qs = qs.filter(district=filters["district"])
    if filters.get("source_code"):
        qs = qs.filter(source__code__iexact=filters["source_code"].strip())
    return qs.order_by("code")


def _accepted_contacts(*, actor, trace_id: int) -> QuerySet:
    """The people accepted from one trace request of the actor's province (ids)."""
    from tracing_portal.bluezone.models import Review, TracedContact, TraceRequest

    traces = scope_to_province(TraceRequest.objects.filter(pk=trace_id), actor=actor)
    return TracedContact.objects.filter(
        trace__in=traces, review=Review.ACCEPTED, resulting_case__isnull=False
    ).values("resulting_case")


def sms_accepted_from_trace(*, case: Case) -> int | None:
    """The latest trace request the person was accepted from as a contact, if any: its
    exposure notice goes under that trace's purpose, whichever page sends it."""
    from tracing_portal.bluezone.models import Review, TracedContact

    return (
        TracedContact.objects.filter(resulting_case=case, review=Review.ACCEPTED)
        .order_by("-trace__created_at", "-trace_id")
        .values_list("trace_id", flat=True)
        .first()
    )


def sms_selection_trace(*, actor, trace_id: int | None):
    """The trace request a selection is narrowed to, if it is one of the actor's province."""
    from tracing_portal.bluezone.models import TraceRequest

    if not trace_id:
        return None
    return (
        scope_to_province(TraceRequest.objects.select_related("case"), actor=actor)
        .filter(pk=trace_id)
        .first()
    )


def sms_message_list(*, actor, filters: dict | None = None) -> QuerySet[SmsMessage]:
    filters = filters or {}
    qs = scope_to_province(
        SmsMessage.objects.select_related("case", "created_by", "template"), actor=actor
    )
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("template_kind"):
        qs = qs.filter(template_kind=filters["template_kind"])
    if filters.get("date_from"):
        qs = qs.filter(queued_at__gte=day_start(filters["date_from"]))
    if filters.get("date_to"):
        qs = qs.filter(queued_at__lt=day_start(filters["date_to"] + datetime.timedelta(days=1)))
    text = (filters.get("q") or "").strip()
    if text:
        digits = _DIGITS.sub("", text)
        condition = Q(case__code__iexact=text)
        if len(digits) >= 9:
            try:
                condition |= Q(recipient=parse_vn_mobile(text).e164)
            except Exception:  # noqa: BLE001 - not a whole number: search the digits instead
                condition |= Q(recipient__endswith=digits[-9:])
        elif digits and len(digits) == len(text.replace("-", "")):
            condition |= Q(case__code__endswith=digits.zfill(6))
        qs = qs.filter(condition)
    return qs.order_by("-queued_at", "-id")


def sms_delivery_figures(*, actor, date_from: datetime.date, date_to: datetime.date) -> dict:
    """Counts by status, by day and by kind, and the delivery rate, all counted in SQL."""
    qs = scope_to_province(SmsMessage.objects.all(), actor=actor).filter(
        queued_at__gte=day_start(date_from),
        queued_at__lt=day_start(date_to + datetime.timedelta(days=1)),
    )
    per_status = {status: Count("id", filter=Q(status=status)) for status in SmsStatus.values}
    totals = qs.aggregate(
        total=Count("id"), segments_total=Coalesce(Sum("segments"), 0), **per_status
    )
    by_day = list(
        qs.annotate(day=TruncDate("queued_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(total=Count("id"), **per_status)
        .order_by("day")
    )
    by_kind = list(
        qs.values("template_kind").annotate(total=Count("id"), **per_status).order_by("-total")
    )
    kind_labels = dict(TemplateKind.choices)
    for row in by_kind:
        row["label"] = kind_labels.get(row["template_kind"], row["template_kind"] or "—")
    for row in [totals, *by_day, *by_kind]:
        row["rate"] = delivery_rate(row)
    return {"totals": totals, "by_day": by_day, "by_kind": by_kind}


def delivery_rate(row: dict) -> float | None:
    """Delivered as a share of the messages whose outcome is known (delivered or failed)."""
    done = (row.get(SmsStatus.DELIVERED) or 0) + (row.get(SmsStatus.FAILED) or 0)
    return None if not done else row[SmsStatus.DELIVERED] / done
