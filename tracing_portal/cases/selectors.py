"""Reads of the people register, always narrowed to the actor's province."""

import datetime as dt
import re

from django.db.models import Count, F, Q, QuerySet

from tracing_portal.accounts.scoping import get_scoped_or_404, scope_to_province
from tracing_portal.audit.models import AuditAction
from tracing_portal.audit.services import audit_record
from tracing_portal.core.dates import day_start
from tracing_portal.core.text import fold

from .models import MAX_LEVEL, Case, CaseHistory, ContactLink, QuarantineFacility
from .phones import parse_vn_mobile

_DIGITS = re.compile(r"\D")


def case_base_qs(*, actor) -> QuerySet[Case]:
    """People the actor may see: own province, merged duplicates left out."""
    return scope_to_province(Case.objects.filter(merged_into__isnull=True), actor=actor)


def _search(qs: QuerySet[Case], text: str) -> QuerySet[Case]:
    text = text.strip()
    if not text:
        return qs
    digits = _DIGITS.sub("", text)
    # Codes are stored upper-case: an exact match uses the unique index (UPPER() would not).
    condition = Q(code=text.upper()) | Q(name_folded__contains=fold(text))
    if len(digits) >= 6:
        try:
            condition |= Q(phone=parse_vn_mobile(text).e164)
        except Exception:  # noqa: BLE001 - a partial number is searched as digits instead
            condition |= Q(phone__contains=digits.lstrip("0"))
    elif digits and len(digits) == len(text.replace("-", "")):
        condition |= Q(code__endswith=digits.zfill(6))
    return qs.filter(condition)


def case_list(*, actor, filters: dict | None = None) -> QuerySet[Case]:
    filters = filters or {}
    qs = case_base_qs(actor=actor).select_related("district", "source")
    for name in ("status", "verification", "bluezone_status", "entering_agency", "f0_status"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    if filters.get("level") not in (None, ""):
        qs = qs.filter(level=int(filters["level"]))
    if filters.get("district"):
        qs = qs.filter(district=filters["district"])
    # Whole local days, as bounds on created_at itself (its indexes serve them).
    if filters.get("date_from"):
        qs = qs.filter(created_at__gte=day_start(filters["date_from"]))
    if filters.get("date_to"):
        qs = qs.filter(created_at__lt=day_start(filters["date_to"] + dt.timedelta(days=1)))
    if filters.get("q"):
        qs = _search(qs, filters["q"])
    return qs.order_by("-created_at", "-id")


def case_get(*, actor, code: str) -> Case:
    return get_scoped_or_404(
        Case.objects.select_related(
            "province",
            "district",
            "source",
            "facility",
            "entered_by",
            "merged_into",
            "classification_verified_by",
            "identity_verified_by",
            "rejected_by",
        ),
        actor=actor,
        code=code,
    )


def case_get_for_full_phone(*, actor, code: str) -> Case:
    """The person page: the full phone is shown to those allowed, and each view is audited."""
    case = case_get(actor=actor, code=code)
    if case.phone and actor.has_perm("cases.view_full_phone"):
        audit_record(actor=actor, action=AuditAction.PHONE_VIEWED, obj=case)
    return case


def case_chain_picture(*, actor, code: str, limit: int = 2000) -> tuple[Case, list[Case]]:
    """The transmission-chain picture: the person and everyone below them (names, levels,
    statuses), shown to whoever may read the person. Each view is audited."""
    case = case_get(actor=actor, code=code)
    below = case_tree_below(case, limit=limit)
    audit_record(
        actor=actor, action=AuditAction.CHAIN_VIEWED, obj=case, details={"people": len(below)}
    )
    return case, below


def case_search_sources(*, actor, text: str, limit: int = 15) -> list[Case]:
    if len(text.strip()) < 2:
        return []
    return list(_search(case_base_qs(actor=actor), text).order_by("level", "-created_at")[:limit])


def case_chain_above(case: Case) -> list[Case]:
    """From the person's source up to the head of the chain, nearest first."""
    chain = []
    current = case
    for _depth in range(MAX_LEVEL + 1):
        if current.source_id is None:
            break
        current = Case.objects.select_related("source").get(pk=current.source_id)
        chain.append(current)
    return chain


def case_tree_below(case: Case, *, limit: int = 5000) -> list[Case]:
    """Everyone below the person through main sources, one query per generation."""
    people: list[Case] = []
    frontier = [case.pk]
    for _depth in range(MAX_LEVEL + 1):
        if not frontier or len(people) >= limit:
            break
        generation = list(
            Case.objects.filter(source_id__in=frontier, merged_into__isnull=True)
            .only(
                "id",
                "code",
                "full_name",
                "level",
                "status",
                "f0_status",
                "source_id",
                "verification",
                "bluezone_status",
                "relation",
            )
            .order_by("source_id", "code")[: limit - len(people)]
        )
        people.extend(generation)
        frontier = [p.pk for p in generation]
    return people


def case_level_counts(people: list[Case]) -> list[tuple[str, int]]:
    counts: dict[int, int] = {}
    for person in people:
        counts[person.level] = counts.get(person.level, 0) + 1
    return [(f"F{level}", counts[level]) for level in sorted(counts)]


def case_history(case: Case) -> QuerySet[CaseHistory]:
    return CaseHistory.objects.filter(case=case).select_related("actor").order_by("-at", "-id")


def case_further_sources(case: Case) -> QuerySet[ContactLink]:
    return ContactLink.objects.filter(case=case).select_related("source")


def case_find_duplicates(
    *,
    actor,
    phone: str = "",
    national_id: str = "",
    full_name: str = "",
    year_of_birth: int | None = None,
    exclude_pk: int | None = None,
) -> list[Case]:
    """People already on file in the actor's province who may be the same person: same
    phone, same national ID, or same folded name and year of birth."""
    condition = Q()
    if phone:
        condition |= Q(phone=phone)
    if national_id:
        condition |= Q(national_id=national_id)
    if full_name and year_of_birth:
        condition |= Q(name_folded=fold(full_name), year_of_birth=year_of_birth)
    if not condition:
        return []
    qs = case_base_qs(actor=actor).filter(condition)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs.order_by("created_at")[:10])


def facility_list(*, actor) -> QuerySet[QuarantineFacility]:
    return scope_to_province(QuarantineFacility.objects.all(), actor=actor).annotate(
        occupants=Count("cases", filter=Q(cases__quarantine="facility", cases__status="active"))
    )


def case_chain_rule_breaches(*, province_id: str | None = None, limit: int = 10) -> list[Case]:
    """People who break the chain rules the database holds (a contact is one level below
    its source, and in its province): none, unless a writer switched the triggers off for
    a bulk load. One set-based query, for such a loader to run after it."""
    qs = Case.objects.filter(source__isnull=False).filter(
        ~Q(level=F("source__level") + 1) | ~Q(province_id=F("source__province_id"))
    )
    if province_id is not None:
        qs = qs.filter(province_id=province_id)
    # Unordered: the first few found, from one hash join over the table (an order by id
    # would walk a million people one index probe at a time).
    return list(qs.select_related("source").order_by()[:limit])
