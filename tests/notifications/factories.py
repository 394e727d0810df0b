import factory
from django.utils import timezone

from tracing_portal.cases.models import Case
from tracing_portal.core.text import fold
from tracing_portal.notifications.models import SmsMessage, SmsStatus


class PersonFactory(factory.django.DjangoModelFactory):
    """A person written straight to the cases table: an F0 by default, or a contact when
    given a source. Phones are Vinaphone mobiles (+8491...)."""

    class Meta:
        model = Case

    province_id = "30"
    code = factory.Sequence(lambda n: f"HD-8{n:05d}")
    level = factory.LazyAttribute(lambda o: 0 if o.source is None else o.source.level + 1)
    source = None
    relation = factory.LazyAttribute(lambda o: "" if o.source is None else "household")
    f0_status = factory.LazyAttribute(lambda o: "confirmed" if o.level == 0 else "")
    full_name = factory.Faker("name", locale="vi_VN")
    name_folded = factory.LazyAttribute(lambda o: fold(o.full_name))
    phone = factory.Sequence(lambda n: f"+8491{n + 2000000:07d}")
    bluezone_status = "not_installed"
    verification = "verified"
    entered_by = factory.SubFactory("tests.factories.UserFactory")
    entering_agency = "cdc"


class SmsMessageFactory(factory.django.DjangoModelFactory):
    """A message row in a given state, for the log and figures pages."""

    class Meta:
        model = SmsMessage

    case = factory.SubFactory(PersonFactory)
    recipient = factory.LazyAttribute(lambda o: o.case.phone)
    body = "[SYT Hai Duong] De nghi cai Bluezone."
    encoding = "gsm7"
    segments = 1
    sender = "8058"
    template_kind = "install_request"
    purpose = factory.Sequence(lambda n: f"test:{n}")
    idempotency_key = factory.LazyAttribute(
        lambda o: f"case:{o.case.pk}:{o.template_kind}:{o.purpose}"
    )
    status = SmsStatus.SENT
    created_by = factory.SubFactory("tests.factories.UserFactory")
    province_id = factory.LazyAttribute(lambda o: o.case.province_id)
    queued_at = factory.LazyFunction(timezone.now)
    delivered_at = factory.LazyAttribute(
        lambda o: o.queued_at if o.status == SmsStatus.DELIVERED else None
    )
    failed_at = factory.LazyAttribute(
        lambda o: o.queued_at if o.status == SmsStatus.FAILED else None
    )
