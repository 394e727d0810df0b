"""The benchmark's in-process measures: a 1M-row CSV export through the exchange app's
streaming generator, a Bluezone ingestion of 200,000 sightings through the tracing
service's page store, and memory sampling."""

import datetime as dt
import os
import random
import threading
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
MB = 1024 * 1024


def rss() -> int:
    """This process's resident memory in bytes (Linux)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * PAGE_BYTES
    except OSError:
        return 0


class PeakMemory:
    """Samples the resident memory every 20 ms while the block runs."""

    def __init__(self):
        self.start = self.peak = 0
        self._stop = threading.Event()

    def _watch(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss())

    def __enter__(self):
        self.start = self.peak = rss()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss())


@dataclass
class ExportResult:
    rows: int
    seconds: float
    megabytes: float
    rss_start_mb: float
    rss_peak_mb: float
    rss_at_rows: list[tuple[int, float]]  # (rows so far, resident MB): flat means streamed

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def measure_export(*, actor, limit: int | None = None) -> ExportResult:
    """Stream the people export as CSV (the exchange app's column set, selector and CSV
    writer, as its export view does: COPY on PostgreSQL) and read it to the end."""
    from tracing_portal.cases.resources import CaseResource
    from tracing_portal.exchange import selectors
    from tracing_portal.exchange.exporting import (
        CHUNK_ROWS,
        columns_of,
        people_copy_query,
        rendered,
        stream_copy_csv,
        stream_csv,
    )

    columns = columns_of(CaseResource(full_phones=False))
    qs = selectors.people_export_rows(
        actor=actor, filters={}, attributes=[c.attribute for c in columns]
    )
    if limit:
        qs = qs[:limit]
    sent = {}
    size = 0
    samples = []
    with PeakMemory() as memory:
        started = time.perf_counter()
        # A server-side cursor needs a transaction on PostgreSQL (as under a streaming view
        # the cursor is held open WITH HOLD); one read-only transaction here.
        with transaction.atomic():
            done = lambda count, completed: sent.update(count=count, completed=completed)  # noqa: E731
            copy = people_copy_query(actor=actor, filters={}, full_phones=False, limit=limit)
            stream = (
                stream_copy_csv([c.header for c in columns], *copy, done=done)
                if copy
                else stream_csv(
                    [c.header for c in columns],
                    rendered(columns, qs.iterator(chunk_size=CHUNK_ROWS)),
                    done=done,
                )
            )
            for i, chunk in enumerate(stream):
                size += len(chunk)
                if i % 100 == 0:
                    samples.append((i * 1000, rss() / MB))
        seconds = time.perf_counter() - started
    return ExportResult(
        rows=sent.get("count", 0),
        seconds=seconds,
        megabytes=size / MB,
        rss_start_mb=memory.start / MB,
        rss_peak_mb=memory.peak / MB,
        rss_at_rows=samples,
    )


@dataclass
class IngestResult:
    sightings: int
    contacts: int
    candidates: int
    scoring_seconds: float
    store_seconds: float


def _synthetic_page_contacts(*, sightings: int, contacts: int, start: dt.datetime, phones):
    from tracing_portal.bluezone.contract import Contact, Sighting

    rng = random.Random(7)
    per = sightings // contacts
    out = []
    for j in range(contacts):
        n = per + (sightings - per * contacts if j == contacts - 1 else 0)
        t = start + dt.timedelta(minutes=rng.randint(0, 13 * 24 * 60))
        rows = []
        for i in range(n):
            if i and i % 90 == 0:
                t += dt.timedelta(hours=rng.randint(1, 20))  # a new window
            t += dt.timedelta(seconds=rng.randint(5, 20))
            rows.append(Sighting(t=t, rssi=rng.randint(-90, -50)))
        msisdn = phones[j % len(phones)].lstrip("+") if j % 3 == 0 and phones else None
        out.append(Contact(f"bench-{j}", msisdn, "30", rows))
    return out


def measure_ingest(*, case, opened_by, sightings: int = 200_000, contacts: int = 1_000):
    """Score and store a completed trace's contacts as the ingest task does (pages of 500
    contacts through `bluezone.services._store_page`), on a throwaway trace request."""
    from tracing_portal.bluezone import exposure
    from tracing_portal.bluezone.contract import ContactsPage
    from tracing_portal.bluezone.models import IngestState, TraceRequest, TraceState
    from tracing_portal.bluezone.services import _store_page
    from tracing_portal.cases.models import Case

    phones = list(
        Case.objects.filter(province_id=case.province_id)
        .exclude(phone="")
        .values_list("phone", flat=True)[:500]
    )
    now = dt.datetime.now(tz=dt.UTC)
    people = _synthetic_page_contacts(
        sightings=sightings, contacts=contacts, start=now - dt.timedelta(days=14), phones=phones
    )
    pages = [ContactsPage(people[i : i + 500], None) for i in range(0, len(people), 500)]
    threshold = settings.BLUEZONE_CANDIDATE_THRESHOLD_MINUTES

    started = time.perf_counter()
    candidates = 0
    for person in people:
        result = exposure.score([(s.t, s.rssi) for s in person.sightings])
        candidates += result.is_candidate(threshold)
    scoring = time.perf_counter() - started

    trace = TraceRequest.objects.create(
        case=case,
        province_id=case.province_id,
        opened_by=opened_by,
        msisdn=case.phone.lstrip("+"),
        bluezone_id=f"bench-{uuid.uuid4().hex[:12]}",
        status=TraceState.COMPLETED,
        ingest_state=IngestState.PENDING,
    )
    try:
        started = time.perf_counter()
        for page in pages:
            _store_page(trace, page, threshold)
        store = time.perf_counter() - started
        stored = trace.contacts.count()
    finally:
        with transaction.atomic():
            trace.contacts.all().delete()
            trace.delete()
    if stored != contacts:
        raise RuntimeError(f"{stored} contacts stored of {contacts}.")
    return IngestResult(sightings, contacts, candidates, scoring, store)
