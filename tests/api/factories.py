import datetime as dt

import factory
from django.utils import timezone

from tracing_portal.bluezone.models import TracedContact, TraceRequest
from tracing_portal.cases.models import Case
from tracing_portal.core.text import fold
from tracing_portal.geo.models import Province

PREFIX = {"30": "HD", "01": "HN"}


class PersonFactory(factory.django.DjangoModelFactory):
    """A person row in a given province (verified F0 by default), for the API's reads and
    for the targets of its writes; writes themselves go through the services."""

    class Meta:
        model = Case

    province_id = "30"
    code = factory.LazyAttributeSequence(
        lambda o, n: f"{Province.objects.get(pk=o.province_id).case_prefix}-7{n:05d}"
    )
    level = factory.LazyAttribute(lambda o: 0 if o.source is None else o.source.level + 1)
    source = None
    relation = factory.LazyAttribute(lambda o: "" if o.source is None else "household")
    f0_status = factory.LazyAttribute(lambda o: "confirmed" if o.level == 0 else "")
    full_name = factory.Faker("name", locale="vi_VN")
    name_folded = factory.LazyAttribute(lambda o: fold(o.full_name))
    year_of_birth = 1980
    phone = factory.Sequence(lambda n: f"+8491{n + 3000000:07d}")
    bluezone_status = "not_installed"
    verification = "verified"
    verified_at = factory.LazyFunction(timezone.now)
    entered_by = factory.SubFactory("tests.factories.UserFactory")
    entering_agency = "cdc"


class TraceFactory(factory.django.DjangoModelFactory):
    """A trace request row; `completed` by default, with its contacts already fetched."""

    class Meta:
        model = TraceRequest

    case = factory.SubFactory(PersonFactory)
    province_id = factory.LazyAttribute(lambda o: o.case.province_id)
    opened_by = factory.SubFactory("tests.factories.UserFactory")
    msisdn = factory.LazyAttribute(lambda o: o.case.phone.lstrip("+"))
    status = "completed"
    ingest_state = factory.LazyAttribute(
        lambda o: "done" if o.status == "completed" else "not_ready"
    )
    contacts_count = 1
    sightings_count = 10


class ContactFactory(factory.django.DjangoModelFactory):
    """A contact Bluezone matched, above the candidate threshold."""

    class Meta:
        model = TracedContact

    trace = factory.SubFactory(TraceFactory)
    contact_id = factory.Sequence(lambda n: f"c{n:06d}")
    phone = factory.Sequence(lambda n: f"+8498{n + 4000000:07d}")
    province_code = factory.LazyAttribute(lambda o: o.trace.province_id)
    sightings_count = 10
    first_seen = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=2, minutes=40))
    last_seen = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=2))
    raw_minutes = 40.0
    weighted_minutes = 32.5
    minutes_by_bucket = factory.LazyFunction(lambda: {"near": 25.0, "medium": 15.0, "far": 0.0})
    is_candidate = True
