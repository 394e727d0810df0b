import pytest
from django.urls import reverse
from django.utils import timezone

from tracing_portal.accounts.roles import Role
from tracing_portal.bluezone import services
from tracing_portal.bluezone.models import Lookup, TraceRequest, TraceState
from tracing_portal.bluezone.sandbox import scenario
from tracing_portal.cases.models import Case
from tracing_portal.cases.services import case_create, case_verify

MESSAGE_ACCEPTED = "Đã chấp nhận %s người."


@pytest.fixture
def f0(cdc_user):
    person = case_create(actor=cdc_user, full_name="Nguyễn Văn Thành", phone="0912 345 678").case
    case_verify(actor=cdc_user, case=person)
    scenario.register("84912345678", province_code="30")
    return person


def test_queue_lists_the_verified_f0_with_an_open_button(client, dic_user, f0):
    client.force_login(dic_user)
    body = client.get(reverse("bluezone:queue")).content.decode()
    assert f0.code in body
    assert reverse("bluezone:open", args=[f0.code]) in body
    assert "091****678" in body


def test_dic_opens_a_trace_and_sees_the_code(
    client, dic_user, f0, django_capture_on_commit_callbacks
):
    client.force_login(dic_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("bluezone:open", args=[f0.code]))
    trace = TraceRequest.objects.get(case=f0)
    assert response.url == trace.get_absolute_url()
    assert trace.status == TraceState.CODE_ISSUED
    body = client.get(response.url).content.decode()
    assert trace.verification_code in body


def test_code_is_not_shown_to_officials(
    client, make_user, dic_user, f0, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        trace = services.trace_request_open(actor=dic_user, case=f0)
    trace.refresh_from_db()
    client.force_login(make_user(Role.OFFICIAL))
    body = client.get(trace.get_absolute_url()).content.decode()
    assert trace.verification_code not in body


@pytest.fixture
def completed_trace(dic_user, f0, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        trace = services.trace_request_open(actor=dic_user, case=f0)
    trace.refresh_from_db()
    scenario.enter_code(trace.msisdn, trace.verification_code)
    with django_capture_on_commit_callbacks(execute=True):
        services.trace_refresh(trace_id=trace.pk)
    trace.refresh_from_db()
    return trace


def test_cdc_reviews_candidates_on_the_trace_page(client, cdc_user, completed_trace):
    client.force_login(cdc_user)
    page = client.get(completed_trace.get_absolute_url())
    contacts = list(page.context["contacts"])
    assert contacts and all(c.is_candidate for c in contacts)
    assert "<svg" in page.content.decode()
    first = next(c for c in contacts if c.phone)
    client.post(
        reverse("bluezone:review", args=[first.pk]),
        {"decision": "accept", "full_name": "Lê Văn Gần"},
    )
    first.refresh_from_db()
    assert first.review == "accepted" and first.resulting_case.full_name == "Lê Văn Gần"


def test_trace_page_shows_the_timeline_and_the_counts(client, cdc_user, completed_trace):
    client.force_login(cdc_user)
    body = client.get(completed_trace.get_absolute_url()).content.decode()
    timeline = body.split('data-testid="timeline"', 1)[1].split("</ol>", 1)[0]
    steps = ["Đang mở", "Đã cấp mã", "Đã tải lịch sử lên", "Đang đối chiếu", "Hoàn tất"]
    positions = [timeline.index(step) for step in steps]
    assert positions == sorted(positions)
    counts = body.split('data-testid="counts"', 1)[1].split("</dl>", 1)[0]
    candidates = completed_trace.contacts.filter(is_candidate=True).count()
    assert f"<dd>{completed_trace.contacts_count}</dd>" in counts
    assert f"<dd>{candidates}</dd>" in counts


def test_a_candidate_without_a_phone_can_be_rejected_but_not_accepted(
    client, cdc_user, completed_trace
):
    no_phone = completed_trace.contacts.filter(is_candidate=True, phone="").first()
    assert no_phone is not None
    client.force_login(cdc_user)
    body = client.get(completed_trace.get_absolute_url()).content.decode()
    row = body.split(f'id="contact-{no_phone.pk}"', 1)[1].split("</tr>", 1)[0]
    assert 'value="reject"' in row and 'value="accept"' not in row
    client.post(
        reverse("bluezone:review", args=[no_phone.pk]),
        {"decision": "reject", "reason": "Không có số điện thoại"},
    )
    no_phone.refresh_from_db()
    assert (no_phone.review, no_phone.reject_reason) == ("rejected", "Không có số điện thoại")


def test_bulk_accept_button_accepts_every_candidate_with_a_phone(
    client, cdc_user, f0, completed_trace
):
    with_phone = completed_trace.contacts.filter(is_candidate=True).exclude(phone="")
    expected = with_phone.count()
    assert expected >= 2
    client.force_login(cdc_user)
    response = client.post(reverse("bluezone:accept_all", args=[completed_trace.pk]), follow=True)
    assert set(with_phone.values_list("review", flat=True)) == {"accepted"}
    assert not completed_trace.contacts.filter(is_candidate=False, review="accepted").exists()
    assert completed_trace.contacts.filter(phone="", review="accepted").count() == 0
    assert Case.objects.filter(source=f0, relation="bluezone").count() == expected
    assert MESSAGE_ACCEPTED % expected in response.content.decode()


@pytest.mark.parametrize(
    "role,queue,open_status",
    [
        (Role.DIC, 200, 302),
        (Role.CDC, 200, 403),
        (Role.OFFICIAL, 200, 403),
        (Role.POLICE, 403, 403),
    ],
)
def test_tracing_permissions(client, make_user, f0, role, queue, open_status):
    client.force_login(make_user(role))
    assert client.get(reverse("bluezone:queue")).status_code == queue
    assert client.post(reverse("bluezone:open", args=[f0.code])).status_code == open_status


def test_other_provinces_trace_is_a_404(
    client, make_user, dic_user, f0, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        trace = services.trace_request_open(actor=dic_user, case=f0)
    client.force_login(make_user(Role.DIC, "01"))
    assert client.get(trace.get_absolute_url()).status_code == 404
    assert client.post(reverse("bluezone:refresh", args=[trace.pk])).status_code == 404


def test_person_page_shows_lookup_history(client, cdc_user, f0, django_capture_on_commit_callbacks):
    client.force_login(cdc_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("bluezone:lookup", args=[f0.code]))
    lookup = Lookup.objects.get(case=f0, reason="on_demand")
    assert lookup.installed is True
    page = client.get(f0.get_absolute_url()).content.decode()
    history = page.split('data-testid="lookups"', 1)[1].split("</ul>", 1)[0]
    when = timezone.localtime(lookup.checked_at).strftime("%d/%m/%Y %H:%M")
    assert f"đã cài · Bluezone xác nhận lúc {when}" in history


def test_person_page_shows_a_lookup_that_found_no_bluezone(
    client, cdc_user, django_capture_on_commit_callbacks
):
    scenario.unregister("84987000222")
    with django_capture_on_commit_callbacks(execute=True):
        person = case_create(actor=cdc_user, full_name="Không cài", phone="0987 000 222").case
    client.force_login(cdc_user)
    page = client.get(person.get_absolute_url()).content.decode()
    history = page.split('data-testid="lookups"', 1)[1].split("</ul>", 1)[0]
    assert "chưa cài · Bluezone xác nhận lúc" in history


def test_without_a_broker_viewing_the_trace_polls_bluezone(
    client, settings, dic_user, f0, django_capture_on_commit_callbacks
):
    settings.CELERY_BROKER_URL = ""
    with django_capture_on_commit_callbacks(execute=True):
        trace = services.trace_request_open(actor=dic_user, case=f0)
    trace.refresh_from_db()
    scenario.enter_code(trace.msisdn, trace.verification_code)
    TraceRequest.objects.filter(pk=trace.pk).update(last_polled_at=None)
    client.force_login(dic_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(trace.get_absolute_url())
    trace.refresh_from_db()
    assert trace.status == TraceState.COMPLETED and trace.ingest_state == "done"


def test_dic_sends_the_code_by_sms_once(client, dic_user, f0, django_capture_on_commit_callbacks):
    from tracing_portal.notifications.models import SmsMessage

    with django_capture_on_commit_callbacks(execute=True):
        trace = services.trace_request_open(actor=dic_user, case=f0)
    trace.refresh_from_db()
    client.force_login(dic_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("bluezone:send_code", args=[trace.pk]))
        client.post(reverse("bluezone:send_code", args=[trace.pk]))  # a double click
    message = SmsMessage.objects.get()
    assert message.case == f0 and message.template_kind == "verification_code"
    assert trace.verification_code in message.body
    assert message.status in ("sent", "delivered")


def test_accepted_contacts_are_notified_once(
    client, cdc_user, dic_user, f0, django_capture_on_commit_callbacks
):
    from tracing_portal.notifications.models import SmsMessage

    with django_capture_on_commit_callbacks(execute=True):
        trace = services.trace_request_open(actor=dic_user, case=f0)
    trace.refresh_from_db()
    scenario.enter_code(trace.msisdn, trace.verification_code)
    with django_capture_on_commit_callbacks(execute=True):
        services.trace_refresh(trace_id=trace.pk)
    accepted, _problems = services.candidates_accept_all(actor=cdc_user, trace=trace)
    client.force_login(dic_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("bluezone:notify", args=[trace.pk]))
        client.post(reverse("bluezone:notify", args=[trace.pk]))
    notices = SmsMessage.objects.filter(template_kind="exposure_notice")
    assert notices.count() == accepted > 0
    assert set(notices.values_list("case__source", flat=True)) == {f0.pk}


def test_cdc_cannot_send_sms_from_the_trace(
    client, cdc_user, dic_user, f0, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        trace = services.trace_request_open(actor=dic_user, case=f0)
    client.force_login(cdc_user)
    assert client.post(reverse("bluezone:send_code", args=[trace.pk])).status_code == 403


@pytest.mark.parametrize(
    "role,shown",
    [(Role.DIC, True), (Role.CDC, False), (Role.OFFICIAL, False), (Role.PROVINCE_ADMIN, False)],
)
def test_trace_page_links_the_sms_senders_to_the_accepted_contacts_bulk_page(
    client, make_user, cdc_user, completed_trace, role, shown
):
    accepted, _problems = services.candidates_accept_all(actor=cdc_user, trace=completed_trace)
    assert accepted > 0
    client.force_login(make_user(role))
    body = client.get(completed_trace.get_absolute_url()).content.decode()
    link = f'href="{reverse("notifications:bulk")}?trace={completed_trace.pk}"'
    assert (link in body) is shown
    assert ("Gửi tin nhắn cho những người tiếp xúc đã được chấp nhận" in body) is shown


def test_bulk_page_from_the_trace_link_previews_the_exposure_notice_to_its_contacts(
    client, dic_user, cdc_user, completed_trace
):
    services.candidates_accept_all(actor=cdc_user, trace=completed_trace)
    client.force_login(dic_user)
    trace_page = client.get(completed_trace.get_absolute_url()).content.decode()
    href = trace_page.split('data-testid="bulk-sms-link"', 1)[0].rsplit('href="', 1)[1]
    response = client.get(href.split('"', 1)[0].replace("&amp;", "&"))
    assert response.status_code == 200
    accepted = set(
        completed_trace.contacts.filter(review="accepted").values_list("resulting_case", flat=True)
    )
    assert response.context["trace"] == completed_trace
    assert {p.pk for p in response.context["sample"]} == accepted
    assert response.context["form"].initial["template_kind"] == "exposure_notice"
    assert response.context["preview"] is not None
