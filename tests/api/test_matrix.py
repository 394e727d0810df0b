"""Every endpoint × every role × own or other province, with the exact status expected.

The API asks for the same permissions as the pages (tracing_portal/accounts/roles.py) and
scopes through the same selectors: a role without the permission gets 403 wherever the
record is; with it, another province's record is a 404 (national administrators see every
province).
"""

import datetime as dt

import pytest
from django.urls import reverse

from tracing_portal.accounts.roles import Role

from .factories import ContactFactory, PersonFactory, TraceFactory

CDC, POLICE, DIC, OFFICIAL, PADMIN, NADMIN = (
    Role.CDC,
    Role.POLICE,
    Role.DIC,
    Role.OFFICIAL,
    Role.PROVINCE_ADMIN,
    Role.NATIONAL_ADMIN,
)
ALL = {CDC, POLICE, DIC, OFFICIAL, PADMIN, NADMIN}
TRACES = {CDC, DIC, OFFICIAL, PADMIN, NADMIN}  # bluezone.view_tracerequest
SMS_LOG = {DIC, CDC, PADMIN, NADMIN}  # notifications.view_smsmessage


def world(province):
    """One province's records: a verified F0 with a completed trace and a candidate, an F1,
    and a second F0 whose trace is still opening."""
    f0 = PersonFactory(province_id=province)
    f1 = PersonFactory(province_id=province, source=f0)
    trace = TraceFactory(case=f0)
    contact = ContactFactory(trace=trace)
    opening = TraceFactory(case=PersonFactory(province_id=province), status="opening")
    return {"f0": f0, "f1": f1, "trace": trace, "contact": contact, "opening": opening}


# name, method, url kwargs from the world, body, roles allowed, status when allowed,
# scoped (does "other province" apply?)
ENDPOINTS = [
    ("me", "get", None, None, ALL, 200, False),
    ("schema", "get", None, None, ALL, 200, False),
    ("docs", "get", None, None, ALL, 200, False),
    ("redoc", "get", None, None, ALL, 200, False),
    ("cases-list", "get", None, None, ALL, 200, False),
    ("cases-count", "get", None, None, ALL, 200, False),
    ("cases-create", "post", None, {"full_name": "Phạm Thị Mới"}, {CDC, POLICE}, 201, False),
    ("cases-detail", "get", "f0", None, ALL, 200, True),
    ("cases-update", "post", "f0", {"version": 1, "notes": "API"}, {CDC, POLICE}, 200, True),
    ("cases-verify", "post", "f1", {}, {CDC, POLICE}, 200, True),
    ("cases-reject", "post", "f1", {"reason": "Trùng"}, {CDC, POLICE}, 200, True),
    ("cases-relevel", "post", "f1", {"to": "f0"}, {CDC}, 200, True),
    ("cases-ask-install", "post", "f0", {}, {CDC, POLICE}, 201, True),
    ("cases-contacts", "get", "f0", None, ALL, 200, True),
    (
        "cases-add-contact",
        "post",
        "f0",
        {"full_name": "Lê Văn Gặp", "relation": "household"},
        {CDC, POLICE},
        201,
        True,
    ),
    ("lookups-list", "get", "f0", None, ALL, 200, True),
    ("lookups-create", "post", "f0", {}, {CDC, POLICE, DIC}, 201, True),
    ("traces-open", "post", "f0", {}, {DIC}, 201, True),
    ("tracing-queue", "get", None, None, TRACES, 200, False),
    ("traces-list", "get", None, None, TRACES, 200, False),
    ("traces-detail", "get", "trace", None, TRACES, 200, True),
    ("traces-refresh", "post", "trace", {}, TRACES, 200, True),
    ("traces-cancel", "post", "opening", {}, {DIC}, 200, True),
    ("traces-contacts", "get", "trace", None, TRACES, 200, True),
    ("candidates-accept-all", "post", "trace", {}, {CDC}, 200, True),
    ("candidates-accept", "post", "contact", {"full_name": "Ai Đó"}, {CDC}, 200, True),
    ("candidates-reject", "post", "contact", {"reason": "Cùng nhà"}, {CDC}, 200, True),
    ("sms-send", "post", "f0", {"template_kind": "install_request"}, {DIC}, 201, True),
    ("sms-log", "get", None, None, SMS_LOG, 200, False),
    ("stats-snapshots", "get", "province", None, ALL, 200, True),
    ("stats-ranks", "get", None, None, ALL, 200, False),
    ("stats-headline", "get", "province", None, ALL, 200, True),
    ("stats-tracing-figures", "get", "province", None, ALL, 200, True),
]


# URL names under /api/v1/ with no row above, and why.
NOT_IN_THE_MATRIX = {
    "not-found": "the catch-all: any other path is a 404 in the error shape (test_errors.py)",
    "redoc-js": "ReDoc's script, a static asset with no data, public as /static/ is",
}


def test_every_api_url_is_in_the_matrix():
    from tracing_portal.api.urls import urlpatterns

    names = {pattern.name for pattern in urlpatterns}
    rows = {endpoint[0] for endpoint in ENDPOINTS}
    assert names - set(NOT_IN_THE_MATRIX) == rows
    assert set(NOT_IN_THE_MATRIX) <= names


def url_for(name, target, records, province):
    if target is None:
        return reverse(f"api:{name}")
    if target == "province":
        return f"{reverse(f'api:{name}')}?province={province}"
    record = records[target]
    if target in ("f0", "f1"):
        return reverse(f"api:{name}", kwargs={"code": record.code})
    return reverse(f"api:{name}", kwargs={"pk": record.pk})


CASES = [
    pytest.param(endpoint, role, where, id=f"{endpoint[0]}-{role}-{where}")
    for endpoint in ENDPOINTS
    for role in sorted(ALL)
    for where in (("own", "other") if endpoint[6] else ("own",))
]


def expected(endpoint, role, where):
    _name, _method, _target, _body, allowed, ok, _scoped = endpoint
    if role not in allowed:
        return 403
    if where == "other" and role != NADMIN:
        return 404
    return ok


@pytest.mark.parametrize("endpoint,role,where", CASES)
def test_permission_and_scope_matrix(endpoint, role, where, make_user, api_for):
    name, method, target, body, _allowed, _ok, _scoped = endpoint
    user = make_user(role)
    own = world("30")
    other = world("01")
    records, province = (own, "30") if where == "own" else (other, "01")
    url = url_for(name, target, records, province)
    client = api_for(user)
    if method == "post":
        response = client.post(url, body, format="json")
    else:
        response = client.get(url)
    want = expected(endpoint, role, where)
    assert response.status_code == want, response.content[:500]
    if want >= 400:
        assert response.json()["error"]["code"] in {"forbidden", "not_found"}


@pytest.mark.parametrize("role", sorted(ALL))
def test_lists_hold_only_the_users_province(role, make_user, api_for):
    """The lists and totals without a record in their path: one's own province's rows only
    (every province's for national administrators)."""
    from tests.notifications.factories import SmsMessageFactory
    from tracing_portal.stats.services import snapshot_upsert_many
    from tracing_portal.stats.types import SnapshotRow

    own, other = world("30"), world("01")
    for records in (own, other):
        records["waiting"] = PersonFactory(province_id=records["f0"].province_id)
        records["sms"] = SmsMessageFactory(case=records["f0"])
    snapshot_upsert_many(
        on=dt.date(2021, 6, 19),
        rows=[SnapshotRow("30", 200_000, 1, None), SnapshotRow("01", 300_000, 1, None)],
        source="import",
    )
    sees_other = role == NADMIN
    client = api_for(make_user(role))

    def listed(name, key):
        response = client.get(reverse(f"api:{name}"), {"page_size": 500})
        assert response.status_code == 200, name
        return {row[key] for row in response.json()["results"]}

    codes = listed("cases-list", "code")
    assert own["f0"].code in codes
    assert (other["f0"].code in codes) is sees_other
    count = client.get(reverse("api:cases-count")).json()["count"]
    assert count == len(codes) == (8 if sees_other else 4)
    provinces = listed("stats-snapshots", "province")
    assert provinces == ({"01", "30"} if sees_other else {"30"})
    figures = client.get(reverse("api:stats-tracing-figures")).json()
    assert figures["people"]["total"]["total"] == count
    if role in TRACES:
        traces = listed("traces-list", "id")
        assert own["trace"].pk in traces
        assert (other["trace"].pk in traces) is sees_other
        queue = listed("tracing-queue", "code")
        assert own["waiting"].code in queue
        assert (other["waiting"].code in queue) is sees_other
    if role in SMS_LOG:
        messages = listed("sms-log", "id")
        assert own["sms"].pk in messages
        assert (other["sms"].pk in messages) is sees_other


# Each API endpoint and the page that does the same (None: the API's own, for any user).
PAGE_OF = {
    "me": None,
    "schema": None,
    "docs": None,
    "redoc": None,
    "cases-list": "tracing_portal.cases.views.CaseListView",
    "cases-count": "tracing_portal.cases.views.CaseListView",
    "cases-create": "tracing_portal.cases.views.CaseCreateView",
    "cases-detail": "tracing_portal.cases.views.CaseDetailView",
    "cases-update": "tracing_portal.cases.views.CaseUpdateView",
    "cases-verify": "tracing_portal.cases.views.CaseVerifyView",
    "cases-reject": "tracing_portal.cases.views.CaseRejectView",
    "cases-relevel": "tracing_portal.cases.views.CaseRelevelView",
    "cases-ask-install": "tracing_portal.cases.views.CaseAskInstallView",
    "cases-contacts": "tracing_portal.cases.views.CaseDetailView",
    "cases-add-contact": "tracing_portal.cases.views.CaseAddContactView",
    "lookups-list": "tracing_portal.cases.views.CaseDetailView",
    "lookups-create": "tracing_portal.bluezone.views.LookupRequestView",
    "traces-open": "tracing_portal.bluezone.views.TraceOpenView",
    "tracing-queue": "tracing_portal.bluezone.views.QueueView",
    "traces-list": "tracing_portal.bluezone.views.QueueView",
    "traces-detail": "tracing_portal.bluezone.views.TraceDetailView",
    "traces-refresh": "tracing_portal.bluezone.views.TraceRefreshView",
    "traces-cancel": "tracing_portal.bluezone.views.TraceCancelView",
    "traces-contacts": "tracing_portal.bluezone.views.TraceDetailView",
    "candidates-accept-all": "tracing_portal.bluezone.views.AcceptAllView",
    "candidates-accept": "tracing_portal.bluezone.views.CandidateReviewView",
    "candidates-reject": "tracing_portal.bluezone.views.CandidateReviewView",
    "sms-send": "tracing_portal.notifications.views.SmsSendView",
    "sms-log": "tracing_portal.notifications.views.SmsLogView",
    "stats-snapshots": "tracing_portal.stats.views.DashboardView",
    "stats-ranks": "tracing_portal.stats.views.DashboardView",
    "stats-headline": "tracing_portal.stats.views.DashboardView",
    "stats-tracing-figures": "tracing_portal.stats.views.DashboardView",
}


@pytest.mark.parametrize("role", sorted(ALL))
def test_each_endpoint_lets_in_the_roles_its_page_lets_in(role, make_user, rf):
    """The matrix's expectations above are written by hand; this holds them to the pages'
    own permission checks, so a page and its endpoint cannot drift apart."""
    from django.utils.module_loading import import_string

    from tracing_portal.api.permissions import HasRequiredPermissions
    from tracing_portal.api.urls import urlpatterns

    assert set(PAGE_OF) == {endpoint[0] for endpoint in ENDPOINTS}
    user = make_user(role)
    views = {
        p.name: p.callback.view_class for p in urlpatterns if hasattr(p.callback, "view_class")
    }
    for endpoint in ENDPOINTS:
        name, allowed = endpoint[0], endpoint[4]
        request = rf.get("/")
        request.user = user
        api_lets_in = HasRequiredPermissions().has_permission(request, views[name]())
        assert api_lets_in is (role in allowed), name
        if PAGE_OF[name] is None:
            continue
        page = import_string(PAGE_OF[name])()
        page.request = request
        assert page.has_permission() is api_lets_in, (name, PAGE_OF[name])
