"""Every endpoint × every role × own or other province, with the exact status expected.

The API asks for the same permissions as the pages (tracing_portal/accounts/roles.py) and
scopes through the same selectors: a role without the permission gets 403 wherever the
record is; with it, another province's record is a 404 (national administrators see every
province).
"""

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
    own, other = world("30"), world("01")
    client = api_for(make_user(role))
    codes = {p["code"] for p in client.get(reverse("api:cases-list")).json()["results"]}
    assert own["f0"].code in codes
    assert (other["f0"].code in codes) is (role == NADMIN)
    if role in TRACES:
        traces = {t["id"] for t in client.get(reverse("api:traces-list")).json()["results"]}
        assert own["trace"].pk in traces
        assert (other["trace"].pk in traces) is (role == NADMIN)
