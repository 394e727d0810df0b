"""A trace from the API, with the in-process Bluezone sandbox: open, code, status,
candidates, review; and lookups."""

import pytest
from django.urls import reverse

from tracing_portal.audit.models import AuditEvent
from tracing_portal.bluezone.models import TracedContact
from tracing_portal.bluezone.sandbox import scenario
from tracing_portal.cases.models import Case
from tracing_portal.cases.services import case_create, case_verify

from .factories import ContactFactory, PersonFactory, TraceFactory


@pytest.fixture
def verified_f0(cdc_user, django_capture_on_commit_callbacks):
    scenario.register("84912345678", province_code="30")
    scenario.register("84987654321", province_code="30")
    scenario.meet("84912345678", "84987654321", minutes=40, rssi=-60)
    with django_capture_on_commit_callbacks(execute=True):
        f0 = case_create(actor=cdc_user, full_name="Nguyễn Văn Thành", phone="0912 345 678").case
    case_verify(actor=cdc_user, case=f0)
    f0.refresh_from_db()
    return f0


def test_a_trace_from_opening_to_an_accepted_candidate(
    verified_f0, dic_user, cdc_user, api_for, django_capture_on_commit_callbacks
):
    dic, cdc = api_for(dic_user), api_for(cdc_user)
    queue = dic.get(reverse("api:tracing-queue")).json()["results"]
    assert [p["code"] for p in queue] == [verified_f0.code]

    with django_capture_on_commit_callbacks(execute=True):
        opened = dic.post(reverse("api:traces-open", kwargs={"code": verified_f0.code}))
    assert opened.status_code == 201
    trace_id = opened.json()["id"]
    status = dic.get(reverse("api:traces-detail", kwargs={"pk": trace_id})).json()
    assert status["status"] == "code_issued"
    assert len(status["verification_code"]) == 6
    # Only DIC operators see the code.
    cdc_view = cdc.get(reverse("api:traces-detail", kwargs={"pk": trace_id})).json()
    assert cdc_view["verification_code"] is None
    assert AuditEvent.objects.filter(action="trace_opened", actor=dic_user).exists()

    scenario.enter_code("84912345678", status["verification_code"])
    with django_capture_on_commit_callbacks(execute=True):
        refreshed = dic.post(reverse("api:traces-refresh", kwargs={"pk": trace_id}))
    assert refreshed.json()["status"] == "completed"
    detail = dic.get(reverse("api:traces-detail", kwargs={"pk": trace_id})).json()
    assert [e["status"] for e in detail["events"]][-1] == "completed"
    assert detail["counts"]["candidates"] >= 1

    candidates = cdc.get(reverse("api:traces-contacts", kwargs={"pk": trace_id})).json()
    met = next(c for c in candidates["results"] if c["phone_masked"] == "098****321")
    assert met["is_candidate"] and met["weighted_minutes"] >= 15
    accepted = cdc.post(
        reverse("api:candidates-accept", kwargs={"pk": met["id"]}),
        {"full_name": "Trần Văn Gặp"},
        format="json",
    )
    assert accepted.status_code == 200
    person = Case.objects.get(code=accepted.json()["person"]["code"])
    assert (person.level, person.source_id, person.relation) == (1, verified_f0.pk, "bluezone")
    assert AuditEvent.objects.filter(action="candidate_accepted", actor=cdc_user).exists()


def test_contacts_default_to_candidates_and_filter_by_show(cdc_user, api_for):
    trace = TraceFactory()
    ContactFactory(trace=trace, weighted_minutes=40)
    ContactFactory(trace=trace, weighted_minutes=3, is_candidate=False)
    client = api_for(cdc_user)
    url = reverse("api:traces-contacts", kwargs={"pk": trace.pk})
    assert len(client.get(url).json()["results"]) == 1
    assert len(client.get(url, {"show": "others"}).json()["results"]) == 1
    assert len(client.get(url, {"show": "all"}).json()["results"]) == 2
    assert client.get(url, {"show": "everything"}).status_code == 400


def test_rejecting_a_candidate_needs_a_reason_and_is_audited(cdc_user, api_for):
    contact = ContactFactory()
    url = reverse("api:candidates-reject", kwargs={"pk": contact.pk})
    client = api_for(cdc_user)
    assert client.post(url, {"reason": " "}, format="json").status_code == 400
    response = client.post(url, {"reason": "Cùng nhà, đã có"}, format="json")
    assert response.status_code == 200 and response.json()["review"] == "rejected"
    assert client.post(url, {"reason": "again"}, format="json").json()["error"]["code"] == (
        "rejected"
    )
    contact.refresh_from_db()
    assert contact.reject_reason == "Cùng nhà, đã có"


def test_accept_all_reports_what_it_accepted(cdc_user, api_for):
    trace = TraceFactory()
    ContactFactory.create_batch(2, trace=trace)
    ContactFactory(trace=trace, phone="")
    response = api_for(cdc_user).post(reverse("api:candidates-accept-all", kwargs={"pk": trace.pk}))
    assert response.json() == {"accepted": 2, "problems": []}
    assert TracedContact.objects.filter(trace=trace, review="accepted").count() == 2


def test_cancelling_an_opening_trace(dic_user, api_for):
    trace = TraceFactory(status="opening")
    response = api_for(dic_user).post(reverse("api:traces-cancel", kwargs={"pk": trace.pk}))
    assert response.json()["status"] == "cancelled"
    again = api_for(dic_user).post(reverse("api:traces-cancel", kwargs={"pk": trace.pk}))
    assert again.status_code == 400 and again.json()["error"]["code"] == "rejected"


def test_a_lookup_from_the_api_is_answered_and_listed(
    police_user, api_for, django_capture_on_commit_callbacks
):
    scenario.register("84912000777", province_code="30")
    person = PersonFactory(phone="+84912000777", bluezone_status="unknown")
    client = api_for(police_user)
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(reverse("api:lookups-create", kwargs={"code": person.code}))
    assert created.status_code == 201
    lookups = client.get(reverse("api:lookups-list", kwargs={"code": person.code})).json()
    assert lookups[0]["status"] == "done" and lookups[0]["installed"] is True
    assert lookups[0]["phone_masked"] == "091****777"


@pytest.mark.parametrize("name,user", [("traces-refresh", "cdc"), ("traces-cancel", "dic")])
def test_bluezone_out_of_reach_is_a_documented_502_and_changes_nothing(
    name, user, cdc_user, dic_user, api_for, settings
):
    from .openapi import openapi_schema

    settings.BLUEZONE_SANDBOX_FAULTS = {"error_rate": 1.0}
    settings.BLUEZONE_MAX_ATTEMPTS = 1
    trace = TraceFactory(status="code_issued", bluezone_id="tr-api-502")
    client = api_for({"cdc": cdc_user, "dic": dic_user}[user])
    url = reverse(f"api:{name}", kwargs={"pk": trace.pk})
    response = client.post(url)
    assert response.status_code == 502
    error = response.json()["error"]
    assert error["code"] == "bluezone_unavailable" and error["message"]
    trace.refresh_from_db()
    assert trace.status == "code_issued"
    path = url.replace(f"/{trace.pk}/", "/{id}/")
    documented = openapi_schema()["paths"][path]["post"]["responses"]["502"]
    assert documented["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
