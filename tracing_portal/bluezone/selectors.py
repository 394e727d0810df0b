from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from tracing_portal.accounts.scoping import get_scoped_or_404, scope_to_province
from tracing_portal.cases.models import Case, CaseStatus, Verification
from tracing_portal.cases.selectors import case_base_qs

from .models import OPEN_STATES, Lookup, Review, TracedContact, TraceRequest, TraceState


def tracing_queue(*, actor) -> QuerySet[Case]:
    """Verified people waiting for a trace: F0s (confirmed and suspected) and contacts CDC
    flagged, without a trace open or done; F0s first, then the longest waiting."""
    active_or_done = TraceRequest.objects.filter(
        case=OuterRef("pk"), status__in=[*OPEN_STATES, TraceState.COMPLETED]
    )
    return (
        case_base_qs(actor=actor)
        .filter(verification=Verification.VERIFIED, status=CaseStatus.ACTIVE)
        .filter(Q(level=0) | Q(flagged_for_tracing=True))
        .exclude(phone="")
        .annotate(traced=Exists(active_or_done))
        .filter(traced=False)
        .select_related("district")
        .order_by("level", "verified_at", "id")
    )


def trace_list(*, actor, status: str = "") -> QuerySet[TraceRequest]:
    qs = scope_to_province(TraceRequest.objects.select_related("case", "opened_by"), actor=actor)
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(
        candidates=Count("contacts", filter=Q(contacts__is_candidate=True)),
        accepted=Count("contacts", filter=Q(contacts__review=Review.ACCEPTED)),
    ).order_by("-created_at", "-id")


def trace_get(*, actor, pk: int) -> TraceRequest:
    return get_scoped_or_404(
        TraceRequest.objects.select_related("case", "opened_by", "case__province"),
        actor=actor,
        pk=pk,
    )


def trace_contacts(*, trace: TraceRequest, show: str = "candidates") -> QuerySet[TracedContact]:
    qs = trace.contacts.select_related("matched_case", "resulting_case", "reviewed_by")
    if show == "candidates":
        qs = qs.filter(is_candidate=True)
    elif show == "others":
        qs = qs.filter(is_candidate=False)
    return qs.order_by("-weighted_minutes", "id")


def trace_contact_counts(*, trace: TraceRequest) -> dict:
    return trace.contacts.aggregate(
        total=Count("id"),
        candidates=Count("id", filter=Q(is_candidate=True)),
        without_phone=Count("id", filter=Q(phone="")),
        on_file=Count("id", filter=Q(matched_case__isnull=False)),
        accepted=Count("id", filter=Q(review=Review.ACCEPTED)),
        rejected=Count("id", filter=Q(review=Review.REJECTED)),
    )


def trace_contact_get(*, actor, pk: int) -> TracedContact:
    return get_scoped_or_404(
        TracedContact.objects.select_related("trace__case"),
        actor=actor,
        field="trace__province",
        pk=pk,
    )


def case_lookups(case: Case) -> QuerySet[Lookup]:
    return case.lookups.select_related("requested_by").order_by("-created_at")[:20]


def case_traces(case: Case) -> QuerySet[TraceRequest]:
    return case.trace_requests.order_by("-created_at")
