"""On PostgreSQL the people CSV is written by COPY; it must be the Python writer's file."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from tests.cases.factories import CaseFactory
from tracing_portal.audit.models import AuditAction, AuditEvent
from tracing_portal.cases.resources import CaseResource
from tracing_portal.exchange import selectors
from tracing_portal.exchange.exporting import (
    columns_of,
    people_copy_query,
    rendered,
    stream_copy_csv,
    stream_csv,
)

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="COPY is PostgreSQL's; SQLite uses the writer"
)


@pytest.fixture
def awkward_people(db):
    f0 = CaseFactory(
        full_name='=HYPERLINK("http://x")',
        address="+1 Trần Hưng Đạo, Hải Dương",
        notes='two\nlines, a "quote"\r\nand more',
        phone="+84912345678",
        national_id="-001",
        code="HD-000001",
        year_of_birth=None,
    )
    CaseFactory(
        full_name="Trần Thị Bình",
        level=1,
        f0_status="",
        source=f0,
        relation="household",
        phone="+84987654321",
        code="HD-000002",
        exposure_date=dt.date(2020, 8, 13),
        notes="@SUM(A1)",
        address="\tTab",
        status="negative",
        bluezone_status="installed",
    )
    CaseFactory(full_name="Không số", phone="", code="HD-000003", notes="")
    CaseFactory(full_name="Ngắn", phone="12345", code="HD-000004")
    CaseFactory(full_name="Hà Nội Một", province_id="01", code="HN-000001")


def python_file(actor, filters, full_phones) -> tuple[bytes, int]:
    columns = columns_of(CaseResource(full_phones=full_phones))
    qs = selectors.people_export_rows(
        actor=actor, filters=filters, attributes=[c.attribute for c in columns]
    )
    sent = {}
    body = b"".join(
        stream_csv(
            [c.header for c in columns],
            rendered(columns, qs.iterator()),
            done=lambda n, ok: sent.update(n=n),
        )
    )
    return body, sent["n"]


def copy_file(actor, filters, full_phones) -> tuple[bytes, int]:
    columns = columns_of(CaseResource(full_phones=full_phones))
    query = people_copy_query(actor=actor, filters=filters, full_phones=full_phones)
    assert query is not None
    sent = {}
    body = b"".join(
        stream_copy_csv([c.header for c in columns], *query, done=lambda n, ok: sent.update(n=n))
    )
    return body, sent["n"]


@pytest.mark.parametrize("full_phones", [False, True])
@pytest.mark.parametrize("filters", [{}, {"level": 1}])
def test_copy_writes_the_same_file_as_the_python_writer(
    awkward_people, province_admin, filters, full_phones
):
    expected, expected_rows = python_file(province_admin, filters, full_phones)
    got, rows = copy_file(province_admin, filters, full_phones)
    assert got == expected
    assert rows == expected_rows == (4 if not filters else 1)
    assert b"'=HYPERLINK" in expected or filters


def test_people_csv_view_uses_copy_and_audits_the_rows(client, awkward_people, province_admin):
    client.force_login(province_admin)
    response = client.post(reverse("exchange:export_people"), {"file_format": "csv"})
    body = b"".join(response.streaming_content)
    assert body == python_file(province_admin, {}, False)[0]
    event = AuditEvent.objects.get(action=AuditAction.EXPORTED)
    assert event.details["rows"] == 4 and event.details["completed"] is True
