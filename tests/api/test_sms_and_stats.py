"""SMS and figures through the API: the same services, selectors and numbers as the pages."""

import datetime as dt

from django.urls import reverse

from tracing_portal.audit.models import AuditEvent
from tracing_portal.notifications.models import SmsMessage
from tracing_portal.stats.services import snapshot_upsert_many
from tracing_portal.stats.types import SnapshotRow

from .factories import PersonFactory

DAY = dt.date(2021, 6, 19)


def send(client, person, **body):
    return client.post(
        reverse("api:sms-send", kwargs={"code": person.code}),
        {"template_kind": "install_request", **body},
        format="json",
    )


def test_sending_queues_one_message_and_audits_it(dic_user, api_for):
    person = PersonFactory(full_name="Nguyễn Thị Hương", phone="+84912345678")
    client = api_for(dic_user)
    response = send(client, person)
    assert response.status_code == 201
    message = response.json()
    assert message["recipient_masked"] == "091****678"
    assert message["case_code"] == person.code
    assert "Nguyen Thi Huong" in message["body"]  # without diacritics by default
    assert "912345678" not in response.content.decode().replace("091****678", "")
    event = AuditEvent.objects.get(action="sms_sent")
    assert (event.actor_id, event.details["case"]) == (dic_user.pk, person.code)


def test_a_second_send_is_refused_unless_it_is_a_resend(dic_user, api_for, settings):
    settings.SMS_DAILY_CAP_PER_NUMBER = 5
    person = PersonFactory()
    client = api_for(dic_user)
    assert send(client, person).status_code == 201
    again = send(client, person)
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "rejected"
    assert again.json()["error"]["details"]["message_id"] == SmsMessage.objects.get().pk
    assert SmsMessage.objects.count() == 1
    SmsMessage.objects.update(queued_at=SmsMessage.objects.get().queued_at - dt.timedelta(hours=1))
    assert send(client, person, resend=True).status_code == 201
    assert SmsMessage.objects.count() == 2


def test_the_verification_code_cannot_be_sent_from_the_api(dic_user, api_for):
    response = send(api_for(dic_user), PersonFactory(), template_kind="verification_code")
    assert response.status_code == 400
    assert "template_kind" in response.json()["error"]["details"]


def test_the_log_matches_the_page_for_the_same_filters(dic_user, api_for, client):
    people = [PersonFactory() for _ in range(3)]
    api = api_for(dic_user)
    for person in people:
        send(api, person)
    send(api, people[0], template_kind="reminder")
    client.force_login(dic_user)
    for filters in ({}, {"template_kind": "reminder"}, {"q": people[1].code}):
        page = client.get(reverse("notifications:log"), filters).context["paginator"].count
        listed = api.get(reverse("api:sms-log"), filters).json()["results"]
        assert len(listed) == page, filters
    assert all("****" in m["recipient_masked"] for m in listed)


def put_day(day, figures):
    rows = [SnapshotRow(code, *values) for code, values in figures.items()]
    snapshot_upsert_many(on=day, rows=rows, source="import")


def test_ranks_and_headline_match_the_dashboards_selectors(official_user, api_for):
    from tracing_portal.geo.models import Province

    Province.objects.filter(code__in=["01", "30", "48"]).update(population_2019=1_000_000)
    put_day(DAY - dt.timedelta(days=7), {"01": (100_000, 50_000, None), "30": (50_000, 1, None)})
    put_day(
        DAY, {"01": (300_000, 150_000, None), "30": (200_000, 1, None), "48": (250_000, 1, None)}
    )
    client = api_for(official_user)
    ranks = client.get(reverse("api:stats-ranks")).json()
    assert ranks["on"] == DAY.isoformat()
    assert [(r["province_code"], r["rank"]) for r in ranks["provinces"][:3]] == [
        ("01", 1),
        ("48", 2),
        ("30", 3),
    ]
    assert len(ranks["provinces"]) == 63 and ranks["provinces"][0]["ranked_count"] == 3
    headline = client.get(reverse("api:stats-headline")).json()
    assert (headline["province_code"], headline["rank"], headline["rate"]) == ("30", 3, 0.2)
    assert headline["previous_rate"] == 0.05
    assert abs(headline["rate_change"] - 0.15) < 1e-9


def test_snapshots_are_the_users_province_only(official_user, national_admin, api_for):
    put_day(DAY, {"01": (300_000, 150_000, None), "30": (200_000, 1, None)})
    own = api_for(official_user).get(reverse("api:stats-snapshots")).json()["results"]
    assert [s["province"] for s in own] == ["30"]
    other = api_for(official_user).get(reverse("api:stats-snapshots"), {"province": "01"})
    assert other.status_code == 404
    everyone = api_for(national_admin).get(reverse("api:stats-snapshots")).json()["results"]
    assert {s["province"] for s in everyone} == {"01", "30"}


def test_tracing_figures_are_those_of_the_dashboard(cdc_user, api_for):
    PersonFactory()
    PersonFactory(source=PersonFactory())
    PersonFactory(province_id="01")
    response = api_for(cdc_user).get(reverse("api:stats-tracing-figures"))
    assert response.status_code == 200
    body = response.json()
    assert body["province_code"] == "30"
    from tracing_portal.stats.selectors import dashboard_province
    from tracing_portal.stats.tracing_figures import tracing_figures_summary

    summary = tracing_figures_summary(
        actor=cdc_user, province=dashboard_province(actor=cdc_user, province_code=None)
    )
    assert body["people"]["total"]["total"] == summary.people.total.total == 3
    assert body["date_from"] == summary.period.date_from.isoformat()


def test_a_reversed_range_of_tracing_figures_is_400(cdc_user, api_for):
    response = api_for(cdc_user).get(
        reverse("api:stats-tracing-figures"), {"date_from": "2021-02-01", "date_to": "2021-01-01"}
    )
    assert response.status_code == 400
    assert "date_from" in response.json()["error"]["details"]


def test_tracing_figures_take_the_dashboards_range(cdc_user, api_for):
    from django.utils import timezone

    client = api_for(cdc_user)
    url = reverse("api:stats-tracing-figures")
    one_end = client.get(url, {"date_to": "2021-01-30"}).json()
    assert (one_end["date_from"], one_end["date_to"]) == ("2021-01-01", "2021-01-30")
    default = client.get(url).json()
    assert default["date_to"] == timezone.localdate().isoformat()


def test_the_dashboard_page_and_the_api_give_the_same_figures(make_user, api_for, client):
    """For the same query, the dashboard's league table, headline and tracing figures are
    the API's ranks, headline and tracing figures, for a province and for the country."""
    from django.utils import timezone

    from tracing_portal.accounts.roles import Role
    from tracing_portal.geo.models import Province
    from tracing_portal.stats.apis import TracingFiguresApi

    from .factories import ContactFactory, TraceFactory

    Province.objects.filter(code__in=["01", "30", "48"]).update(population_2019=1_000_000)
    put_day(DAY - dt.timedelta(days=7), {"01": (100_000, 50_000, None), "30": (50_000, 1, None)})
    put_day(
        DAY, {"01": (300_000, 150_000, None), "30": (200_000, 1, None), "48": (250_000, 1, None)}
    )
    for province in ("30", "30", "01"):
        f0 = PersonFactory(province_id=province, bluezone_status="installed")
        PersonFactory(source=f0, province_id=province, verification="pending")
        ContactFactory(trace=TraceFactory(case=f0))
    query = {
        "on": DAY.isoformat(),
        "denominator": "population",
        "date_from": (timezone.localdate() - dt.timedelta(days=10)).isoformat(),
        "date_to": timezone.localdate().isoformat(),
    }
    for role in (Role.OFFICIAL, Role.NATIONAL_ADMIN):
        user = make_user(role)
        client.force_login(user)
        page = client.get(reverse("stats:dashboard"), query).context
        api = api_for(user)
        ranks = api.get(reverse("api:stats-ranks"), query).json()["provinces"]
        assert [(r["province_code"], r["rank"], r["rate"]) for r in ranks] == [
            (row.province_code, row.rank, row.rate) for row in page["table"]
        ]
        headline = api.get(reverse("api:stats-headline"), query).json()
        assert (headline["rate"], headline["previous_rate"], headline["installs"]) == (
            page["headline"].rate,
            page["headline"].previous_rate,
            page["headline"].installs,
        )
        figures = api.get(reverse("api:stats-tracing-figures"), query).json()
        assert figures == TracingFiguresApi.OutputSerializer(page["tracing"]).data
        people = figures["people"]["total"]["total"]
        assert people == (6 if role == Role.NATIONAL_ADMIN else 4), role
        assert figures["traces"]["total"] == (3 if role == Role.NATIONAL_ADMIN else 2), role


def test_the_queue_page_and_the_api_list_the_same_people(dic_user, api_for, client):
    waiting = [PersonFactory() for _ in range(3)]
    PersonFactory(source=waiting[0], flagged_for_tracing=True)
    PersonFactory(verification="pending", verified_at=None)  # not verified: not waiting
    PersonFactory(province_id="01")  # another province
    client.force_login(dic_user)
    page = client.get(reverse("bluezone:queue")).context["page_obj"]
    listed = api_for(dic_user).get(reverse("api:tracing-queue")).json()["results"]
    assert [p["code"] for p in listed] == [p.code for p in page.object_list]
    assert page.paginator.count == len(listed) == 4


def test_an_exposure_notice_sent_from_the_trace_is_not_sent_again_from_the_api(
    dic_user, cdc_user, api_for
):
    """The SMS page sends a contact's exposure notice under the trace they were accepted
    from, as the trace's "notify accepted contacts" does: the API sends it under the same
    purpose, so the person is not texted twice."""
    from tracing_portal.bluezone.services import candidate_accept, trace_notify_accepted

    from .factories import ContactFactory

    contact = ContactFactory()
    person = candidate_accept(actor=cdc_user, contact=contact, full_name="Ai Đó")
    trace_notify_accepted(actor=dic_user, trace=contact.trace)
    assert SmsMessage.objects.filter(case=person, template_kind="exposure_notice").count() == 1
    again = send(api_for(dic_user), person, template_kind="exposure_notice")
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "rejected"
    assert SmsMessage.objects.filter(case=person, template_kind="exposure_notice").count() == 1
