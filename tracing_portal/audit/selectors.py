import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from tracing_portal.accounts.models import User
from tracing_portal.accounts.scoping import scope_to_province

from .models import AuditEvent


def audit_event_list(*, actor, filters: dict | None = None):
    filters = filters or {}
    qs = scope_to_province(AuditEvent.objects.select_related("actor", "province"), actor=actor)
    if filters.get("action"):
        qs = qs.filter(action=filters["action"])
    if filters.get("object_type"):
        qs = qs.filter(object_type=filters["object_type"], object_id=filters.get("object_id", ""))
    if filters.get("actor"):
        qs = qs.filter(actor_id=filters["actor"])
    if filters.get("date_from"):
        qs = qs.filter(created_at__date__gte=filters["date_from"])
    if filters.get("date_to"):
        qs = qs.filter(created_at__date__lte=filters["date_to"])
    return qs


# A data-subject request: everything held about one phone number.


@dataclass
class DataReport:
    phone: str  # E.164
    generated_at: datetime
    sections: dict[str, list[dict]] = field(default_factory=dict)
    truncated: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.sections.items()}

    def as_json(self) -> dict:
        return {
            "phone": self.phone,
            "generated_at": self.generated_at.isoformat(),
            "counts": self.counts,
            "truncated": self.truncated,
            **self.sections,
        }


REPORT_LIMIT = 5000

CASE_FIELDS = [
    "id",
    "code",
    "province_id",
    "level",
    "f0_status",
    "status",
    "full_name",
    "year_of_birth",
    "sex",
    "national_id",
    "phone",
    "address",
    "district__name",
    "source__code",
    "relation",
    "exposure_date",
    "bluezone_status",
    "quarantine",
    "verification",
    "notes",
    "created_at",
    "closed_at",
    "anonymised_at",
]


def phone_key(e164: str) -> str:
    """A keyed hash of a number: reports about it can be found again without the audit log
    holding the number itself."""
    return hmac.new(settings.SECRET_KEY.encode(), e164.encode(), hashlib.sha256).hexdigest()[:32]


def _rows(qs, fields, name, report) -> list[dict]:
    rows = list(qs.values(*fields)[: REPORT_LIMIT + 1])
    if len(rows) > REPORT_LIMIT:
        report.truncated.append(name)
        rows = rows[:REPORT_LIMIT]
    return rows


def personal_data_report(*, actor, e164: str) -> DataReport:
    """Every record in the actor's province (every province for national administrators)
    that holds the number: people (now or formerly with it), Bluezone lookups, trace
    requests and contacts, SMS, staff accounts, and the audit events about them."""
    from tracing_portal.bluezone.models import Lookup, TracedContact, TraceRequest
    from tracing_portal.cases.models import Case, CaseHistory
    from tracing_portal.notifications.models import SmsMessage

    from .models import AuditAction

    msisdn = e164.lstrip("+")
    report = DataReport(phone=e164, generated_at=timezone.now())
    former = (
        scope_to_province(CaseHistory.objects.all(), actor=actor, field="case__province")
        .annotate(text=Cast("changes", TextField()))
        .filter(text__contains=e164)
        .values("case_id")
    )
    cases = scope_to_province(Case.objects.all(), actor=actor).filter(
        Q(phone=e164) | Q(pk__in=former)
    )
    report.sections["people"] = _rows(cases.order_by("pk"), CASE_FIELDS, "people", report)
    case_ids = [row["id"] for row in report.sections["people"]]
    report.sections["history"] = _rows(
        CaseHistory.objects.filter(case_id__in=case_ids).order_by("case_id", "at"),
        ["case__code", "at", "kind", "version", "changes", "note"],
        "history",
        report,
    )
    report.sections["lookups"] = _rows(
        scope_to_province(Lookup.objects.all(), actor=actor)
        .filter(Q(phone=e164) | Q(case_id__in=case_ids))
        .order_by("created_at"),
        ["id", "case__code", "phone", "reason", "status", "installed", "checked_at", "created_at"],
        "lookups",
        report,
    )
    report.sections["trace_requests"] = _rows(
        scope_to_province(TraceRequest.objects.all(), actor=actor)
        .filter(Q(msisdn=msisdn) | Q(case_id__in=case_ids))
        .order_by("created_at"),
        ["id", "case__code", "msisdn", "status", "created_at", "uploaded_at", "completed_at"],
        "trace_requests",
        report,
    )
    report.sections["traced_contacts"] = _rows(
        scope_to_province(TracedContact.objects.all(), actor=actor, field="trace__province")
        .filter(phone=e164)
        .order_by("first_seen"),
        [
            "id",
            "trace_id",
            "trace__case__code",
            "phone",
            "first_seen",
            "last_seen",
            "raw_minutes",
            "weighted_minutes",
            "is_candidate",
            "review",
            "resulting_case__code",
        ],
        "traced_contacts",
        report,
    )
    report.sections["sms"] = _rows(
        scope_to_province(SmsMessage.objects.all(), actor=actor)
        .filter(Q(recipient=e164) | Q(case_id__in=case_ids))
        .order_by("queued_at"),
        [
            "id",
            "case__code",
            "recipient",
            "body",
            "template_kind",
            "purpose",
            "status",
            "queued_at",
            "sent_at",
            "delivered_at",
        ],
        "sms",
        report,
    )
    report.sections["staff_accounts"] = _rows(
        scope_to_province(User.objects.all(), actor=actor)
        .filter(phone__in=[e164, "0" + e164[3:], msisdn])
        .order_by("pk"),
        ["id", "username", "full_name", "phone", "agency", "province_id"],
        "staff_accounts",
        report,
    )
    sms_ids = [str(row["id"]) for row in report.sections["sms"]]
    events = (
        scope_to_province(AuditEvent.objects.all(), actor=actor)
        .filter(
            Q(object_type="cases.case", object_id__in=[str(pk) for pk in case_ids])
            | Q(object_type="notifications.smsmessage", object_id__in=sms_ids)
            | Q(action=AuditAction.DATA_REPORT, details__phone_key=phone_key(e164))
        )
        .order_by("created_at", "id")
    )
    report.sections["audit_events"] = _rows(
        events,
        ["created_at", "actor__username", "action", "object_repr", "details", "ip"],
        "audit_events",
        report,
    )
    return report
