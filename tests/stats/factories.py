import datetime as dt

import factory
from django.utils import timezone

from tests.cases.factories import CaseFactory
from tracing_portal.bluezone.models import Review, TracedContact, TraceRequest, TraceState
from tracing_portal.cases.models import InstallAsk
from tracing_portal.stats.models import InstallSnapshot, SnapshotSource


class InstallSnapshotFactory(factory.django.DjangoModelFactory):
    """`InstallSnapshotFactory(province_id="30", date=..., installs=...)`."""

    class Meta:
        model = InstallSnapshot
        django_get_or_create = ("province_id", "date")

    province_id = "30"
    date = dt.date(2021, 6, 19)
    installs = 1_000
    installs_with_phone = factory.LazyAttribute(lambda o: o.installs // 2)
    smartphone_users = None
    source = SnapshotSource.IMPORT


# --- the tracing figures: people, traces, candidates, asks, written straight to the tables


class TraceRequestFactory(factory.django.DjangoModelFactory):
    """A trace request of a person (an F0 of Hải Dương unless `case` is given)."""

    class Meta:
        model = TraceRequest

    case = factory.SubFactory(CaseFactory, verification="verified")
    province_id = factory.LazyAttribute(lambda o: o.case.province_id)
    opened_by = factory.LazyAttribute(lambda o: o.case.entered_by)
    msisdn = factory.LazyAttribute(lambda o: o.case.phone.lstrip("+"))
    status = TraceState.COMPLETED


class TracedContactFactory(factory.django.DjangoModelFactory):
    """An F1 candidate found by a trace (set is_candidate=False for a contact below the
    threshold)."""

    class Meta:
        model = TracedContact

    trace = factory.SubFactory(TraceRequestFactory)
    contact_id = factory.Sequence(lambda n: f"contact-{n}")
    sightings_count = 30
    first_seen = factory.LazyFunction(timezone.now)
    last_seen = factory.LazyFunction(timezone.now)
    raw_minutes = 20.0
    weighted_minutes = 20.0
    is_candidate = True
    review = Review.PENDING


class InstallAskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InstallAsk

    case = factory.SubFactory(CaseFactory)
    asked_at = factory.LazyFunction(timezone.now)
    asked_by = factory.LazyAttribute(lambda o: o.case.entered_by)
