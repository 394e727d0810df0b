import datetime as dt

import pytest
from django.utils import timezone

from tracing_portal.bluezone.models import TracedContact, TraceRequest
from tracing_portal.cases.models import Case
from tracing_portal.core.text import fold


@pytest.fixture
def people(cdc_user):
    """`people(n, source=None, level=0)`: n people written straight to the table."""
    counter = {"n": 0}

    def make(n: int, *, source: Case | None = None, level: int = 0) -> list[Case]:
        rows = []
        for _ in range(n):
            counter["n"] += 1
            i = counter["n"]
            name = f"Nguyễn Văn Hùng {i}"
            rows.append(
                Case(
                    province_id="30",
                    code=f"HD-8{i:05d}",
                    level=level,
                    f0_status="confirmed" if level == 0 else "",
                    full_name=name,
                    name_folded=fold(name),
                    phone=f"+8491{i:07d}",
                    source=source,
                    relation="household" if source else "",
                    entered_by=cdc_user,
                    entering_agency="cdc",
                    created_at=timezone.now() - dt.timedelta(minutes=i),
                )
            )
        return Case.objects.bulk_create(rows)

    return make


@pytest.fixture
def tree(people):
    """`tree(per_person)`: an F0 with `per_person` contacts under each person, to F3."""

    def make(per_person: int) -> Case:
        (head,) = people(1)
        frontier = [head]
        for level in (1, 2, 3):
            generation = []
            for person in frontier:
                generation += people(per_person, source=person, level=level)
            frontier = generation
        return head

    return make


@pytest.fixture
def trace_with_contacts(people, dic_user):
    def make(contacts: int) -> TraceRequest:
        (f0,) = people(1)
        trace = TraceRequest.objects.create(
            case=f0,
            province_id="30",
            opened_by=dic_user,
            msisdn=f0.phone.lstrip("+"),
            bluezone_id=f"bz-{f0.pk}",
            status="completed",
            ingest_state="done",
            completed_at=timezone.now(),
        )
        now = timezone.now()
        matched = people(1, source=f0, level=1)[0]
        TracedContact.objects.bulk_create(
            TracedContact(
                trace=trace,
                contact_id=f"c{j}",
                phone=f"+8498{j:07d}",
                province_code="30",
                sightings_count=10,
                first_seen=now - dt.timedelta(hours=1),
                last_seen=now,
                raw_minutes=20,
                weighted_minutes=20 - j % 10,
                is_candidate=j % 3 != 0,
                matched_case=matched if j % 5 == 0 else None,
            )
            for j in range(contacts)
        )
        return trace

    return make
