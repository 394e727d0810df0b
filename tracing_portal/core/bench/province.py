"""A realistic province written straight into PostgreSQL with COPY.

People come in chains F0 -> F1 -> F2 -> F3 (a contact's level is its source's plus one),
the first F0 heads a chain of exactly 500 people, trace requests go to verified F0s (and to
contacts CDC flagged), completed traces carry their matched contacts scored as the portal
scores them, and every contact's raw sightings are streamed with a binary COPY in bounded
memory. Install snapshots cover the 63 provinces day by day.

Ids are given explicitly (identity sequences are moved past them at the end), so rows can
refer to each other without reading anything back. Each stage commits on its own.
"""

import datetime as dt
import json
import math
import random
import struct
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction

from tracing_portal.bluezone.exposure import configured_buckets

from .people import address, has_phone, mobile_e164, national_id, person_name

UTC = dt.UTC
DAY = 86_400
GAP_SECONDS = None  # read from settings when a generation starts
BIG_TREE = (20, 12, 1)  # the first chain: 20 F1s, 12 F2s under each, one F3 under each F2
NEIGHBOUR_PROVINCES = ["01", "22", "31", "33", "34", "26", "27"]


@dataclass(frozen=True)
class Preset:
    people: int
    traces: int
    sightings: int
    snapshot_days: int


PRESETS = {
    "ci": Preset(people=20_000, traces=500, sightings=200_000, snapshot_days=60),
    "full": Preset(people=1_000_000, traces=100_000, sightings=50_000_000, snapshot_days=730),
}

# When F0s were found: the 2020 summer wave, Hải Dương's wave of early 2021, and the long
# 2021 wave (start, end, share of the chains).
WAVES = [
    (dt.date(2020, 7, 25), dt.date(2020, 9, 5), 0.08),
    (dt.date(2021, 1, 27), dt.date(2021, 3, 15), 0.22),
    (dt.date(2021, 4, 27), dt.date(2021, 6, 30), 0.25),
    (dt.date(2021, 7, 1), dt.date(2021, 10, 31), 0.45),
]
# Mean number of contacts under one person, by the person's level; gives about 8% F0,
# 47% F1, 35% F2 and 10% F3.
CHILDREN_MEAN = {0: 5.9, 1: 0.745, 2: 0.286}
RELATIONS = [("household", 30), ("relative", 12), ("workplace", 22), ("neighbour", 14),
             ("travel", 8), ("healthcare", 4), ("bluezone", 6), ("other", 4)]  # fmt: skip
REJECTIONS = ["Trùng với hồ sơ đã có", "Không liên hệ được, sai số điện thoại",
              "Không phải tiếp xúc gần"]  # fmt: skip
SNAPSHOT_START = dt.date(2020, 4, 18)  # Bluezone's launch


@dataclass
class Report:
    """What was generated and how long each stage took."""

    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    showcase: dict[str, str] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


class GenerationRefused(Exception):
    pass


def _epoch(value: dt.datetime) -> int:
    return int(value.timestamp())


def _at(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, tz=UTC)


def _wave_time(u: float) -> float:
    """The epoch second at fraction `u` (0..1) of all chains, through the waves."""
    u = min(max(u, 0.0), 0.999999)
    acc = 0.0
    for start, end, share in WAVES:
        if u < acc + share:
            frac = (u - acc) / share
            begin = _epoch(dt.datetime.combine(start, dt.time(7), tzinfo=UTC))
            finish = _epoch(dt.datetime.combine(end, dt.time(17), tzinfo=UTC))
            return begin + frac * (finish - begin)
        acc += share
    return _epoch(dt.datetime.combine(WAVES[-1][1], dt.time(17), tzinfo=UTC))


def _children(rng: random.Random, level: int) -> int:
    mean = CHILDREN_MEAN.get(level)
    if not mean:
        return 0
    return int(rng.expovariate(1 / mean) + 0.5)


# --- the chains -------------------------------------------------------------------------


@dataclass(slots=True)
class Person:
    id: int
    level: int
    source: int | None
    created: float  # epoch seconds


def chains(people: int, rng: random.Random) -> Iterator[list[Person]]:
    """Chains in the order they were found, each listed source first (breadth first). The
    first chain has exactly 500 people below its F0. Ids run 1..people."""
    next_id = 1
    expected_chains = max(1, people * 0.08)
    k = 0
    while next_id <= people:
        t0 = _wave_time(k / expected_chains) + rng.uniform(0, 3_600)
        chain = [Person(next_id, 0, None, t0)]
        next_id += 1
        frontier = chain[:]
        for level in range(1, 4):
            generation = []
            for parent in frontier:
                if k == 0:
                    count = BIG_TREE[level - 1]
                else:
                    count = _children(rng, parent.level)
                for _ in range(count):
                    if next_id > people:
                        break
                    when = parent.created + rng.uniform(3_600, 36 * 3_600)
                    generation.append(Person(next_id, level, parent.id, when))
                    next_id += 1
            chain.extend(generation)
            frontier = generation
        k += 1
        yield chain


# --- COPY helpers -----------------------------------------------------------------------


def copy_rows(table: str, columns: list[str], rows) -> int:
    """Stream rows into a table with a text COPY; returns the number of rows."""
    count = 0
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # noqa: S608
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


_PG_EPOCH = 946_684_800  # 2000-01-01 in Unix seconds: the origin of binary timestamps
_SIGHTING = struct.Struct(">hiqiqihiq")
_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_BINARY_TRAILER = struct.pack(">h", -1)


def copy_sightings(
    windows: Iterator[tuple[int, int, int, int, int, int]],
    log: Callable[[str], None] | None = None,
) -> int:
    """Stream sightings with a binary COPY. Each item is one window of evenly spaced
    sightings: (first id, contact id, start epoch second, count, step seconds, rssi)."""
    count = 0
    next_log = 5_000_000
    started = time.perf_counter()
    pack = _SIGHTING.pack
    with connection.cursor() as cursor:
        sql = "COPY bluezone_sighting (id, seen_at, rssi, contact_id) FROM STDIN (FORMAT BINARY)"
        with cursor.cursor.copy(sql) as copy:
            copy.write(_BINARY_HEADER)
            buffer = []
            size = 0
            for first_id, contact_id, start, n, step, rssi in windows:
                t0 = (start - _PG_EPOCH) * 1_000_000
                step_us = step * 1_000_000
                buffer.append(
                    b"".join(
                        [
                            pack(4, 8, first_id + i, 8, t0 + i * step_us, 2, rssi, 8, contact_id)
                            for i in range(n)
                        ]
                    )
                )
                size += n
                count += n
                if size >= 20_000:
                    copy.write(b"".join(buffer))
                    buffer.clear()
                    size = 0
                    if log and count >= next_log:
                        elapsed = time.perf_counter() - started
                        log(f"  {count:,} sightings, {count / elapsed:,.0f}/s")
                        next_log += 5_000_000
            if buffer:
                copy.write(b"".join(buffer))
            copy.write(_BINARY_TRAILER)
    return count


# --- the generator ------------------------------------------------------------------------


@dataclass
class TraceSubject:
    case_id: int
    phone: str
    ready: float  # when the person was verified (epoch)
    level: int


@dataclass
class Generator:
    people: int
    traces: int
    sightings: int
    snapshot_days: int
    province_code: str = "30"
    seed: int = 2020
    log: Callable[[str], None] = print
    report: Report = field(default_factory=Report)

    def __post_init__(self):
        from tracing_portal.geo.models import District, Province

        self.province = Province.objects.get(pk=self.province_code)
        self.districts = list(
            District.objects.filter(province=self.province).values_list("pk", flat=True)
        )
        self.buckets = sorted(configured_buckets(), key=lambda b: -b.min_rssi)
        self.gap = settings.BLUEZONE_WINDOW_GAP_MINUTES * 60
        self.threshold = settings.BLUEZONE_CANDIDATE_THRESHOLD_MINUTES
        self.subjects: list[TraceSubject] = []

    # -- orchestration

    def run(self, *, replace: bool = False) -> Report:
        if connection.vendor != "postgresql":
            raise GenerationRefused(
                "generate_province writes with PostgreSQL's COPY; point DATABASE_URL at a "
                "PostgreSQL database (e.g. postgres://postgres@127.0.0.1:54329/scale)."
            )
        from tracing_portal.cases.models import Case

        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            self._superuser = bool(cursor.fetchone()[0])
        if Case.objects.filter(province=self.province).exists():
            if not replace:
                raise GenerationRefused(
                    f"Province {self.province_code} already has people. Use --replace on a "
                    "benchmark database to empty the people, tracing, SMS and install tables "
                    "first."
                )
            self._stage("empty the tables", self._truncate)
        self.users = self._stage("users", self._users)
        self._stage("people", self._people)
        self._stage("trace requests", self._traces)
        self._stage("traced contacts", self._contacts)
        self._stage("sightings", self._sightings)
        self._stage("install snapshots", self._snapshots)
        self._stage("sequences and statistics", self._finish)
        return self.report

    def _stage(self, name: str, fn):
        self.log(f"{name}...")
        started = time.perf_counter()
        with transaction.atomic():
            if self._superuser:
                # The rows are consistent by construction; without this, every row copied
                # queues a deferred foreign-key check (50 million of them for the sightings).
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = replica")
            result = fn()
        self.report.seconds[name] = time.perf_counter() - started
        self.log(f"{name}: {self.report.seconds[name]:.1f} s")
        return result

    def _truncate(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE cases_case, stats_installsnapshot, notifications_smsmessage "
                "RESTART IDENTITY CASCADE"
            )
            cursor.execute(
                "DELETE FROM cases_casecodecounter WHERE province_id = %s", [self.province_code]
            )

    def _users(self) -> dict[str, int]:
        from .users import bench_users

        return {role: user.pk for role, user in bench_users(self.province).items()}

    # -- people

    def _people(self):
        rng = random.Random(self.seed)
        n0 = self.people * 0.08
        n1 = self.people * 0.47
        # F0s with a phone who are verified get a trace; about one in five twice; the rest
        # of the traces go to F1s that CDC flagged.
        # 15% more subjects than traces are drawn; the extras are dropped at random.
        wanted = self.traces * 1.15
        f0_traced = min(1.0, wanted / max(1.0, n0 * 0.92 * 0.9 * 1.2))
        f1_flagged = max(0.0, wanted - n0 * 0.92 * 0.9 * 1.2) / max(1.0, n1 * 0.92)
        self._flag_odds = (f0_traced, f1_flagged)
        case_columns = [
            "id", "created_at", "updated_at", "code", "level", "f0_status", "status",
            "full_name", "name_folded", "year_of_birth", "sex", "national_id", "phone",
            "address", "relation", "exposure_date", "bluezone_status", "bluezone_checked_at",
            "quarantine", "entering_agency", "verification", "classification_verified_at",
            "identity_verified_at", "rejected_at", "rejection_reason", "verified_at",
            "flagged_for_tracing", "notes", "closed_at", "anonymised_at", "version",
            "classification_verified_by_id", "district_id", "entered_by_id",
            "identity_verified_by_id", "merged_into_id", "province_id", "rejected_by_id",
            "source_id", "facility_id",
        ]  # fmt: skip
        links: list[tuple] = []
        counts = {}
        levels = [0, 0, 0, 0]

        def rows():
            for chain in chains(self.people, rng):
                for person in chain:
                    levels[person.level] += 1
                    row = self._person_row(rng, person)
                    if person.level >= 2 and rng.random() < 0.01:
                        # A second known source: the person met another contact of the chain.
                        other = chain[rng.randrange(len(chain))]
                        if other.id not in (person.id, person.source) and other.level < 3:
                            links.append(
                                (_at(person.created), _at(person.created), "household",
                                 None, person.id, other.id)
                            )  # fmt: skip
                    yield row

        counts["people"] = copy_rows("cases_case", case_columns, rows())
        self._check_chain_rules()
        counts["history"] = self._history()
        counts["links"] = copy_rows(
            "cases_contactlink",
            ["created_at", "updated_at", "relation", "exposure_date", "case_id", "source_id"],
            links,
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO cases_casecodecounter (province_id, last_number) VALUES (%s, %s) "
                "ON CONFLICT (province_id) DO UPDATE SET last_number = EXCLUDED.last_number",
                [self.province_code, self.people],
            )
        self.report.counts.update(counts)
        self.report.counts.update({f"F{i}": n for i, n in enumerate(levels)})
        self.report.showcase["person with a 500-person tree"] = self._code(1)

    def _check_chain_rules(self) -> None:
        """The chain rules, once over everything copied. The people table's triggers check
        them (one set-based check for the COPY), but not under the replica role a superuser
        loads with; the rows are consistent by construction, and this proves it."""
        from tracing_portal.cases.selectors import case_chain_rule_breaches

        breaches = case_chain_rule_breaches(province_id=self.province_code)
        if breaches:
            listed = ", ".join(
                f"{p.code} F{p.level} under {p.source.code} F{p.source.level}" for p in breaches
            )
            raise GenerationRefused(
                "The generated people break the chain rules (a contact is one level below its "
                f"source, in its province): {listed}"
            )

    def _code(self, case_id: int) -> str:
        return f"{self.province.case_prefix}-{case_id:06d}"

    def _history(self) -> int:
        """Each person's history as the services write it: created, then verified twice
        (classification, identity) or rejected; derived from the rows just copied."""
        count = 0
        with connection.cursor() as cursor:
            for kind, version, at, actor, where in [
                ("created", 1, "created_at", "entered_by_id", "TRUE"),
                ("verified_classification", 2, "classification_verified_at",
                 "classification_verified_by_id", "classification_verified_at IS NOT NULL"),
                ("verified_identity", 3, "identity_verified_at", "identity_verified_by_id",
                 "identity_verified_at IS NOT NULL"),
                ("rejected", 2, "rejected_at", "rejected_by_id", "rejected_at IS NOT NULL"),
            ]:  # fmt: skip
                note = "rejection_reason" if kind == "rejected" else "''"
                cursor.execute(
                    "INSERT INTO cases_casehistory (at, kind, version, changes, note, actor_id, "  # noqa: S608
                    f"case_id) SELECT {at}, %s, %s, '{{}}'::jsonb, {note}, {actor}, id "
                    f"FROM cases_case WHERE province_id = %s AND {where} ORDER BY id",
                    [kind, version, self.province_code],
                )
                count += cursor.rowcount
        return count

    def _person_row(self, rng: random.Random, p: Person) -> tuple:
        users = self.users
        male = rng.random() < 0.5
        full_name, folded = person_name(rng, male=male)
        age = min(95, max(0, int(rng.gauss(38, 18))))
        year = 2021 - age
        phone = mobile_e164(p.id) if has_phone(p.id) else ""
        created = _at(p.created)
        police = rng.random() < 0.4
        agency = "police" if police else "cdc"
        entered_by = users["police" if police else "cdc"]
        if p.level == 0:
            f0_status = "confirmed" if rng.random() < 0.8 else "suspected"
            status = rng.choices(["active", "recovered", "deceased"], [45, 53, 2])[0]
            relation, exposure_date, quarantine = "", None, "none"
        else:
            f0_status = ""
            status = "active" if rng.random() < 0.5 else "released"
            relation = rng.choices([r for r, _w in RELATIONS], [w for _r, w in RELATIONS])[0]
            exposure_date = (created - dt.timedelta(days=rng.randint(0, 3))).date()
            quarantine = "home" if rng.random() < 0.6 else "none"
        flagged = False
        traced = False
        if phone and p.level == 0 and p.id == 1:
            traced = True
        elif phone and p.level == 0 and rng.random() < 0.9:
            traced = rng.random() < self._flag_odds[0]
        elif phone and p.level == 1 and rng.random() < self._flag_odds[1]:
            traced = flagged = True
        verification = "verified" if traced else rng.choices(
            ["verified", "pending", "rejected"], [72, 22, 6]
        )[0]  # fmt: skip
        if p.id == 1:
            status = "active"
        classified_at = identity_at = verified_at = rejected_at = None
        classified_by = identity_by = rejected_by = None
        reason = ""
        version = 1
        if verification == "verified":
            classified_at = created + dt.timedelta(hours=rng.uniform(0.5, 12))
            identity_at = created + dt.timedelta(hours=rng.uniform(0.5, 12))
            verified_at = max(classified_at, identity_at)
            classified_by, identity_by = users["cdc"], users["police"]
            version = 3
        elif verification == "rejected":
            rejected_at = created + dt.timedelta(hours=rng.uniform(1, 48))
            rejected_by = users["cdc"]
            reason = rng.choice(REJECTIONS)
            version = 2
        if traced:
            repeats = 2 if (p.level == 0 and rng.random() < 0.2) else 1
            for _ in range(repeats):
                self.subjects.append(TraceSubject(p.id, phone, verified_at.timestamp(), p.level))
        bz = rng.choices(["installed", "not_installed", "unknown"], [30, 35, 35])[0]
        if traced:
            bz = "installed"
        checked = created + dt.timedelta(hours=1) if bz != "unknown" else None
        closed = None
        if status in ("recovered", "released", "deceased"):
            closed = created + dt.timedelta(days=rng.randint(14, 28))
        updated = max(t for t in (created, verified_at, rejected_at, closed) if t is not None)
        return (
            p.id, created, updated, self._code(p.id), p.level, f0_status, status,
            full_name, folded, year, "male" if male else "female",
            national_id(rng, serial=p.id, male=male, year=year, province=self.province_code)
            if age >= 14 and rng.random() < 0.85 else "",
            phone, address(rng), relation, exposure_date, bz, checked, quarantine, agency,
            verification, classified_at, identity_at, rejected_at, reason, verified_at,
            flagged, "", closed, None, version, classified_by, rng.choice(self.districts),
            entered_by, identity_by, None, self.province_code, rejected_by, p.source, None,
        )  # fmt: skip

    # -- traces

    def _traces(self):
        rng = random.Random(self.seed + 1)
        subjects = self.subjects
        if len(subjects) > self.traces:
            # Drop extras at random (never the 500-person chain's F0, listed first).
            drop = set(rng.sample(range(1, len(subjects)), len(subjects) - self.traces))
            subjects = [s for i, s in enumerate(subjects) if i not in drop]
        self.subjects = []
        users = self.users
        trace_columns = [
            "id", "created_at", "updated_at", "msisdn", "idempotency_key", "bluezone_id",
            "status", "verification_code", "code_expires_at", "uploaded_at", "completed_at",
            "sightings_count", "contacts_count", "ingest_state", "ingested_at",
            "last_polled_at", "error", "case_id", "opened_by_id", "province_id",
        ]  # fmt: skip
        # Sightings are shared among completed traces by a skewed weight; the first trace
        # (the 500-person chain's F0) is a big one.
        plans = []
        last_status: dict[int, int] = {}
        for index, subject in enumerate(subjects, start=1):
            last_status[subject.case_id] = index
        for index, subject in enumerate(subjects, start=1):
            opened = subject.ready + rng.uniform(1_800, 36 * 3_600)
            if last_status[subject.case_id] != index:
                status = "expired"  # an earlier try of a person traced twice
            elif index == 1:
                status = "completed"
            else:
                status = rng.choices(
                    ["completed", "expired", "cancelled", "failed", "code_issued"],
                    [90, 4, 2, 2, 2],
                )[0]
            weight = 40.0 if index == 1 else rng.lognormvariate(0, 1.0)
            plans.append((index, subject, opened, status, weight))
        total_weight = sum(w for _i, _s, _o, status, w in plans if status == "completed")
        # Sightings per completed trace, summing exactly to the total asked for.
        shares = {
            i: max(1, round(self.sightings * w / total_weight))
            for i, _s, _o, status, w in plans
            if status == "completed"
        }
        if shares:
            biggest = max(shares, key=shares.__getitem__)
            shares[biggest] = max(1, shares[biggest] + self.sightings - sum(shares.values()))
        self.trace_plans = []
        events: list[tuple] = []
        sms: list[tuple] = []

        def rows():
            for index, subject, opened, status, _weight in plans:
                code = f"{rng.randrange(1_000_000):06d}"
                issued = opened + rng.uniform(2, 30)
                expires = issued + DAY
                uploaded = completed = ingested = None
                n_sightings = n_contacts = None
                ingest = "not_ready"
                timeline = [("opening", opened, "portal")]
                if status != "failed":
                    timeline.append(("code_issued", issued, "webhook"))
                if status == "completed":
                    uploaded = issued + rng.uniform(120, 4 * 3_600)
                    completed = uploaded + rng.uniform(60, 900)
                    ingested = completed + rng.uniform(5, 120)
                    ingest = "done"
                    n_sightings = shares[index]
                    n_contacts = max(1, min(n_sightings, round(n_sightings / 25)))
                    self.trace_plans.append((index, n_contacts, n_sightings, uploaded, completed))
                    timeline += [
                        ("uploaded", uploaded, "webhook"),
                        ("matching", uploaded + 5, "webhook"),
                        ("completed", completed, "webhook"),
                    ]
                elif status in ("expired", "cancelled"):
                    timeline.append(
                        (status, expires if status == "expired" else issued + 600, "poll")
                    )
                for state, when, source in timeline:
                    events.append((state, _at(when), source, index))
                if status != "failed":
                    sms.append(self._code_sms(rng, index, subject, code, issued))
                last = max(t for t in (opened, issued, uploaded, completed, ingested) if t)
                yield (
                    index, _at(opened), _at(last), subject.phone.lstrip("+"),
                    uuid.UUID(int=rng.getrandbits(128)),
                    None if status == "failed" else f"bz-{index:08d}", status,
                    "" if status == "failed" else code,
                    None if status == "failed" else _at(expires),
                    uploaded and _at(uploaded), completed and _at(completed), n_sightings,
                    n_contacts, ingest, ingested and _at(ingested), None,
                    "Bluezone did not answer" if status == "failed" else "",
                    subject.case_id, users["dic"], self.province_code,
                )  # fmt: skip

        self.report.counts["trace requests"] = copy_rows(
            "bluezone_tracerequest", trace_columns, rows()
        )
        self.report.counts["trace events"] = copy_rows(
            "bluezone_traceevent", ["status", "occurred_at", "source", "trace_id"], events
        )
        self.report.counts["SMS"] = copy_rows(
            "notifications_smsmessage",
            ["recipient", "body", "encoding", "segments", "sender", "template_kind", "purpose",
             "status", "provider_id", "attempts", "error", "idempotency_key", "resend_number",
             "with_diacritics", "queued_at", "last_attempt_at", "next_attempt_at", "sent_at",
             "delivered_at", "failed_at", "case_id", "created_by_id", "province_id",
             "resend_of_id", "template_id"],
            sms,
        )  # fmt: skip
        if self.trace_plans:
            self.report.showcase["trace request page"] = (
                f"/tracing/requests/{self.trace_plans[0][0]}/"
            )

    def _code_sms(self, rng, trace_id, subject, code, issued) -> tuple:
        until = _at(issued + DAY)
        body = f"Ma xac thuc Bluezone cua ban la {code}. Ma co hieu luc den {until:%H:%M %d/%m}."
        sent = issued + rng.uniform(1, 5)
        delivered = sent + rng.uniform(2, 40)
        return (
            subject.phone, body, "gsm7", 1, settings.SMS_SHORT_CODE, "verification_code",
            f"trace:{trace_id}", "delivered", f"op-{trace_id}", 1, "",
            f"case:{subject.case_id}:verification_code:trace:{trace_id}", 0, False,
            _at(issued), _at(sent), None, _at(sent), _at(delivered), None, subject.case_id,
            self.users["dic"], self.province_code, None, None,
        )  # fmt: skip

    # -- contacts and sightings

    def _layout(self, trace_id: int, n_contacts: int, n_sightings: int, uploaded: float):
        """The contacts of a completed trace and their windows of sightings, the same on
        every call: [(windows [(start, count, step, rssi)], share)]."""
        rng = random.Random(self.seed * 1_000_003 + trace_id)
        weights = [rng.lognormvariate(0, 1.2) for _ in range(n_contacts)]
        spare = n_sightings - n_contacts
        total = sum(weights)
        shares = [1 + int(spare * w / total) for w in weights]
        shares[max(range(n_contacts), key=weights.__getitem__)] += n_sightings - sum(shares)
        begin = uploaded - 14 * DAY
        contacts = []
        for share in shares:
            parts = 1 if share < 40 else (2 if share < 120 else 3)
            t = begin + rng.uniform(0, 4 * DAY)
            windows = []
            left = share
            for part in range(parts):
                n = left if part == parts - 1 else max(1, left // (parts - part))
                left -= n
                step = rng.randint(5, 20)
                rssi = max(-98, min(-45, int(rng.gauss(-70, 9))))
                start = int(t)
                windows.append((start, n, step, rssi))
                t = start + (n - 1) * step + self.gap + rng.uniform(600, 2 * DAY)
            contacts.append(windows)
        return contacts

    def _bucket(self, rssi: int):
        for bucket in self.buckets:
            if rssi >= bucket.min_rssi:
                return bucket
        return self.buckets[-1]

    def _contacts(self):
        rng = random.Random(self.seed + 2)
        contact_columns = [
            "id", "contact_id", "phone", "province_code", "sightings_count", "first_seen",
            "last_seen", "raw_minutes", "weighted_minutes", "minutes_by_bucket", "windows",
            "is_candidate", "review", "reviewed_at", "reject_reason", "matched_case_id",
            "resulting_case_id", "reviewed_by_id", "trace_id",
        ]  # fmt: skip
        labels = [b.label for b in self.buckets]
        cdc = self.users["cdc"]
        serial = [5_000_000]
        next_id = [0]

        def rows():
            for trace_id, n_contacts, n_sightings, uploaded, completed in self.trace_plans:
                for j, windows in enumerate(
                    self._layout(trace_id, n_contacts, n_sightings, uploaded)
                ):
                    next_id[0] += 1
                    totals = dict.fromkeys(labels, 0.0)
                    shown = []
                    for start, n, step, rssi in windows:
                        minutes = (n - 1) * step / 60
                        label = self._bucket(rssi).label
                        if n > 1:
                            totals[label] += minutes
                        end = start + (n - 1) * step
                        shown.append({
                            "start": _at(start).isoformat(), "end": _at(end).isoformat(),
                            "minutes": round(minutes, 2),
                            "by_bucket": {label: round(minutes, 2)} if n > 1 else {},
                        })  # fmt: skip
                    raw = sum(totals.values())
                    weighted = sum(m * self._weight(label) for label, m in totals.items())
                    weighted = round(weighted, 2)
                    candidate = weighted >= self.threshold
                    matched = None
                    phone = ""
                    if rng.random() < 0.85:
                        if rng.random() < 0.12:
                            other = rng.randint(1, self.people)
                            if has_phone(other):
                                matched = other
                                phone = mobile_e164(other)
                        if not phone:
                            serial[0] += 1
                            phone = mobile_e164(serial[0])
                    review, reviewed_at, reason, resulting, reviewer = (
                        "pending",
                        None,
                        "",
                        None,
                        None,
                    )
                    if candidate:
                        if matched and rng.random() < 0.7:
                            review, resulting = "accepted", matched
                        elif rng.random() < 0.15:
                            review, reason = "rejected", "Không cùng địa điểm"
                        if review != "pending":
                            reviewed_at, reviewer = _at(completed + rng.uniform(600, DAY)), cdc
                    last = windows[-1]
                    yield (
                        next_id[0], f"ct-{trace_id}-{j}", phone,
                        self.province_code
                        if rng.random() < 0.8
                        else rng.choice(NEIGHBOUR_PROVINCES),
                        sum(w[1] for w in windows), _at(windows[0][0]),
                        _at(last[0] + (last[1] - 1) * last[2]), round(raw, 2), weighted,
                        json.dumps({k: round(v, 2) for k, v in totals.items()}),
                        json.dumps(shown), candidate, review, reviewed_at, reason, matched,
                        resulting, reviewer, trace_id,
                    )  # fmt: skip

        self.report.counts["traced contacts"] = copy_rows(
            "bluezone_tracedcontact", contact_columns, rows()
        )

    def _weight(self, label: str) -> float:
        return next(b.weight for b in self.buckets if b.label == label)

    def _sightings(self):
        def windows():
            contact_id = 0
            sighting_id = 1
            for trace_id, n_contacts, n_sightings, uploaded, _completed in self.trace_plans:
                for contact in self._layout(trace_id, n_contacts, n_sightings, uploaded):
                    contact_id += 1
                    for start, n, step, rssi in contact:
                        yield sighting_id, contact_id, start, n, step, rssi
                        sighting_id += n

        self.report.counts["sightings"] = copy_sightings(windows(), log=self.log)

    # -- install snapshots

    def _snapshots(self):
        from tracing_portal.geo.models import Province
        from tracing_portal.stats.models import InstallSnapshot

        rng = random.Random(self.seed + 3)
        days = [SNAPSHOT_START + dt.timedelta(days=i) for i in range(self.snapshot_days)]
        InstallSnapshot.objects.filter(date__range=(days[0], days[-1])).delete()
        now = dt.datetime.now(tz=UTC)
        provinces = list(Province.objects.order_by("code"))

        def rows():
            for province in provinces:
                final = rng.uniform(0.12, 0.42)
                if province.code == self.province_code:
                    final = 0.3
                smartphones = (
                    int(province.population_2019 * rng.uniform(0.5, 0.7))
                    if rng.random() < 0.7
                    else None
                )
                midpoint = rng.uniform(90, 150)
                for i, day in enumerate(days):
                    share = final / (1 + math.exp(-(i - midpoint) / 25))
                    installs = int(province.population_2019 * share)
                    with_phone = int(installs * 0.82)
                    yield (
                        now,
                        now,
                        day,
                        installs,
                        with_phone,
                        smartphones,
                        "backfill",
                        province.code,
                    )

        self.report.counts["install snapshots"] = copy_rows(
            "stats_installsnapshot",
            ["created_at", "updated_at", "date", "installs", "installs_with_phone",
             "smartphone_users", "source", "province_id"],
            rows(),
        )  # fmt: skip

    def _finish(self):
        tables = [
            "cases_case", "cases_casehistory", "cases_contactlink", "bluezone_tracerequest",
            "bluezone_traceevent", "bluezone_tracedcontact", "bluezone_sighting",
            "notifications_smsmessage", "stats_installsnapshot",
        ]  # fmt: skip
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"GREATEST((SELECT max(id) FROM {table}), 1))"
                )


def vacuum_analyze(log: Callable[[str], None] = print) -> float:
    """VACUUM ANALYZE the generated tables (outside a transaction): fresh statistics for the
    planner, and visibility maps for index-only scans."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in [
            "cases_case", "cases_casehistory", "cases_contactlink", "bluezone_tracerequest",
            "bluezone_traceevent", "bluezone_tracedcontact", "notifications_smsmessage",
            "stats_installsnapshot", "bluezone_sighting",
        ]:  # fmt: skip
            cursor.execute(f"VACUUM ANALYZE {table}")
            log(f"vacuum analyze {table}")
    return time.perf_counter() - started
