"""Province scoping: the one place that narrows data to what an actor may see.

Every selector that returns people or province data passes its queryset through
`scope_to_province`. Views never filter by province themselves.
"""

from django.db.models import QuerySet
from django.http import Http404


def scope_to_province(qs: QuerySet, *, actor, field: str = "province") -> QuerySet:
    """Rows of the actor's province; every row for national administrators; none for an
    actor without a province who is not national."""
    if actor is None or not actor.is_authenticated:
        return qs.none()
    if actor.sees_all_provinces:
        return qs
    if actor.province_id is None:
        return qs.none()
    return qs.filter(**{f"{field}_id" if not field.endswith("_id") else field: actor.province_id})


def actor_can_see_province(actor, province_code: str | None) -> bool:
    if actor is None or not actor.is_authenticated:
        return False
    if actor.sees_all_provinces:
        return True
    return province_code is not None and actor.province_id == province_code


def get_scoped_or_404(qs: QuerySet, *, actor, field: str = "province", **lookup):
    """One row by lookup, inside the actor's province; a row of another province is a 404,
    as if it did not exist."""
    try:
        return scope_to_province(qs, actor=actor, field=field).get(**lookup)
    except qs.model.DoesNotExist as exc:
        raise Http404 from exc
