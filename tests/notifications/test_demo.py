import io

from tracing_portal.accounts.roles import Role
from tracing_portal.cases.models import InstallAsk
from tracing_portal.notifications import demo
from tracing_portal.notifications.models import SmsMessage

from .factories import PersonFactory


def test_demo_sends_messages_in_several_states_and_runs_twice_safely(
    make_user, django_capture_on_commit_callbacks, settings
):
    settings.SMS_BACKEND = "http"  # the demo uses the console gateway regardless
    make_user(Role.DIC, username="hd.dic")
    f0 = PersonFactory(bluezone_status="installed")
    not_installed = [PersonFactory(source=f0) for _ in range(6)]
    PersonFactory(source=f0, bluezone_status="installed")
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed(stdout=io.StringIO())
    statuses = set(SmsMessage.objects.values_list("status", flat=True))
    assert statuses == {"delivered", "failed", "sent"}
    kinds = set(SmsMessage.objects.values_list("template_kind", flat=True))
    assert kinds == {"verification_code", "exposure_notice", "install_request", "reminder"}
    # Each install request is on the person's record as an ask to install.
    asks = InstallAsk.objects.filter(channel="sms")
    assert sorted(asks.values_list("case_id", flat=True)) == sorted(p.pk for p in not_installed)
    asks_count = asks.count()
    count = SmsMessage.objects.count()
    out = io.StringIO()
    demo.seed(stdout=out)
    assert SmsMessage.objects.count() == count
    assert InstallAsk.objects.count() == asks_count
    assert "0 demo messages" in out.getvalue()


def test_demo_without_people_does_nothing(make_user):
    make_user(Role.DIC, username="hd.dic")
    out = io.StringIO()
    demo.seed(stdout=out)
    assert not SmsMessage.objects.exists()
