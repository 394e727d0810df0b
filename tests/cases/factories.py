import factory

from tracing_portal.cases.models import Case, QuarantineFacility
from tracing_portal.core.text import fold


class CaseFactory(factory.django.DjangoModelFactory):
    """A person written straight to the table (for selectors and pages); services are
    tested through the services themselves."""

    class Meta:
        model = Case

    province_id = factory.LazyAttribute(lambda o: o.source.province_id if o.source else "30")
    code = factory.Sequence(lambda n: f"HD-9{n:05d}")
    source = None
    # The database holds a contact one level below its source (and in its province).
    level = factory.LazyAttribute(lambda o: o.source.level + 1 if o.source else 0)
    f0_status = factory.LazyAttribute(lambda o: "confirmed" if o.level == 0 else "")
    full_name = factory.Faker("name", locale="vi_VN")
    name_folded = factory.LazyAttribute(lambda o: fold(o.full_name))
    year_of_birth = 1980
    phone = factory.Sequence(lambda n: f"+8491{n:07d}")
    entered_by = factory.SubFactory("tests.factories.UserFactory")
    entering_agency = "police"


class FacilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuarantineFacility

    province_id = "30"
    name = factory.Sequence(lambda n: f"Khu cách ly {n}")
    capacity = 100
