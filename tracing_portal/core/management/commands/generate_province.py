"""`manage.py generate_province --preset full`: a province of 1,000,000 people, 100,000
trace requests, 50 million sightings and 63 provinces × 730 days of install figures,
written with PostgreSQL's COPY into the configured database (a benchmark database)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tracing_portal.core.bench.province import PRESETS, GenerationRefused, Generator, vacuum_analyze


class Command(BaseCommand):
    help = (
        "Generate a realistic province into PostgreSQL with COPY: people in chains up to F3, "
        "trace requests, traced contacts with their sightings, install snapshots. "
        "PostgreSQL only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--preset", choices=sorted(PRESETS), default="ci")
        parser.add_argument("--people", type=int, help="override the preset's people")
        parser.add_argument("--traces", type=int, help="override the preset's trace requests")
        parser.add_argument("--sightings", type=int, help="override the preset's sightings")
        parser.add_argument(
            "--snapshot-days", type=int, help="days of install snapshots for each province"
        )
        parser.add_argument("--province", default="30", help="GSO code (default 30, Hải Dương)")
        parser.add_argument("--seed", type=int, default=2020)
        parser.add_argument(
            "--replace",
            action="store_true",
            help="empty the people, tracing, SMS and install tables first (benchmark databases "
            "only)",
        )
        parser.add_argument("--no-vacuum", action="store_true", help="skip VACUUM ANALYZE")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing if the province already has people (for make bench)",
        )

    def handle(self, *args, preset, province, seed, replace, no_vacuum, if_empty, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "generate_province writes with PostgreSQL's COPY and refuses to run on "
                f"{connection.vendor}. Set DATABASE_URL to a PostgreSQL database, e.g. "
                "postgres://postgres@127.0.0.1:54329/scale."
            )
        from tracing_portal.cases.models import Case

        if if_empty and Case.objects.filter(province_id=province).exists():
            self.stdout.write(f"Province {province} already has people; nothing generated.")
            return
        chosen = PRESETS[preset]
        sizes = {
            "people": options.get("people") or chosen.people,
            "traces": options.get("traces") if options.get("traces") is not None else chosen.traces,
            "sightings": options.get("sightings")
            if options.get("sightings") is not None
            else chosen.sightings,
            "snapshot_days": options.get("snapshot_days") or chosen.snapshot_days,
        }
        self.stdout.write(
            f"Generating into {connection.settings_dict['NAME']}: {sizes['people']:,} people, "
            f"{sizes['traces']:,} traces, {sizes['sightings']:,} sightings, 63 × "
            f"{sizes['snapshot_days']} install snapshots"
        )
        started = time.perf_counter()
        generator = Generator(
            **sizes, province_code=province, seed=seed, log=lambda m: self.stdout.write(m)
        )
        try:
            report = generator.run(replace=replace)
        except GenerationRefused as exc:
            raise CommandError(str(exc)) from exc
        if not no_vacuum:
            report.seconds["vacuum analyze"] = vacuum_analyze(log=lambda m: self.stdout.write(m))
        total = time.perf_counter() - started
        for name, count in report.counts.items():
            self.stdout.write(f"  {name}: {count:,}")
        for name, seconds in report.seconds.items():
            self.stdout.write(f"  {name}: {seconds:.1f} s")
        for name, where in report.showcase.items():
            self.stdout.write(f"  {name}: {where}")
        self.stdout.write(self.style.SUCCESS(f"Generated in {total:.0f} s."))
