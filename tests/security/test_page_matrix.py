"""Every page and download outside /api/ × every role × own or other province.

The pages' twin of tests/api/test_matrix.py. Each row of PAGES is one URL (and method) with
the roles that hold its permission, the status they get, and whether the URL names a record
of a province. The rules, as the portal means them:

- anonymous visitors are sent to the sign-in page; the signed machine endpoints (Bluezone's
  webhook, the SMS receipts) answer 401 to everyone, session or not; an invitation link
  (the token is the credential) and the map's province boundaries are open;
- a role without the permission gets 403, wherever the record is;
- with it, a record of another province is a 404, exactly as a record that does not exist
  (the matrix asks for a made-up code or id beside every "other" request), and a search or
  a selection naming it finds nothing; national administrators see every province;
- no response to a province user (page, list, JSON, CSV or Excel file) holds an identifying
  text of the other province (codes, names, phone numbers, user names, file names); a
  200 on one's own province holds the record's own identifying text;
- a POST refused (403, 404, 405) changes nothing, and no POST changes the other province.

Both provinces' records are built once for the module, inside a transaction rolled back at
its end; every test runs in a savepoint of it, as in Django's TestCase.setUpTestData.

A URL pattern added without a row here fails test_every_page_is_in_the_matrix.
"""

import csv
import dataclasses
import datetime as dt
import html
import io
import json
from collections.abc import Callable
from http.cookies import SimpleCookie
from types import SimpleNamespace
from urllib.parse import urlencode

import openpyxl
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.api.factories import ContactFactory, PersonFactory, TraceFactory
from tests.factories import UserFactory
from tests.notifications.factories import SmsMessageFactory
from tests.signin import _DJANGO_FORCE_LOGIN, enroll_totp, mark_session_verified
from tests.stats.factories import InstallAskFactory, InstallSnapshotFactory
from tracing_portal.accounts.models import Invitation, User
from tracing_portal.accounts.roles import Role
from tracing_portal.accounts.services import invitation_issue
from tracing_portal.audit.models import AuditAction
from tracing_portal.audit.services import audit_record
from tracing_portal.bluezone.models import Lookup, TracedContact, TraceRequest
from tracing_portal.cases.models import Case, CaseHistory, InstallAsk
from tracing_portal.exchange.models import ImportJob
from tracing_portal.notifications.models import SmsMessage
from tracing_portal.stats.tracing_figures import TracingRange

CDC, POLICE, DIC, OFFICIAL, PADMIN, NADMIN = (
    Role.CDC,
    Role.POLICE,
    Role.DIC,
    Role.OFFICIAL,
    Role.PROVINCE_ADMIN,
    Role.NATIONAL_ADMIN,
)
ALL = frozenset({CDC, POLICE, DIC, OFFICIAL, PADMIN, NADMIN})
PROVINCE_ROLES = sorted(ALL - {NADMIN})
CASE_WRITE = frozenset({CDC, POLICE})  # cases.add_case, change_case, merge_case
VERIFY = frozenset({CDC, POLICE})  # cases.verify_classification or verify_identity
RELEVEL = frozenset({CDC})  # cases.relevel_case
TRACES = frozenset({CDC, DIC, OFFICIAL, PADMIN, NADMIN})  # bluezone.view_tracerequest
OPEN_TRACE = frozenset({DIC})  # bluezone.open_trace
LOOKUP = frozenset({CDC, POLICE, DIC})  # bluezone.request_lookup
REVIEW = frozenset({CDC})  # bluezone.review_candidate
SEND = frozenset({DIC})  # notifications.send_sms
SMS_LOG = frozenset({DIC, CDC, PADMIN, NADMIN})  # notifications.view_smsmessage
SMS_FIGURES = frozenset({DIC, CDC, OFFICIAL, PADMIN, NADMIN})  # notifications.view_sms_figures
IMPORT = frozenset({CDC, POLICE, PADMIN})  # exchange.import_data
EXPORT = frozenset({PADMIN, NADMIN})  # exchange.export_data (+ the data's view permission)
ADMINS = frozenset({PADMIN, NADMIN})  # accounts.manage_province_users, audit.*

OWN, OTHER = "30", "01"  # Hải Dương, Hà Nội
PREFIX = {OWN: "HD", OTHER: "HN"}
TAG = {OWN: "hd", OTHER: "hn"}
# Hà Nội gets more of everything, so that figures mixing the two provinces show.
EXTRA = {OWN: 0, OTHER: 2}
LOGIN = reverse("accounts:login")

# --- which URL names the matrix leaves out, and why -------------------------------------

# Whole sub-trees: not portal pages.
EXCLUDED_PREFIXES = {
    "api/": "the API has its own matrix (tests/api/test_matrix.py)",
    "admin/": "Django's admin: staff only, its own permission checks (tests/api/test_admin.py)",
    "bluezone-sandbox/": "the stand-in for Bluezone's servers, absent in production",
    "sms-sandbox/": "the stand-in for the SMS operator, absent in production",
    "i18n/": "Django's set_language: a cookie, no data",
}
EXEMPT = {
    "javascript-catalog": "jsi18n: the translation catalogue, the same for everyone",
    "plotly_js": "static-lib: plotly.js from the installed package, no data",
    "plotly_css": "static-lib: plotly's stylesheets, no data",
    "accounts:login": "the sign-in page itself (tests/security/test_logins.py)",
    "accounts:logout": "signing out (tests/security/test_logins.py)",
    "accounts:password_change": "the user's own password: no province data",
    "accounts:password_change_done": "the user's own password: no province data",
}


# --- the two provinces' records ------------------------------------------------------------


def _job(user, tag, role):
    """An uploaded people sheet, checked: one row to create, one with an error; its error
    files hold the bad row."""
    marker = f"{tag}badrow{role}".replace("_", "")
    job = ImportJob(
        kind="people",
        status="ready",
        province_id=user.province_id,
        created_by=user,
        original_name=f"{tag}-{role}-upload.xlsx",
        file_format="xlsx",
        total_rows=2,
        to_create=1,
        error_rows=1,
        errors=[{"row": 3, "column": "Họ và tên", "letter": "B", "msg": f"Sai: {marker}"}],
    )
    workbook = openpyxl.Workbook()
    workbook.active.append(["Họ và tên", "Lỗi"])
    workbook.active.append([marker, "Thiếu năm sinh"])
    out = io.BytesIO()
    workbook.save(out)
    job.error_file.save(f"loi-{tag}-{role}.xlsx", ContentFile(out.getvalue()), save=False)
    job.error_csv.save(
        f"loi-{tag}-{role}.csv",
        ContentFile(f"Họ và tên,Lỗi\n{marker},Thiếu năm sinh\n".encode()),
        save=False,
    )
    job.save()
    job.marker = marker
    return job


def build_world(province):
    prefix, tag = PREFIX[province], TAG[province]
    users = {
        role: UserFactory(
            username=f"{tag}_{role}",
            full_name=f"Cán bộ {prefix}{role.replace('_', '')}",
            role=role,
            province_id=province,
        )
        for role in PROVINCE_ROLES
    }
    for user in users.values():
        enroll_totp(user)  # force_login would enrol those who need a second step anyway
    cdc, dic = users[CDC], users[DIC]
    staff = UserFactory(
        username=f"{tag}_staffer", full_name=f"Cán bộ {prefix}Moi", role=CDC, province_id=province
    )
    TOTPDevice.objects.create(user=staff, name="Lost phone", confirmed=True)
    invitation = invitation_issue(actor=users[PADMIN], user=staff)

    def person(n, label, **kwargs):
        return PersonFactory(
            province_id=province,
            code=f"{prefix}-9{n:05d}",
            full_name=f"Lê Văn {prefix}{label}",
            phone=f"+849123{province}{n:03d}",
            entered_by=cdc,
            **kwargs,
        )

    f0 = person(1, "Nguon")
    f1 = person(2, "Tiepxuc", source=f0, verification="pending", verified_at=None)
    queued = person(3, "Chotruy")
    dup = person(4, "Trungho")
    opening_case = person(5, "Dangmo")
    trace = TraceFactory(case=f0, opened_by=dic)
    contact = ContactFactory(trace=trace, phone=f"+849876{province}001")
    opening = TraceFactory(case=opening_case, opened_by=dic, status="opening")
    SmsMessageFactory(
        case=f0,
        created_by=dic,
        status="delivered",
        purpose="matrix",
        body=f"[SYT] De nghi Le Van {prefix}Nguon cai Bluezone.",
    )
    InstallAskFactory(case=f1, asked_by=cdc)
    audit_record(actor=cdc, action=AuditAction.PHONE_VIEWED, obj=f0)
    for n in range(EXTRA[province]):
        extra = person(10 + n, f"Them{n}")
        extra_f1 = person(20 + n, f"Themf{n}", source=extra, verification="pending")
        InstallAskFactory(case=extra_f1, asked_by=cdc)
        ContactFactory(trace=TraceFactory(case=extra, opened_by=dic))
        SmsMessageFactory(case=extra, created_by=dic, purpose=f"extra{n}")
    today = timezone.localdate()
    for days, installs in ((1, 200_000), (2, 190_000)):
        InstallSnapshotFactory(
            province_id=province, date=today - dt.timedelta(days=days), installs=installs
        )
    jobs = {role: _job(users[role], tag, role) for role in sorted(IMPORT)}
    people = [f0, f1, queued, dup, opening_case]
    markers = {
        *(p.code for p in people),
        *(p.full_name.split()[-1] for p in people),
        f0.phone,
        "0" + f0.phone[3:],
        contact.phone,
        "0" + contact.phone[3:],
        *(u.username for u in [*users.values(), staff]),
        *(u.full_name.split()[-1] for u in [*users.values(), staff]),
        *(j.original_name for j in jobs.values()),
        *(j.marker for j in jobs.values()),
    }
    return SimpleNamespace(
        province=province,
        users=users,
        staff=staff,
        token=invitation.token,
        f0=f0,
        f1=f1,
        queued=queued,
        dup=dup,
        opening=opening,
        trace=trace,
        contact=contact,
        jobs=jobs,
        markers=frozenset(markers),
    )


_GHOST = SimpleNamespace(
    code="HD-999999",
    pk=987_654_321,
    phone="+84912399999",
    username="ghost",
    original_name="ghost.xlsx",
    marker="ghost",
    full_name="Không Có",
)
# A made-up record for every one the matrix uses: what guessing an id or a code gives.
MISSING = SimpleNamespace(
    province="99",
    users={role: _GHOST for role in ALL},
    staff=_GHOST,
    token="nope",
    jobs={role: _GHOST for role in ALL},
    markers=frozenset(),
    **{name: _GHOST for name in ("f0", "f1", "queued", "dup", "opening", "trace", "contact")},
)


def session_key(user) -> str:
    """A signed-in session of the user, second step done, as force_login makes it."""
    client = Client()
    _DJANGO_FORCE_LOGIN(client, user)
    mark_session_verified(client, user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture(scope="module")
def worlds(django_db_setup, django_db_blocker, tmp_path_factory):
    """Both provinces' records, a national administrator, a signed-in session per role, and
    what the rows a POST could change look like; built once, rolled back when the module
    is done. Each test runs in a savepoint, so each starts from exactly this state."""
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media")))
    media.enable()
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = {OWN: build_world(OWN), OTHER: build_world(OTHER)}
            national = UserFactory(username="vn_national", role=NADMIN)
            enroll_totp(national)
            built["sessions"] = {
                role: session_key(national if role == NADMIN else built[OWN].users[role])
                for role in ALL
            }
            built["before"] = {OWN: fingerprint(OWN), OTHER: fingerprint(OTHER)}
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            media.disable()
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)
    media.disable()


@pytest.fixture(scope="module")
def web():
    """One test client for the module: a new client builds the middleware again, and
    WhiteNoise's scan of the static files costs more than most requests."""
    return Client()


def signed_in(web, worlds, role):
    """The shared client, with no cookie but the role's session (none: anonymous)."""
    web.cookies = SimpleCookie()
    if role is not None:
        web.cookies[settings.SESSION_COOKIE_NAME] = worlds["sessions"][role]
    return web


# --- what each figure should count, straight from the tables --------------------------


def counts(province):
    """The tracing figures of one province over the dashboard's default range."""
    span = TracingRange.last_days()
    people = Case.objects.filter(
        province_id=province, merged_into__isnull=True, **span.lookups("created_at")
    )
    return {
        "people": people.count(),
        "backlog": people.filter(verification="pending").count(),
        "coverage": people.count(),
        "install-asks": Case.objects.filter(
            province_id=province,
            merged_into__isnull=True,
            **span.lookups("install_asks__asked_at"),
        )
        .distinct()
        .count(),
        "traces": TraceRequest.objects.filter(
            province_id=province, **span.lookups("created_at")
        ).count(),
        "candidates": TracedContact.objects.filter(
            trace__province_id=province, is_candidate=True, **span.lookups("trace__created_at")
        ).count(),
        "sms": SmsMessage.objects.filter(province_id=province, **span.lookups("queued_at")).count(),
        "verification-to-trace": Case.objects.filter(
            province_id=province,
            level=0,
            merged_into__isnull=True,
            **span.lookups("verified_at"),
        ).count(),
    }


def csv_rows(text):
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


# Where each tracing CSV holds its count: (row, column) of the parsed file.
TRACING_CELLS = {
    "people": (-1, 4),
    "backlog": (-1, 4),
    "coverage": (-1, 4),
    "install-asks": (1, 3),
    "traces": (-1, -1),
    "candidates": (-1, -1),
    "sms": (1, 3),
    "verification-to-trace": (1, 3),
}


def check_tracing_csv(name):
    def check(response, text, world, role):
        row, column = TRACING_CELLS[name]
        rows = csv_rows(text)
        assert {r[2] for r in rows[1:]} == {world_name(world)}
        assert int(rows[row][column]) == counts(world.province)[name], rows

    return check


def world_name(world):
    return {OWN: "Hải Dương", OTHER: "Hà Nội"}[world.province]


def check_dashboard(response, text, world, role):
    assert response.context["q"].province.pk == world.province
    people = response.context["tracing"].people.total.total
    assert people == counts(world.province)["people"]


def check_trend(response, text, world, role):
    rows = csv_rows(text)
    assert len(rows) == 3, rows
    assert {r[1] for r in rows[1:]} == {world.province}


def check_sms_figures(response, text, world, role):
    provinces = [OWN, OTHER] if role == NADMIN else [OWN]
    expected = sum(counts(p)["sms"] for p in provinces)
    assert response.context["totals"]["total"] == expected


def check_ministry(response, text, world, role):
    rows = csv_rows(text)
    assert {r[1] for r in rows[1:]} == ({OWN, OTHER} if role == NADMIN else {OWN}), rows


# --- the matrix ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Page:
    """One URL of the portal and what each role gets from it.

    kwargs/query/body take (world, role): the records of the province asked about (or
    MISSING, made-up ones) and the role asking. `scoped`: the URL names a record (or a
    province) of one province, so the matrix asks for the own and the other province's.
    `shows`: texts a 200 (or the POST's answer) on that province's record holds.
    `other`: what a province user gets asking about another province's record (404 unless
    the page answers "nothing found", e.g. a search). `location`: where a redirect goes.
    `check`: more assertions on a 200 (figures counted from the tables). `lists`: a list or
    export, where national administrators also see the other province's `shows`.
    `by_role`: a role's status where it differs from `ok`. `xfail`: a known leak or error.
    """

    name: str
    variant: str = ""
    method: str = "get"
    allowed: frozenset = ALL
    ok: int = 200
    scoped: bool = False
    anon: int = 302
    kwargs: Callable | None = None
    query: Callable | None = None
    body: Callable | None = None
    shows: Callable | None = None
    other: int = 404
    location: Callable | None = None
    check: Callable | None = None
    lists: bool = False
    by_role: dict = dataclasses.field(default_factory=dict)
    xfail: str = ""

    @property
    def id(self):
        return f"{self.name}{'-' + self.variant if self.variant else ''}"


def code(attr):
    return lambda w, role: {"code": getattr(w, attr).code}


def pk(attr):
    return lambda w, role: {"pk": getattr(w, attr).pk}


def job_pk(w, role):
    """The import the role uploaded (roles that cannot import: any, they get 403)."""
    return {"pk": w.jobs.get(role, w.jobs[sorted(w.jobs)[0]]).pk}


def colleague_job_pk(w, role):
    """An import a colleague of another role uploaded."""
    uploaders = sorted(w.jobs)
    colleague = uploaders[(uploaders.index(role) + 1) % len(uploaders)] if role in w.jobs else CDC
    return {"pk": w.jobs[colleague].pk}


def texts(*paths):
    """shows= for records of the world: "f0.code" → world.f0.code."""

    def shows(w, role):
        out = []
        for path in paths:
            value = w
            for part in path.split("."):
                value = getattr(value, part)
            out.append(value)
        return out

    return shows


def name_of(attr):
    return lambda w, role: [getattr(w, attr).full_name.split()[-1]]


def goes_to(attr):
    return lambda w, role: getattr(w, attr).get_absolute_url()


def post_only(name, kwargs, allowed, **extra):
    """GET on a POST-only view: 405 once signed in with the permission, 403 without."""
    return Page(name, "get", "get", allowed, 405, kwargs=kwargs, **extra)


def upload():
    """A people sheet of one row, as a browser posts it."""
    workbook = openpyxl.Workbook()
    workbook.active.append(["Họ và tên", "Năm sinh", "Cấp độ"])
    workbook.active.append(["Phạm Văn Nhập", 1990, "F0"])
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile("nhap.xlsx", out.getvalue())


def case_form_body(w, role):
    """The person form as the edit page fills it, with a note added."""
    return {
        "full_name": w.f0.full_name,
        "year_of_birth": 1980,
        "sex": "unknown",
        "phone": w.f0.phone,
        "level": 0,
        "f0_status": "confirmed",
        "status": "active",
        "bluezone_status": "not_installed",
        "quarantine": "none",
        "notes": "Sửa bởi ma trận",
        "version": getattr(w.f0, "version", 1),
    }


def province_q(w, role):
    return {"province": w.province}


TRACING_CSV_NAMES = list(TRACING_CELLS)

PAGES = [
    # --- home and the account pages
    Page("home"),
    Page("accounts:otp_verify", ok=302, location=lambda w, role: "/"),
    Page("accounts:otp_setup"),
    # The link is the credential: whoever holds it sets that account's password.
    Page(
        "accounts:invitation",
        anon=200,
        kwargs=lambda w, role: {"token": w.token},
        shows=lambda w, role: [w.staff.username],
    ),
    Page(
        "accounts:users", allowed=ADMINS, lists=True, shows=lambda w, role: [w.users[CDC].username]
    ),
    Page(
        "accounts:users",
        "search",
        allowed=ADMINS,
        scoped=True,
        other=200,
        query=lambda w, role: {"q": w.staff.username},
        shows=lambda w, role: [w.staff.username],
    ),
    Page("accounts:user_create", allowed=ADMINS),
    # A province administrator cannot make an account in another province.
    Page(
        "accounts:user_create",
        "post",
        "post",
        ADMINS,
        200,
        scoped=True,
        other=200,
        body=lambda w, role: {
            "username": f"new_{w.province}",
            "full_name": "Nguyễn Văn Mới",
            "agency": "cdc",
            "role": CDC,
            "province": w.province,
        },
        shows=lambda w, role: ["/accounts/invitation/"],
    ),
    Page(
        "accounts:user_action",
        "invite",
        "post",
        ADMINS,
        200,
        scoped=True,
        kwargs=lambda w, role: {"pk": w.staff.pk, "action": "invite"},
        shows=lambda w, role: [w.staff.username],
    ),
    Page(
        "accounts:user_action",
        "unlock",
        "post",
        ADMINS,
        302,
        scoped=True,
        kwargs=lambda w, role: {"pk": w.staff.pk, "action": "unlock"},
        location=lambda w, role: reverse("accounts:users"),
    ),
    Page(
        "accounts:user_action",
        "reset-otp",
        "post",
        ADMINS,
        302,
        scoped=True,
        kwargs=lambda w, role: {"pk": w.staff.pk, "action": "reset-otp"},
        location=lambda w, role: reverse("accounts:users"),
    ),
    post_only(
        "accounts:user_action", lambda w, role: {"pk": w.staff.pk, "action": "invite"}, ADMINS
    ),
    # --- people
    Page("cases:list", lists=True, shows=texts("f0.code", "f1.code", "queued.code")),
    Page(
        "cases:list",
        "search",
        scoped=True,
        other=200,
        query=lambda w, role: {"q": w.f0.code},
        shows=name_of("f0"),
    ),
    Page("cases:create", allowed=CASE_WRITE),
    # A new contact of another province's person: "no person with that code".
    Page(
        "cases:create",
        "with-source",
        "post",
        CASE_WRITE,
        302,
        scoped=True,
        other=200,
        body=lambda w, role: {
            "full_name": "Phạm Thị Mới",
            "source_code": w.f0.code,
            "level": 1,
            "relation": "household",
            "sex": "unknown",
            "status": "active",
            "bluezone_status": "unknown",
            "quarantine": "none",
            "confirm_duplicates": "on",
        },
    ),
    Page(
        "cases:source_search",
        scoped=True,
        other=200,
        query=lambda w, role: {"q": w.f0.code},
        shows=name_of("f0"),
    ),
    Page("cases:detail", scoped=True, kwargs=code("f0"), shows=texts("f0.code", "f1.code")),
    Page("cases:chain", scoped=True, kwargs=code("f0"), shows=texts("f0.code", "f1.code")),
    Page(
        "cases:update", allowed=CASE_WRITE, scoped=True, kwargs=code("f0"), shows=texts("f0.code")
    ),
    Page(
        "cases:update",
        "post",
        "post",
        CASE_WRITE,
        302,
        scoped=True,
        kwargs=code("f0"),
        body=case_form_body,
        location=goes_to("f0"),
    ),
    Page(
        "cases:add_contact",
        "",
        "post",
        CASE_WRITE,
        302,
        scoped=True,
        kwargs=code("f0"),
        body=lambda w, role: {"full_name": "Lê Văn Gặp", "relation": "household"},
        location=goes_to("f0"),
    ),
    post_only("cases:add_contact", code("f0"), CASE_WRITE),
    Page(
        "cases:verify",
        "",
        "post",
        VERIFY,
        302,
        scoped=True,
        kwargs=code("f1"),
        location=goes_to("f1"),
    ),
    post_only("cases:verify", code("f1"), VERIFY),
    Page(
        "cases:reject",
        "",
        "post",
        VERIFY,
        302,
        scoped=True,
        kwargs=code("f1"),
        body=lambda w, role: {"reason": "Trùng"},
        location=goes_to("f1"),
    ),
    post_only("cases:reject", code("f1"), VERIFY),
    Page(
        "cases:ask_install",
        "",
        "post",
        CASE_WRITE,
        302,
        scoped=True,
        kwargs=code("f0"),
        location=goes_to("f0"),
    ),
    post_only("cases:ask_install", code("f0"), CASE_WRITE),
    Page(
        "cases:relevel",
        "",
        "post",
        RELEVEL,
        302,
        scoped=True,
        kwargs=code("f1"),
        body=lambda w, role: {"to": "f0", "f0_status": "confirmed"},
        location=goes_to("f1"),
    ),
    post_only("cases:relevel", code("f1"), RELEVEL),
    Page(
        "cases:merge",
        "",
        "post",
        CASE_WRITE,
        302,
        scoped=True,
        kwargs=code("f0"),
        body=lambda w, role: {"other_code": w.dup.code},
        location=goes_to("f0"),
    ),
    post_only("cases:merge", code("f0"), CASE_WRITE),
    # Merging another province's record into one's own: as if its code did not exist.
    Page(
        "cases:merge",
        "other-code",
        "post",
        CASE_WRITE,
        302,
        scoped=True,
        kwargs=lambda w, role: {"code": f"{PREFIX[OWN]}-900001"},
        body=lambda w, role: {"other_code": w.dup.code},
        location=lambda w, role: reverse("cases:detail", kwargs={"code": f"{PREFIX[OWN]}-900001"}),
    ),
    # --- Bluezone tracing
    Page("bluezone:queue", allowed=TRACES, lists=True, shows=texts("queued.code", "dup.code")),
    Page(
        "bluezone:trace_detail",
        allowed=TRACES,
        scoped=True,
        kwargs=pk("trace"),
        shows=texts("f0.code"),
    ),
    Page("bluezone:open", "", "post", OPEN_TRACE, 302, scoped=True, kwargs=code("queued")),
    post_only("bluezone:open", code("queued"), OPEN_TRACE),
    Page(
        "bluezone:lookup",
        "",
        "post",
        LOOKUP,
        302,
        scoped=True,
        kwargs=code("queued"),
        location=goes_to("queued"),
    ),
    post_only("bluezone:lookup", code("queued"), LOOKUP),
    Page(
        "bluezone:refresh",
        "",
        "post",
        TRACES,
        302,
        scoped=True,
        kwargs=pk("trace"),
        location=goes_to("trace"),
    ),
    post_only("bluezone:refresh", pk("trace"), TRACES),
    Page(
        "bluezone:cancel",
        "",
        "post",
        OPEN_TRACE,
        302,
        scoped=True,
        kwargs=pk("opening"),
        location=goes_to("opening"),
    ),
    post_only("bluezone:cancel", pk("opening"), OPEN_TRACE),
    Page(
        "bluezone:accept_all",
        "",
        "post",
        REVIEW,
        302,
        scoped=True,
        kwargs=pk("trace"),
        location=goes_to("trace"),
    ),
    post_only("bluezone:accept_all", pk("trace"), REVIEW),
    Page(
        "bluezone:send_code",
        "",
        "post",
        SEND,
        302,
        scoped=True,
        kwargs=pk("trace"),
        location=goes_to("trace"),
    ),
    post_only("bluezone:send_code", pk("trace"), SEND),
    Page(
        "bluezone:notify",
        "",
        "post",
        SEND,
        302,
        scoped=True,
        kwargs=pk("trace"),
        location=goes_to("trace"),
    ),
    post_only("bluezone:notify", pk("trace"), SEND),
    Page(
        "bluezone:review",
        "",
        "post",
        REVIEW,
        302,
        scoped=True,
        kwargs=pk("contact"),
        body=lambda w, role: {"decision": "reject", "reason": "Cùng nhà"},
        location=lambda w, role: f"{w.trace.get_absolute_url()}#contact-{w.contact.pk}",
    ),
    post_only("bluezone:review", pk("contact"), REVIEW),
    # Bluezone's signed webhook: no session opens it.
    Page("bluezone:webhook", "", "post", ALL, 401, anon=401),
    Page("bluezone:webhook", "get", "get", ALL, 405, anon=405),
    # --- SMS
    Page("notifications:log", allowed=SMS_LOG, lists=True, shows=texts("f0.code")),
    Page(
        "notifications:log",
        "search",
        allowed=SMS_LOG,
        scoped=True,
        other=200,
        query=lambda w, role: {"q": w.f0.code},
        shows=name_of("f0"),
    ),
    Page("notifications:figures", allowed=SMS_FIGURES, check=check_sms_figures),
    Page(
        "notifications:send_lookup",
        allowed=SEND,
        ok=302,
        scoped=True,
        query=lambda w, role: {"code": w.f0.code},
        location=lambda w, role: reverse("notifications:send", kwargs={"code": w.f0.code}),
    ),
    Page(
        "notifications:send", allowed=SEND, scoped=True, kwargs=code("f0"), shows=texts("f0.code")
    ),
    Page(
        "notifications:send",
        "post",
        "post",
        SEND,
        302,
        scoped=True,
        kwargs=code("f0"),
        body=lambda w, role: {"template_kind": "install_request", "action": "send"},
    ),
    Page("notifications:bulk", allowed=SEND, shows=texts("f0.code")),
    # Selected by their source's code: another province's code selects nobody.
    Page(
        "notifications:bulk",
        "by-source",
        allowed=SEND,
        scoped=True,
        other=200,
        query=lambda w, role: {"source_code": w.f0.code},
        shows=texts("f1.code"),
    ),
    # People ticked by id: another province's ids select nobody.
    Page(
        "notifications:bulk",
        "ticked",
        "post",
        SEND,
        200,
        scoped=True,
        other=200,
        body=lambda w, role: {"case_ids": [w.f0.pk]},
        shows=texts("f0.code"),
    ),
    Page(
        "notifications:bulk",
        "send",
        "post",
        SEND,
        302,
        scoped=True,
        other=302,
        body=lambda w, role: {
            "confirm": "1",
            "case_ids": [w.f0.pk],
            "template_kind": "install_request",
        },
    ),
    Page(
        "notifications:ask_install",
        "",
        "post",
        SEND,
        302,
        scoped=True,
        kwargs=code("f0"),
        location=goes_to("f0"),
    ),
    post_only("notifications:ask_install", code("f0"), SEND),
    # The operator's signed delivery receipts: no session opens them.
    Page("notifications:receipt", "", "post", ALL, 401, anon=401),
    Page("notifications:receipt", "get", "get", ALL, 405, anon=405),
    # --- figures
    Page("stats:dashboard", scoped=True, query=province_q, check=check_dashboard),
    # The league table ranks all 63 provinces (aggregates): the province asked is scoped.
    Page("stats:league_csv", scoped=True, query=province_q),
    Page("stats:trend_csv", scoped=True, query=province_q, check=check_trend),
    *[
        Page(
            "stats:tracing_csv",
            name,
            scoped=True,
            kwargs=lambda w, role, name=name: {"name": name},
            query=province_q,
            check=check_tracing_csv(name),
        )
        for name in TRACING_CSV_NAMES
    ],
    # The map's province boundaries: public reference data (cache_control public).
    Page("stats:provinces_geojson", anon=200),
    # --- import and export
    Page("exchange:import", allowed=IMPORT, shows=lambda w, role: [w.jobs[role].original_name]),
    # An upload names another province: the province field is for national users only, so
    # the job is the uploader's province's (Hà Nội's rows stay as they were).
    Page(
        "exchange:import",
        "post",
        "post",
        IMPORT,
        302,
        body=lambda w, role: {"kind": "people", "file": upload(), "province": OTHER},
    ),
    Page("exchange:template", "people", allowed=IMPORT, kwargs=lambda w, role: {"kind": "people"}),
    # The facilities sheet also needs cases.add_quarantinefacility: a kind one may not
    # import is not found.
    Page(
        "exchange:template",
        "facilities",
        allowed=IMPORT,
        kwargs=lambda w, role: {"kind": "facilities"},
        by_role={CDC: 404, POLICE: 404},
    ),
    Page(
        "exchange:job",
        allowed=IMPORT,
        scoped=True,
        kwargs=job_pk,
        shows=lambda w, role: [w.jobs[role].original_name, w.jobs[role].marker],
    ),
    # An import is its uploader's alone: a colleague of the same province finds nothing.
    Page("exchange:job", "colleague", allowed=IMPORT, ok=404, scoped=True, kwargs=colleague_job_pk),
    Page(
        "exchange:job_errors",
        "colleague",
        allowed=IMPORT,
        ok=404,
        scoped=True,
        kwargs=lambda w, role: {**colleague_job_pk(w, role), "file_format": "xlsx"},
    ),
    Page(
        "exchange:job_status",
        allowed=IMPORT,
        scoped=True,
        kwargs=job_pk,
        shows=lambda w, role: ["ready"],
    ),
    Page(
        "exchange:job_confirm",
        "",
        "post",
        IMPORT,
        302,
        scoped=True,
        kwargs=job_pk,
        body=lambda w, role: {"valid_rows_only": "on"},
        location=lambda w, role: reverse("exchange:job", kwargs=job_pk(w, role)),
    ),
    post_only("exchange:job_confirm", job_pk, IMPORT),
    Page(
        "exchange:job_cancel",
        "",
        "post",
        IMPORT,
        302,
        scoped=True,
        kwargs=job_pk,
        location=lambda w, role: reverse("exchange:import"),
    ),
    post_only("exchange:job_cancel", job_pk, IMPORT),
    *[
        Page(
            "exchange:job_errors",
            fmt,
            allowed=IMPORT,
            scoped=True,
            kwargs=lambda w, role, fmt=fmt: {**job_pk(w, role), "file_format": fmt},
            shows=lambda w, role: [w.jobs[role].marker],
        )
        for fmt in ("xlsx", "csv")
    ],
    Page("exchange:export", allowed=EXPORT),
    Page("exchange:export_people", allowed=EXPORT),
    Page("exchange:export_sms", allowed=EXPORT),
    Page("exchange:export_candidates", allowed=EXPORT),
    Page("exchange:export_snapshots", allowed=EXPORT),
    Page("exchange:ministry_report", allowed=EXPORT),
    *[
        Page(
            name,
            fmt,
            "post",
            EXPORT,
            200,
            body=lambda w, role, fmt=fmt: {"file_format": fmt},
            shows=shows,
            lists=True,
        )
        for name, shows in (
            ("exchange:export_people", texts("f0.code", "f1.code", "queued.code")),
            ("exchange:export_sms", texts("f0.code")),
            ("exchange:export_candidates", texts("f0.code")),
            # Install figures: aggregates per province, the same for every user.
            ("exchange:export_snapshots", None),
        )
        for fmt in ("csv", "xlsx")
    ],
    Page(
        "exchange:ministry_report",
        "csv",
        "post",
        EXPORT,
        200,
        body=lambda w, role: {
            "file_format": "csv",
            "date_from": timezone.localdate() - dt.timedelta(days=1),
            "date_to": timezone.localdate(),
        },
        check=check_ministry,
    ),
    # --- audit
    Page("audit:list", allowed=ADMINS, lists=True, shows=texts("f0.code")),
    Page("audit:data_report", allowed=ADMINS),
    # A data-subject request for another province's number finds nothing.
    *[
        Page(
            "audit:data_report",
            fmt,
            "post",
            ADMINS,
            200,
            scoped=True,
            other=200,
            body=lambda w, role, fmt=fmt: {"phone": w.f0.phone, "format": fmt},
            shows=texts("f0.code"),
        )
        for fmt in ("html", "json")
    ],
]


def expected(page, role, where):
    if role not in page.allowed:
        return 403
    if role in page.by_role:
        return page.by_role[role]
    if where == "missing":
        return page.other
    if where == "other" and role != NADMIN:
        return page.other
    return page.ok


def _marks(page):
    return [pytest.mark.xfail(strict=True, reason=page.xfail)] if page.xfail else []


CASES = [
    pytest.param(page, role, where, id=f"{page.id}-{role}-{where}", marks=_marks(page))
    for page in PAGES
    for role in sorted(ALL)
    for where in (("own", "other") if page.scoped else ("own",))
]


# --- requests and what is in their answers ------------------------------------------------


def request(client, page, world, role):
    """The page's request about that world's records: (response, what was sent)."""
    kwargs = page.kwargs(world, role) if page.kwargs else None
    url = reverse(page.name, kwargs=kwargs)
    query = page.query(world, role) if page.query else {}
    body = page.body(world, role) if page.body else {}
    full = f"{url}?{urlencode(query)}" if query else url
    response = client.post(full, body) if page.method == "post" else client.get(full)
    asked = full + " " + " ".join(str(v) for v in body.values())
    return response, asked


def text_of(response) -> str:
    """Everything a response carries, readable: pages, JSON (unescaped), CSV, xlsx cells."""
    # The test client closes the response once read (a file's handle too); closing it here
    # would also close PostgreSQL's connection, and the module's transaction with it.
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if raw[:2] == b"PK":
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True)
        cells = [
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        ]
        return "\n".join(cells)
    text = raw.decode("utf-8", errors="replace")
    if "json" in response.get("Content-Type", ""):
        try:
            text += json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return html.unescape(text)


def why(response, text):
    """A failed status's explanation: the form's errors if the page has a form."""
    context = response.context or {}
    form = context.get("form") if hasattr(context, "get") else None
    return form.errors.as_json() if form is not None and form.errors else text[:500]


def leaked(text, markers, asked=""):
    """The markers in the text, except those the request itself carried (a search box or an
    error repeats what was typed)."""
    low, asked = text.lower(), asked.lower()
    return sorted(m for m in markers if m.lower() in low and m.lower() not in asked)


def fingerprint(province):
    """The rows of a province a POST could change, each list in primary-key order (PostgreSQL
    returns an unordered query's rows as they lie, and an UPDATE elsewhere moves them)."""
    return (
        list(Case.objects.filter(province_id=province).order_by("pk").values()),
        list(
            CaseHistory.objects.filter(case__province_id=province).order_by("pk").values_list("pk")
        ),
        list(TraceRequest.objects.filter(province_id=province).order_by("pk").values()),
        list(TracedContact.objects.filter(trace__province_id=province).order_by("pk").values()),
        list(
            Lookup.objects.filter(province_id=province).order_by("pk").values_list("pk", "status")
        ),
        list(
            InstallAsk.objects.filter(case__province_id=province).order_by("pk").values_list("pk")
        ),
        list(
            SmsMessage.objects.filter(province_id=province)
            .order_by("pk")
            .values_list("pk", "status")
        ),
        list(ImportJob.objects.filter(province_id=province).order_by("pk").values()),
        list(
            Invitation.objects.filter(user__province_id=province)
            .order_by("pk")
            .values_list("pk", "revoked_at", "used_at")
        ),
        list(
            TOTPDevice.objects.filter(user__province_id=province).order_by("pk").values_list("pk")
        ),
        list(
            User.objects.filter(province_id=province)
            .order_by("pk")
            .values_list("pk", "username", "is_active")
        ),
    )


# --- the tests ------------------------------------------------------------------------------


def _resolver_names(patterns, prefix="", namespace=""):
    """Every URL name the portal serves ("app:name"), outside the excluded sub-trees."""
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if any(route.startswith(p) for p in EXCLUDED_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            yield from _resolver_names(
                entry.url_patterns, route, f"{namespace}{ns}:" if ns else namespace
            )
        elif isinstance(entry, URLPattern):
            assert entry.name, f"{route} has no name: the matrix cannot list it"
            yield f"{namespace}{entry.name}"


def test_every_page_is_in_the_matrix():
    """A page added without a row (or an exemption with its reason) fails here."""
    names = set(_resolver_names(get_resolver().url_patterns))
    in_matrix = {page.name for page in PAGES}
    missing = sorted(names - set(EXEMPT) - in_matrix)
    assert not missing, f"pages without a row in PAGES (or a reason in EXEMPT): {missing}"
    assert not (in_matrix - names), f"PAGES lists unknown names: {in_matrix - names}"
    assert not (set(EXEMPT) - names), f"EXEMPT lists unknown names: {set(EXEMPT) - names}"
    assert not (set(EXEMPT) & in_matrix), "a page is both exempt and in the matrix"


@pytest.mark.parametrize("entry", [pytest.param(p, id=p.id) for p in PAGES])
def test_anonymous(entry, worlds, web, db):
    """Without a session: the sign-in page, and nothing of either province."""
    client = signed_in(web, worlds, None)
    response, _asked = request(client, entry, worlds[OWN], None)
    text = text_of(response)
    assert response.status_code == entry.anon, text[:300]
    if entry.anon == 302:
        assert response.url.startswith(f"{LOGIN}?next="), response.url
    # Pages open to visitors (an invitation link) show their own record, nothing else.
    hidden = worlds[OTHER].markers | (worlds[OWN].markers if entry.anon != 200 else set())
    assert not leaked(text, hidden)
    if entry.method == "post":
        assert fingerprint(OWN) == worlds["before"][OWN]
        assert fingerprint(OTHER) == worlds["before"][OTHER]
    if entry.anon == 200 and entry.kwargs:
        guessed, _asked = request(client, entry, MISSING, None)
        assert guessed.status_code == 404


@pytest.mark.parametrize("entry,role,where", CASES)
def test_page_matrix(entry, role, where, worlds, web, db):
    """One role asks one page about its own province's record or the other's."""
    own, other = worlds[OWN], worlds[OTHER]
    world = own if where == "own" else other
    client = signed_in(web, worlds, role)

    response, asked = request(client, entry, world, role)
    want = expected(entry, role, where)
    text = text_of(response)
    assert response.status_code == want, why(response, text)

    # Nothing of another province, unless national; on success, the record itself.
    hidden = set(other.markers) if role != NADMIN else set()
    assert not leaked(text, hidden, asked), "other province's records in the answer"
    if want == entry.ok and want in (200, 302):
        if where == "own" or role == NADMIN:
            for shown in entry.shows(world, role) if entry.shows else []:
                assert shown.lower() in text.lower(), f"{shown} not in the answer"
            if role == NADMIN and entry.lists and entry.shows:
                for shown in entry.shows(other, role):
                    assert shown.lower() in text.lower(), f"{shown} (other province) missing"
        if entry.location and response.status_code == 302:
            assert response.url == entry.location(world, role)
        if entry.check and response.status_code == 200:
            entry.check(response, text, world, role)

    if entry.method == "post":
        succeeded = want == entry.ok and want < 400 and (where == "own" or role == NADMIN)
        changed = {world.province} if succeeded else set()
        for province, rows in worlds["before"].items():
            if province not in changed:
                assert fingerprint(province) == rows, f"a POST changed province {province}"

    # Guessing: another province's record answers exactly as a record that does not exist.
    if entry.scoped and where == "other":
        guessed, _asked = request(client, entry, MISSING, role)
        text_of(guessed)
        assert guessed.status_code == expected(entry, role, "missing")
        if role != NADMIN:
            assert guessed.status_code == response.status_code
