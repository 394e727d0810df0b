import io

from tracing_portal.accounts.roles import Role
from tracing_portal.notifications import demo
from tracing_portal.notifications.models import SmsMessage

from .factories import PersonFactory


def test_demo_sends_messages_in_several_states_and_runs_twice_safely(
    make_user, django_capture_on_commit_callbacks, settings
):
    settings.SMS_BACKEND = "http"  # the demo uses the console gateway regardless
    make_user(Role.DIC, username="hd.dic")
    f0 = PersonFactory(bluezone_status="installed")
    for _ in range(6):
        PersonFactory(source=f0)
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed(stdout=io.StringIO())
    statuses = set(SmsMessage.objects.values_list("status", flat=True))
    assert statuses == {"delivered", "failed", "sent"}
    kinds = set(SmsMessage.objects.values_list("template_kind", flat=True))
    assert kinds == {"verification_code", "exposure_notice", "install_request"}
    count = SmsMessage.objects.count()
    out = io.StringIO()
    demo.seed(stdout=out)
    assert SmsMessage.objects.count() == count
    assert "0 demo messages" in out.getvalue()


def test_demo_without_people_does_nothing(make_user):
    make_user(Role.DIC, username="hd.dic")
    out = io.StringIO()
    demo.seed(stdout=out)
    assert not SmsMessage.objects.exists()
