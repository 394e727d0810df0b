"""`manage.py bench`: measure the portal on a generated province (see generate_province).

gunicorn runs on a free loopback port with DEBUG off; a bounded load generator signs in
as CDC and health-official users (sessions created directly) and as an API token, and
prints p50/p95/p99 and throughput of the hot pages, then the import, export and ingestion
figures and a run of concurrent users. Every loop is bounded in requests and in time.
"""

import json
import os
import platform
import random
import time
from io import StringIO

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tracing_portal.core.bench import load
from tracing_portal.core.bench.load import Request
from tracing_portal.core.bench.measures import measure_export, measure_ingest
from tracing_portal.core.bench.server import Server
from tracing_portal.core.bench.users import bench_users, session_cookie

# (requests per latency scenario, seconds at most, API seconds, soak users, soak seconds)
PROFILES = {
    "smoke": {
        "requests": 10, "seconds": 10, "api_seconds": 3, "users": 5, "soak_seconds": 5,
        "import_rows": 1_000, "export_rows": 10_000, "ingest_sightings": 10_000,
    },
    "full": {
        "requests": 300, "seconds": 60, "api_seconds": 20, "users": 50, "soak_seconds": 120,
        "import_rows": 100_000, "export_rows": 1_000_000, "ingest_sightings": 200_000,
    },
}  # fmt: skip
TARGETS = {
    "people list": ("p95_ms", 150),
    "people search": ("p95_ms", 150),
    "person page (500-person tree)": ("p95_ms", 150),
    "dashboard": ("p95_ms", 300),
    "trace request page": ("p95_ms", 150),
    "API people list": ("throughput_rps", 200),
}


class Command(BaseCommand):
    help = "Benchmark the portal over HTTP on a generated province (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--profile", choices=sorted(PROFILES), default="full")
        parser.add_argument("--province", default="30")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (2-4)")
        parser.add_argument("--json", help="write the figures to this file as JSON")
        parser.add_argument("--skip-import", action="store_true")
        parser.add_argument("--skip-export", action="store_true")
        parser.add_argument("--skip-ingest", action="store_true")
        parser.add_argument("--skip-soak", action="store_true")
        parser.add_argument("--import-rows", type=int, help="default: the profile's")
        parser.add_argument("--export-rows", type=int, help="default: the profile's")
        parser.add_argument("--ingest-sightings", type=int, help="default: the profile's")
        parser.add_argument("--only", help="comma-separated scenario names to run (HTTP)")

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark runs on PostgreSQL (see generate_province).")
        from tracing_portal.cases.models import Case
        from tracing_portal.geo.models import Province

        profile = PROFILES[opts["profile"]]
        for name in ("import_rows", "export_rows", "ingest_sightings"):
            if opts.get(name) is None:
                opts[name] = profile[name]
        province = Province.objects.get(pk=opts["province"])
        people = Case.objects.filter(province=province).count()
        if not people:
            raise CommandError("No people on file: run `manage.py generate_province` first.")
        self.results: dict = {"machine": machine(), "people": people, "http": [], "other": {}}
        self.out(f"{self.results['machine']}; {people:,} people in province {province.pk}")
        users = bench_users(province)
        self.sections(profile, province, users, opts)
        self.report()
        if opts.get("json"):
            with open(opts["json"], "w") as f:
                json.dump(self.results, f, indent=2, default=str)

    def out(self, text: str = "") -> None:
        self.stdout.write(text)
        self.stdout.flush()

    # -- the runs

    def sections(self, profile, province, users, opts):
        scenarios = self.scenarios(province, users)
        only = set(filter(None, (opts.get("only") or "").split(",")))
        with Server(workers=opts["workers"], env={"API_THROTTLE_RATE": "100000/s"}) as server:
            self.out(f"gunicorn: {opts['workers']} workers on {server.base_url}")
            for name, requests, kind in scenarios:
                if only and name not in only:
                    continue
                if kind == "throughput":
                    result = load.run(
                        name,
                        server.base_url,
                        requests,
                        concurrency=4,
                        max_requests=100_000,
                        max_seconds=profile["api_seconds"],
                        warmup=8,
                    )
                else:
                    result = load.run(
                        name,
                        server.base_url,
                        requests,
                        concurrency=1,
                        max_requests=profile["requests"],
                        max_seconds=profile["seconds"],
                        warmup=min(5, len(requests)),
                    )
                self.record(result)
            if not opts["skip_soak"] and (not only or "soak" in only):
                mixed = [r for _name, requests, _kind in scenarios for r in requests]
                result = load.run(
                    f"{profile['users']} concurrent users",
                    server.base_url,
                    mixed,
                    concurrency=profile["users"],
                    max_requests=1_000_000,
                    max_seconds=profile["soak_seconds"],
                    think=(0.5, 1.5),
                )
                self.record(result)
        if not opts["skip_import"]:
            self.run_import(opts)
        if not opts["skip_export"]:
            self.run_export(users["cdc"], opts["export_rows"])
        if not opts["skip_ingest"]:
            self.run_ingest(province, users, opts["ingest_sightings"])

    def record(self, result: load.Result):
        summary = result.summary()
        # Other work on the machine skews every figure: the 1-minute load average says how
        # busy it was (2 cores: above 2 means the benchmark shared them).
        summary["load_1m"] = round(os.getloadavg()[0], 1)
        self.results["http"].append(summary)
        self.out(
            f"{summary['name']:<34} n={summary['requests']:>6} err={summary['errors']:<3} "
            f"p50={summary['p50_ms']:>7.1f} ms  p95={summary['p95_ms']:>7.1f} ms  "
            f"p99={summary['p99_ms']:>7.1f} ms  {summary['throughput_rps']:>7.1f} req/s  "
            f"(load {summary['load_1m']})"
        )
        for problem in result.errors[:5]:
            self.out(f"    error: {problem}")

    def scenarios(self, province, users):
        from tracing_portal.bluezone.models import TraceRequest
        from tracing_portal.cases.models import Case

        cdc = _cookie(users["cdc"])
        official = _cookie(users["official"])
        rng = random.Random(2020)
        people = Case.objects.filter(province=province)
        sample_ids = [
            rng.randint(1, people.order_by("-id").values_list("id", flat=True)[0])
            for _ in range(40)
        ]
        sample = list(
            people.filter(id__in=sample_ids).values("code", "full_name", "name_folded", "phone")
        )
        districts = list(province.districts.values_list("pk", flat=True))
        lists = [
            "/cases/",
            "/cases/?page=2",
            "/cases/?page=40",
            "/cases/?level=0",
            "/cases/?level=1&verification=verified",
            "/cases/?verification=pending",
            "/cases/?status=active&level=2",
            "/cases/?bluezone_status=installed",
            "/cases/?date_from=2021-08-01&date_to=2021-08-31",
            "/cases/?level=3&verification=rejected",
        ] + [f"/cases/?district={d}" for d in districts[:6]]
        searches = []
        for person in sample[:30]:
            folded = person["name_folded"].split()
            searches += [
                f"/cases/?q={person['full_name']}",
                f"/cases/?q={folded[0]} {folded[-1]}",
                f"/cases/?q={folded[-1]}",
                f"/cases/?q={person['code']}",
            ]
            if person["phone"]:
                searches.append(f"/cases/?q=0{person['phone'][3:]}")
        head = people.order_by("id").first()
        traces = list(
            TraceRequest.objects.filter(province=province, status="completed")
            .order_by("id")
            .values_list("pk", flat=True)[:20]
        )
        trace_urls = [f"/tracing/requests/{pk}/" for pk in traces[:10]] + [
            f"/tracing/requests/{traces[0]}/?show=others" if traces else "/tracing/"
        ]
        api = self.api_headers(users["cdc"])
        return [
            ("people list", [Request(u, cdc) for u in lists], "latency"),
            ("people search", [Request(u, cdc) for u in searches], "latency"),
            ("person page (500-person tree)", [Request(head.get_absolute_url(), cdc)], "latency"),
            (
                "dashboard",
                # The default view (the last 30 days) and a month of the generated wave.
                [
                    Request(u, official)
                    for u in ("/stats/", "/stats/?date_from=2021-08-01&date_to=2021-08-31")
                ],
                "latency",
            ),
            ("trace request page", [Request(u, cdc) for u in trace_urls], "latency"),
            (
                "API people list",
                [Request(u, api) for u in ("/api/v1/people/", "/api/v1/people/?level=1")],
                "throughput",
            ),
        ]

    def api_headers(self, user) -> dict:
        from tracing_portal.accounts.models import User
        from tracing_portal.api.services import api_token_issue

        admin, _created = User.objects.get_or_create(
            username="bench.national",
            defaults={"full_name": "Benchmark", "agency": "health", "is_superuser": True},
        )
        issued = api_token_issue(actor=admin, user=user, name="benchmark")
        return {"Authorization": f"Bearer {issued.token}"}

    def run_import(self, opts):
        buffer = StringIO()
        started = time.perf_counter()
        try:
            call_command(
                "bench_import",
                rows=opts["import_rows"],
                plain_rows=0,
                no_reimport=True,
                stdout=buffer,
            )
        except Exception as exc:  # noqa: BLE001 - another app's command: report, go on
            self.out(f"import: bench_import failed or is missing ({exc})")
            self.results["other"]["import"] = {"error": str(exc)}
            return
        seconds = time.perf_counter() - started
        lines = [line for line in buffer.getvalue().splitlines() if line.strip()]
        self.out(f"import of {opts['import_rows']:,} rows (manage.py bench_import):")
        for line in lines:
            self.out(f"    {line}")
        self.results["other"]["import"] = {"lines": lines, "seconds": round(seconds, 1)}

    def run_export(self, actor, rows):
        try:
            result = measure_export(actor=actor, limit=rows)
        except (ImportError, AttributeError) as exc:  # the exchange app's writer changed
            self.out(f"export: the exchange app's CSV writer is not available ({exc})")
            self.results["other"]["export"] = {"error": str(exc)}
            return
        figures = {
            "rows": result.rows,
            "seconds": round(result.seconds, 2),
            "rows_per_second": round(result.rows_per_second),
            "megabytes": round(result.megabytes, 1),
            "rss_start_mb": round(result.rss_start_mb),
            "rss_peak_mb": round(result.rss_peak_mb),
        }
        self.results["other"]["export"] = figures
        self.out(
            f"CSV export: {result.rows:,} rows in {result.seconds:.1f} s = "
            f"{result.rows_per_second:,.0f} rows/s, {result.megabytes:.0f} MB; resident "
            f"memory {result.rss_start_mb:.0f} MB before, {result.rss_peak_mb:.0f} MB at peak"
        )

    def run_ingest(self, province, users, sightings):
        from tracing_portal.cases.models import Case

        case = Case.objects.filter(province=province, level=0).exclude(phone="").order_by("id")[0]
        result = measure_ingest(
            case=case,
            opened_by=users["dic"],
            sightings=sightings,
            contacts=max(1, sightings // 200),
        )
        self.results["other"]["ingest"] = {
            "sightings": result.sightings,
            "contacts": result.contacts,
            "candidates": result.candidates,
            "scoring_seconds": round(result.scoring_seconds, 2),
            "score_and_store_seconds": round(result.store_seconds, 2),
        }
        self.out(
            f"Bluezone ingestion: {result.sightings:,} sightings of {result.contacts:,} contacts "
            f"scored in {result.scoring_seconds:.2f} s; scored and stored (_store_page) in "
            f"{result.store_seconds:.2f} s; {result.candidates} candidates"
        )

    def report(self):
        self.out()
        self.out("Against the targets:")
        for summary in self.results["http"]:
            target = TARGETS.get(summary["name"])
            if not target:
                if summary["name"].endswith("concurrent users"):
                    verdict = "met" if summary["errors"] == 0 else "MISSED"
                    self.out(f"  {summary['name']}: {summary['errors']} errors — {verdict}")
                continue
            key, limit = target
            value = summary[key]
            met = value <= limit if key.endswith("_ms") else value >= limit
            self.out(f"  {summary['name']}: {key} {value} (target {limit}) — {_verdict(met)}")
        export = self.results["other"].get("export")
        if export:
            met = export["rows_per_second"] >= 100_000
            rate = export["rows_per_second"]
            self.out(f"  CSV export: {rate:,} rows/s (target 100,000) — {_verdict(met)}")
        ingest = self.results["other"].get("ingest")
        if ingest:
            met = ingest["scoring_seconds"] <= 3
            self.out(
                f"  {ingest['sightings']:,} sightings scored in {ingest['scoring_seconds']} s "
                f"(target 3 s) — {_verdict(met)}"
            )


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def _cookie(user) -> dict:
    name, key = session_cookie(user)
    return {"Cookie": f"{name}={key}"}


def machine() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    memory = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            memory = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores{memory}, Python {platform.python_version()}, PostgreSQL {version}"
    )
