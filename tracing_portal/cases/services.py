"""Writes to the people register. Each service runs in one transaction and records its
history and audit events itself."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tracing_portal.audit.models import AuditAction
from tracing_portal.audit.services import audit_record
from tracing_portal.core.exceptions import ApplicationError
from tracing_portal.core.text import fold

from .models import (
    MAX_LEVEL,
    BluezoneStatus,
    Case,
    CaseCodeCounter,
    CaseHistory,
    CaseStatus,
    ContactLink,
    F0Status,
    HistoryKind,
    InstallAsk,
    Quarantine,
    Verification,
)
from .phones import parse_vn_mobile
from .signals import phone_changed

# Fields a user edits directly; level, source and verification have their own services.
EDITABLE_FIELDS = [
    "full_name",
    "year_of_birth",
    "sex",
    "national_id",
    "phone",
    "address",
    "district",
    "relation",
    "exposure_date",
    "status",
    "f0_status",
    "bluezone_status",
    "quarantine",
    "facility",
    "flagged_for_tracing",
    "notes",
]
CLOSED_STATUSES = {
    CaseStatus.NEGATIVE,
    CaseStatus.RECOVERED,
    CaseStatus.DECEASED,
    CaseStatus.RELEASED,
}


class StaleEditError(ApplicationError):
    """Someone saved the person after the editor loaded it; `changes` lists what changed."""

    def __init__(self, message, *, changes):
        super().__init__(message, extra={"changes": changes})
        self.changes = changes


@dataclass
class CaseResult:
    case: Case
    messages: list[str] = field(default_factory=list)


def _json(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return str(value)


def _history(case: Case, *, actor, kind: str, changes: dict | None = None, note: str = ""):
    CaseHistory.objects.create(
        case=case,
        at=timezone.now(),
        actor=actor,
        kind=kind,
        version=case.version,
        changes=changes or {},
        note=note,
    )


def _next_code(province) -> str:
    counter, _created = CaseCodeCounter.objects.select_for_update().get_or_create(province=province)
    CaseCodeCounter.objects.filter(pk=counter.pk).update(last_number=F("last_number") + 1)
    counter.refresh_from_db()
    return f"{province.case_prefix}-{counter.last_number:06d}"


def _normalise_phone(raw: str, messages: list[str]) -> str:
    if not raw:
        return ""
    parsed = parse_vn_mobile(raw)
    if parsed.converted_from:
        messages.append(
            _("The retired number %(old)s was converted to its new form %(new)s.")
            % {"old": parsed.converted_from, "new": "0" + parsed.e164[3:]}
        )
    return parsed.e164


def _check_same_province(case_province_id, other: Case | None, what: str):
    if other is not None and other.province_id != case_province_id:
        raise ApplicationError(
            _("The %(what)s must be a person of the same province.") % {"what": what}
        )


def _check_residence(case: Case):
    """The district and the quarantine facility are the person's province's."""
    for place, what in ((case.district, _("district")), (case.facility, _("quarantine facility"))):
        if place is not None and place.province_id != case.province_id:
            raise ApplicationError(
                _("The %(what)s must be in the person's province.") % {"what": what}
            )


def _ancestor_ids(case: Case) -> set[int]:
    """Every person above `case`, through main sources and further sources."""
    seen: set[int] = set()
    frontier = {case.pk}
    for _depth in range(MAX_LEVEL * 4):
        parents = set(
            Case.objects.filter(pk__in=frontier, source__isnull=False).values_list(
                "source_id", flat=True
            )
        ) | set(
            ContactLink.objects.filter(case_id__in=frontier).values_list("source_id", flat=True)
        )
        parents -= seen
        if not parents:
            break
        seen |= parents
        frontier = parents
    return seen


def _guard_no_cycle(case: Case, source: Case):
    if source.pk == case.pk or case.pk in _ancestor_ids(source):
        raise ApplicationError(
            _("%(source)s is already below %(case)s in the chain: that would make a cycle.")
            % {"source": source.code, "case": case.code}
        )


def _contact_level(source: Case) -> int:
    level = source.level + 1
    if level > MAX_LEVEL:
        raise ApplicationError(
            _(
                "%(code)s is F%(level)s, the deepest level tracked; contacts below F5 are not "
                "recorded."
            )
            % {"code": source.code, "level": source.level}
        )
    return level


def _full_clean(case: Case):
    try:
        case.full_clean(exclude=["code", "entered_by", "name_folded"])
    except ValidationError as exc:
        raise ApplicationError("; ".join(exc.messages)) from exc


@transaction.atomic
def case_create(
    *,
    actor,
    full_name: str,
    level: int = 0,
    f0_status: str = "",
    source: Case | None = None,
    phone: str = "",
    province=None,
    **fields,
) -> CaseResult:
    """Create a person. With a source, the level is the source's plus one; without, the
    given level (0 needs a suspected/confirmed classification)."""
    messages: list[str] = []
    province = province or actor.province
    if province is None:
        raise ApplicationError(_("Choose the province the person belongs to."))
    _check_same_province(getattr(province, "pk", province), source, _("source case"))
    if source is not None:
        if source.merged_into_id:
            raise ApplicationError(_("That source was merged into another record."))
        level = _contact_level(source)
        f0_status = ""
    elif level == 0 and not f0_status:
        f0_status = F0Status.SUSPECTED
    if level > 0:
        f0_status = ""
    case = Case(
        province_id=getattr(province, "pk", province),
        full_name=" ".join(full_name.split()),
        level=level,
        f0_status=f0_status,
        source=source,
        phone=_normalise_phone(phone, messages),
        entered_by=actor,
        entering_agency=actor.agency,
        **fields,
    )
    if case.quarantine != Quarantine.FACILITY:
        case.facility = None
    if case.status in CLOSED_STATUSES:
        case.closed_at = timezone.now()
    case.name_folded = fold(case.full_name)
    _check_residence(case)
    _full_clean(case)
    case.code = _next_code(case.province)
    case.save()
    _history(
        case,
        actor=actor,
        kind=HistoryKind.CREATED,
        changes={"level": [None, case.level], "source": [None, source.code if source else None]},
    )
    audit_record(actor=actor, action=AuditAction.CASE_CREATED, obj=case)
    if case.phone:
        _announce_phone(case, actor)
    return CaseResult(case=case, messages=messages)


def case_add_contact(*, actor, source: Case, **fields) -> CaseResult:
    """A new person met `source`: created one level below it."""
    return case_create(actor=actor, source=source, **fields)


def _announce_phone(case: Case, actor):
    case_id, phone, actor_id = case.pk, case.phone, getattr(actor, "pk", None)
    transaction.on_commit(
        lambda: phone_changed.send(sender=Case, case_id=case_id, phone=phone, actor_id=actor_id)
    )


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _changes_since(case: Case, version: int) -> list[dict]:
    entries = CaseHistory.objects.filter(case=case, version__gt=version).select_related("actor")
    return [
        {
            "at": e.at,
            "actor": str(e.actor) if e.actor else "",
            "kind": e.get_kind_display(),
            "changes": e.changes,
        }
        for e in entries.order_by("version", "id")
    ]


@transaction.atomic
def case_update(*, actor, case: Case, version: int, source: Case | None | type = ..., **changes):
    """Edit a person. `version` is the version the editor loaded: if the record moved on
    since, nothing is saved and StaleEditError says what changed meanwhile."""
    current = _lock(case)
    if current.version != version:
        raise StaleEditError(
            _(
                "Someone else saved this person while you were editing. Review their changes "
                "and edit again."
            ),
            changes=_changes_since(current, version),
        )
    messages: list[str] = []
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(f"Not editable: {', '.join(sorted(unknown))}")
    if "phone" in changes:
        changes["phone"] = _normalise_phone(changes["phone"] or "", messages)
    diff = {}
    for name, value in changes.items():
        old = getattr(current, name)
        if old != value:
            diff[name] = [_json(old), _json(value)]
            setattr(current, name, value)
    if "full_name" in diff:
        current.full_name = " ".join(current.full_name.split())
        current.name_folded = fold(current.full_name)
    if current.quarantine != Quarantine.FACILITY:
        current.facility = None
    if current.level > 0:
        current.f0_status = ""
    if "status" in diff:
        current.closed_at = timezone.now() if current.status in CLOSED_STATUSES else None
    level_changed = False
    if source is not ... and source != current.source:
        if source is not None:
            _check_same_province(current.province_id, source, _("source case"))
            _guard_no_cycle(current, source)
            new_level = _contact_level(source)
        else:
            new_level = current.level
        diff["source"] = [_json(current.source), _json(source)]
        if new_level != current.level:
            diff["level"] = [current.level, new_level]
            level_changed = True
        current.source = source
        current.level = new_level
        if new_level > 0:
            current.f0_status = ""
    if not diff:
        return CaseResult(case=current, messages=messages)
    current.version += 1
    _check_residence(current)
    _full_clean(current)
    current.save()
    _history(current, actor=actor, kind=HistoryKind.UPDATED, changes=diff)
    audit_record(
        actor=actor, action=AuditAction.CASE_UPDATED, obj=current, details={"fields": sorted(diff)}
    )
    if level_changed:
        _recompute_below(current, actor=actor, note=_("The source changed."))
    if "phone" in diff and current.phone:
        _announce_phone(current, actor)
    return CaseResult(case=current, messages=messages)


@transaction.atomic
def case_verify(*, actor, case: Case) -> Case:
    """CDC verifies the classification (this makes the person verified); police verify
    identity and phone. A user holding both permissions does both."""
    can_classify = actor.has_perm("cases.verify_classification")
    can_identify = actor.has_perm("cases.verify_identity")
    if not (can_classify or can_identify):
        raise ApplicationError(_("You may not verify people."))
    current = _lock(case)
    if current.merged_into_id:
        raise ApplicationError(_("This record was merged into another one."))
    now = timezone.now()
    changes = {}
    if can_classify and current.classification_verified_at is None:
        current.classification_verified_by = actor
        current.classification_verified_at = now
        changes["classification_verified"] = [False, True]
    if can_identify and current.identity_verified_at is None:
        current.identity_verified_by = actor
        current.identity_verified_at = now
        changes["identity_verified"] = [False, True]
    if not changes:
        return current
    if current.classification_verified_at and current.verification != Verification.VERIFIED:
        changes["verification"] = [current.verification, Verification.VERIFIED]
        current.verification = Verification.VERIFIED
        current.verified_at = now
        current.rejected_at = None
        current.rejected_by = None
        current.rejection_reason = ""
    current.version += 1
    current.save()
    kind = (
        HistoryKind.VERIFIED_CLASSIFICATION
        if "classification_verified" in changes
        else HistoryKind.VERIFIED_IDENTITY
    )
    _history(current, actor=actor, kind=kind, changes=changes)
    audit_record(
        actor=actor,
        action=AuditAction.CASE_VERIFIED,
        obj=current,
        details={"changes": sorted(changes)},
    )
    return current


@transaction.atomic
def case_reject(*, actor, case: Case, reason: str) -> Case:
    if not (
        actor.has_perm("cases.verify_classification") or actor.has_perm("cases.verify_identity")
    ):
        raise ApplicationError(_("You may not reject people."))
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Say why the record is rejected."))
    current = _lock(case)
    changes = {"verification": [current.verification, Verification.REJECTED]}
    current.verification = Verification.REJECTED
    current.rejected_by = actor
    current.rejected_at = timezone.now()
    current.rejection_reason = reason
    current.verified_at = None
    current.classification_verified_at = None
    current.classification_verified_by = None
    current.version += 1
    current.save()
    _history(current, actor=actor, kind=HistoryKind.REJECTED, changes=changes, note=reason)
    audit_record(
        actor=actor, action=AuditAction.CASE_REJECTED, obj=current, details={"reason": reason}
    )
    return current


@transaction.atomic
def case_mark_asked_to_install(*, actor, case: Case, channel: str = "in_person") -> InstallAsk:
    """Log that the person was asked to install Bluezone (in person, by phone or SMS)."""
    current = _lock(case)
    if current.bluezone_status == BluezoneStatus.INSTALLED:
        raise ApplicationError(_("Bluezone is already installed for this person."))
    ask = InstallAsk.objects.create(
        case=current, asked_at=timezone.now(), asked_by=actor, channel=channel
    )
    current.version += 1
    current.save(update_fields=["version", "updated_at"])
    _history(current, actor=actor, kind=HistoryKind.ASKED_TO_INSTALL, changes={"channel": channel})
    audit_record(
        actor=actor,
        action=AuditAction.CASE_ASKED_TO_INSTALL,
        obj=current,
        details={"channel": channel},
    )
    return ask


@transaction.atomic
def case_set_bluezone_status(
    *, case: Case, installed: bool, checked_at: datetime.datetime, actor=None
) -> Case:
    """Record what Bluezone confirmed about the person's phone."""
    current = _lock(case)
    status = BluezoneStatus.INSTALLED if installed else BluezoneStatus.NOT_INSTALLED
    changes = {}
    if current.bluezone_status != status:
        changes["bluezone_status"] = [current.bluezone_status, status]
    current.bluezone_status = status
    current.bluezone_checked_at = checked_at
    current.version += 1
    current.save(update_fields=["bluezone_status", "bluezone_checked_at", "version", "updated_at"])
    _history(current, actor=actor, kind=HistoryKind.BLUEZONE_CHECKED, changes=changes)
    return current


def _sources_of(case_ids: Iterable[int]) -> dict[int, list[tuple[int, str, object]]]:
    """case id -> [(source id, relation, exposure date)] for further sources."""
    out: dict[int, list] = {}
    for link in ContactLink.objects.filter(case_id__in=case_ids):
        out.setdefault(link.case_id, []).append((link.source_id, link.relation, link.exposure_date))
    return out


def _recompute_below(root: Case, *, actor, note: str) -> list[tuple[Case, int, int]]:
    """Re-derive the level of everyone below `root`, one generation at a time: a contact is
    one below the lowest-level of its sources, and that source becomes its main source.
    Returns (case, old level, new level) for each person who moved."""
    moved: list[tuple[Case, int, int]] = []
    levels = {root.pk: root.level}
    frontier = {root.pk}
    visited = {root.pk}
    while frontier:
        child_ids = set(
            Case.objects.filter(source_id__in=frontier, merged_into__isnull=True).values_list(
                "pk", flat=True
            )
        ) | set(
            ContactLink.objects.filter(source_id__in=frontier).values_list("case_id", flat=True)
        )
        child_ids -= visited
        if not child_ids:
            break
        children = list(Case.objects.select_for_update().filter(pk__in=child_ids))
        links = _sources_of(child_ids)
        source_ids = {c.source_id for c in children if c.source_id} | {
            s for ls in links.values() for s, _r, _d in ls
        }
        unknown = source_ids - set(levels)
        if unknown:
            levels.update(dict(Case.objects.filter(pk__in=unknown).values_list("pk", "level")))
        for child in children:
            if child.level == 0:
                # A positive F0 heads its own chain; its sources are kept as links only.
                levels[child.pk] = 0
                continue
            options = []
            if child.source_id:
                options.append(
                    (
                        levels[child.source_id],
                        0,
                        child.source_id,
                        child.relation,
                        child.exposure_date,
                    )
                )
            for sid, relation, exposure_date in links.get(child.pk, []):
                options.append((levels[sid], 1, sid, relation, exposure_date))
            best_level, _pref, best_id, relation, exposure_date = min(options, key=lambda o: o[:2])
            new_level = best_level + 1
            if new_level > MAX_LEVEL:
                raise ApplicationError(
                    _("%(code)s would move below F5; the change was not made.")
                    % {"code": child.code}
                )
            changes = {}
            if best_id != child.source_id:
                ContactLink.objects.filter(case=child, source_id=best_id).delete()
                if child.source_id:
                    ContactLink.objects.get_or_create(
                        case=child,
                        source_id=child.source_id,
                        defaults={"relation": child.relation, "exposure_date": child.exposure_date},
                    )
                changes["source"] = [child.source_id, best_id]
                child.source_id, child.relation, child.exposure_date = (
                    best_id,
                    relation,
                    exposure_date,
                )
            if new_level != child.level:
                changes["level"] = [child.level, new_level]
                moved.append((child, child.level, new_level))
                child.level = new_level
            levels[child.pk] = child.level
            if changes:
                child.version += 1
                child.save(
                    update_fields=[
                        "source",
                        "relation",
                        "exposure_date",
                        "level",
                        "version",
                        "updated_at",
                    ]
                )
                _history(
                    child, actor=actor, kind=HistoryKind.RELEVELLED, changes=changes, note=note
                )
        visited |= child_ids
        frontier = child_ids
    return moved


@transaction.atomic
def case_relevel(*, actor, case: Case, to: str, f0_status: str = F0Status.CONFIRMED) -> CaseResult:
    """`to="f0"`: an F1-or-deeper person tested positive. They become F0 (their old source
    kept as a further source) and everyone below moves up one level.

    `to="negative"`: an F0 tested negative. They return under their best known source, if
    any, and the people whose only source they were move back down."""
    current = _lock(case)
    note = ""
    changes: dict = {}
    if to == "f0":
        if current.level == 0:
            if current.f0_status == f0_status:
                raise ApplicationError(_("This person is already F0."))
            changes["f0_status"] = [current.f0_status, f0_status]
            current.f0_status = f0_status
        else:
            changes["level"] = [current.level, 0]
            if current.source_id:
                ContactLink.objects.get_or_create(
                    case=current,
                    source_id=current.source_id,
                    defaults={"relation": current.relation, "exposure_date": current.exposure_date},
                )
                changes["source"] = [current.source_id, None]
            current.level = 0
            current.source = None
            current.f0_status = f0_status
            current.status = CaseStatus.ACTIVE
            current.closed_at = None
        note = _("Tested positive: now F0.")
    elif to == "negative":
        if current.level != 0:
            raise ApplicationError(_("Only an F0 can be re-classified as negative."))
        links = list(current.extra_links.select_related("source").order_by("source__level", "id"))
        changes["status"] = [current.status, CaseStatus.NEGATIVE]
        changes["f0_status"] = [current.f0_status, ""]
        current.status = CaseStatus.NEGATIVE
        current.closed_at = timezone.now()
        current.f0_status = ""
        if links:
            best = links[0]
            current.level = _contact_level(best.source)
            current.source = best.source
            current.relation = best.relation
            current.exposure_date = best.exposure_date
            best.delete()
            changes["level"] = [0, current.level]
            changes["source"] = [None, current.source_id]
        note = _("Tested negative.")
    else:
        raise ApplicationError(f"Unknown re-levelling: {to}")
    current.version += 1
    _full_clean(current)
    current.save()
    _history(current, actor=actor, kind=HistoryKind.RELEVELLED, changes=changes, note=note)
    moved = _recompute_below(current, actor=actor, note=note)
    audit_record(
        actor=actor,
        action=AuditAction.CASE_RELEVELLED,
        obj=current,
        details={"to": to, "moved": len(moved)},
    )
    messages = []
    if moved:
        messages.append(_("%(n)s people below moved to their new level.") % {"n": len(moved)})
    return CaseResult(case=current, messages=messages)


@transaction.atomic
def case_merge(*, actor, keep: Case, remove: Case) -> Case:
    """Keep one record of a person entered twice: contacts, further sources, install asks
    and history move onto `keep`; `remove` stays, marked as merged into it and out of any
    chain (no source)."""
    if keep.pk == remove.pk:
        raise ApplicationError(_("Choose two different records."))
    keep, remove = _lock(keep), _lock(remove)
    if keep.province_id != remove.province_id:
        raise ApplicationError(_("Only records of the same province can be merged."))
    if remove.merged_into_id or keep.merged_into_id:
        raise ApplicationError(_("One of these records was already merged."))
    if keep.pk in _ancestor_ids(remove) or remove.pk in _ancestor_ids(keep):
        raise ApplicationError(
            _("One record is in the other's chain; they cannot be the same person.")
        )
    # The contacts move under `keep` at its level plus one, in one statement (the database
    # checks each row against its source: at once on SQLite); re-levelling below then
    # moves each to its nearest source and their own contacts after them.
    contacts = list(Case.objects.select_for_update().filter(source=remove).order_by("pk"))
    moved_contacts = [c.pk for c in contacts]
    contact_level = keep.level + 1
    if contacts and contact_level > MAX_LEVEL:
        raise ApplicationError(
            _("%(code)s would move below F5; the change was not made.") % {"code": contacts[0].code}
        )
    Case.objects.filter(pk__in=moved_contacts).update(
        source=keep, level=contact_level, version=F("version") + 1
    )
    note = _("Duplicates merged.")
    for contact in contacts:
        if contact.level != contact_level:
            contact.version += 1
            _history(
                contact,
                actor=actor,
                kind=HistoryKind.RELEVELLED,
                changes={
                    "source": [remove.code, keep.code],
                    "level": [contact.level, contact_level],
                },
                note=note,
            )
    for link in ContactLink.objects.filter(source=remove):
        if (
            link.case_id == keep.pk
            or ContactLink.objects.filter(case_id=link.case_id, source=keep).exists()
        ):
            link.delete()
        else:
            ContactLink.objects.filter(pk=link.pk).update(source=keep)
    for link in ContactLink.objects.filter(case=remove):
        if (
            link.source_id != keep.pk
            and not ContactLink.objects.filter(case=keep, source_id=link.source_id).exists()
        ):
            ContactLink.objects.filter(pk=link.pk).update(case=keep)
        else:
            link.delete()
    if remove.source_id and remove.source_id != keep.source_id and keep.level > 0:
        ContactLink.objects.get_or_create(
            case=keep,
            source_id=remove.source_id,
            defaults={"relation": remove.relation, "exposure_date": remove.exposure_date},
        )
    InstallAsk.objects.filter(case=remove).update(case=keep)
    CaseHistory.objects.filter(case=remove).update(case=keep)
    filled = {}
    for name in ["phone", "national_id", "year_of_birth", "address", "district"]:
        if not getattr(keep, name) and getattr(remove, name):
            setattr(keep, name, getattr(remove, name))
            filled[name] = [None, _json(getattr(remove, name))]
    keep.version += 1
    keep.save()
    # The merged record leaves every chain: without a source, no later re-levelling of
    # that source can leave it a level behind. (`keep` holds that source as a further one,
    # unless `keep` is an F0; the history keeps it either way.)
    remove_changes = {"merged_into": keep.code}
    if remove.source_id:
        remove_changes["source"] = [_json(remove.source), None]
    remove.merged_into = keep
    remove.source = None
    remove.version += 1
    remove.save(update_fields=["merged_into", "source", "version", "updated_at"])
    _history(
        keep,
        actor=actor,
        kind=HistoryKind.MERGED,
        changes={"merged": remove.code, "contacts_moved": len(moved_contacts), **filled},
    )
    _history(remove, actor=actor, kind=HistoryKind.MERGED, changes=remove_changes)
    audit_record(
        actor=actor,
        action=AuditAction.CASE_MERGED,
        obj=keep,
        details={"removed": remove.code, "contacts_moved": len(moved_contacts)},
    )
    _recompute_below(keep, actor=actor, note=note)
    return keep


@transaction.atomic
def case_link_source(
    *, actor, case: Case, source: Case, relation: str, exposure_date=None
) -> CaseResult:
    """Record that a person already on file also met `source`. If that makes them nearer an
    F0 than their current source does, `source` becomes their main source and everyone
    below them moves up accordingly."""
    current = _lock(case)
    _check_same_province(current.province_id, source, _("source case"))
    if current.pk == source.pk or current.source_id == source.pk:
        return CaseResult(case=current)
    _guard_no_cycle(current, source)
    ContactLink.objects.get_or_create(
        case=current, source=source, defaults={"relation": relation, "exposure_date": exposure_date}
    )
    messages = []
    if current.level > 0 and (current.source_id is None or source.level + 1 < current.level):
        new_level = _contact_level(source)
        ContactLink.objects.filter(case=current, source=source).delete()
        if current.source_id:
            ContactLink.objects.get_or_create(
                case=current,
                source_id=current.source_id,
                defaults={"relation": current.relation, "exposure_date": current.exposure_date},
            )
        changes = {"source": [current.source_id, source.pk], "level": [current.level, new_level]}
        current.source, current.relation, current.exposure_date = source, relation, exposure_date
        current.level = new_level
        current.version += 1
        current.save()
        _history(current, actor=actor, kind=HistoryKind.RELEVELLED, changes=changes)
        moved = _recompute_below(current, actor=actor, note=_("A nearer source was found."))
        messages.append(
            _("%(code)s is now F%(level)s under %(source)s.")
            % {"code": current.code, "level": current.level, "source": source.code}
        )
        if moved:
            messages.append(_("%(n)s people below moved to their new level.") % {"n": len(moved)})
    else:
        current.version += 1
        current.save(update_fields=["version", "updated_at"])
        _history(
            current,
            actor=actor,
            kind=HistoryKind.UPDATED,
            changes={"further_source": [None, source.code]},
        )
    audit_record(
        actor=actor,
        action=AuditAction.CASE_UPDATED,
        obj=current,
        details={"further_source": source.code},
    )
    return CaseResult(case=current, messages=messages)
