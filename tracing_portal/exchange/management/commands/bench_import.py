"""`manage.py bench_import --rows 100000`: generate a realistic sheet of people, import it
through the portal's import (preview, then the import as a worker runs it) into the
configured database, import it again (nothing may be created twice), then run the first
rows through a plain django-import-export ModelResource and compare."""

import os
import tempfile

from django.contrib.auth.models import Group
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from tracing_portal.accounts.models import Agency, User
from tracing_portal.accounts.roles import Role
from tracing_portal.cases.models import Case
from tracing_portal.geo.models import Province

from ... import services
from ...benchmark import (
    PeakMemory,
    Stopwatch,
    generate_people_xlsx,
    plain_resource_class,
    server_pid,
)
from ...models import ImportJob, ImportKind, ImportStatus

MB = 1024 * 1024


class Command(BaseCommand):
    help = (
        "Benchmark the people import: generate an xlsx file of N people (chains of F0, F1, "
        "F2, F3), import it into the configured database, print rows/s and peak memory, and "
        "compare with a plain django-import-export ModelResource on a smaller N."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument(
            "--plain-rows",
            type=int,
            default=2_000,
            help="rows for the plain django-import-export run (extrapolated); 0 skips it",
        )
        parser.add_argument(
            "--province",
            default="30",
            help="GSO code (default 30, Hải Dương); on a database that already holds people, "
            "choose a province without any (the sheet's people would match them)",
        )
        parser.add_argument("--seed", type=int, default=2020)
        parser.add_argument("--no-reimport", action="store_true", help="skip the second import")
        parser.add_argument(
            "--keep", action="store_true", help="keep the imported people (default: deleted)"
        )

    def handle(self, *args, **options):
        # The benchmark times the import itself, not the Bluezone checks that follow one.
        from tracing_portal.exchange.signals import people_imported

        receivers = people_imported.receivers[:]
        people_imported.receivers.clear()
        people_imported.sender_receivers_cache.clear()
        try:
            self._benchmark(**options)
        finally:
            people_imported.receivers[:] = receivers
            people_imported.sender_receivers_cache.clear()

    def _benchmark(self, *, rows, plain_rows, province, seed, no_reimport, keep, **options):
        if rows < 10:
            raise CommandError("--rows must be at least 10.")
        province = Province.objects.get(pk=province)
        actor = self._bench_user(province)
        out = self.stdout
        db = connection.settings_dict
        out.write(
            f"Database: {connection.vendor} {db.get('NAME')} on {db.get('HOST') or 'local'}"
            f"; {os.cpu_count()} cores"
        )
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, f"bench-{rows}.xlsx")
            with Stopwatch() as sw:
                generated = generate_people_xlsx(
                    path, rows=rows, seed=seed, province_code=province.pk
                )
            size = os.path.getsize(path)
            levels = ", ".join(f"F{k}: {v}" for k, v in sorted(generated.levels.items()))
            out.write(
                f"Generated {rows:,} rows ({levels}) in {sw.seconds:.1f} s: {size / MB:.1f} MB xlsx"
            )
            if Case.objects.filter(entered_by=actor).exists():
                self._clean_up(actor)  # left by an earlier --keep run

            # 1. As a user does it: the preview, then the import once confirmed.
            job = self._job(actor, province, path)
            with Stopwatch() as preview_sw, PeakMemory() as preview_mem:
                job = services.import_job_validate(job_id=job.pk)
            self._check(job, ImportStatus.READY)
            if job.error_rows:
                self._check(job, "no errors")
            out.write(
                f"1. Preview (read and check every row, nothing written): "
                f"{preview_sw.seconds:.2f} s (CPU {preview_sw.cpu_seconds:.2f} s), "
                f"{job.to_create:,} to create, {job.error_rows} with errors; peak memory "
                f"{preview_mem.peak / MB:.0f} MB"
            )
            ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.CONFIRMED)
            confirmed = self._run(job, "2. Import once confirmed (the preview's reading reused, "
                                  "every check against the register made again)")  # fmt: skip
            self._check_result(actor, rows, generated.levels)

            # 2. The same file again: nothing may be created twice.
            if not no_reimport:
                job2 = self._job(actor, province, path)
                with Stopwatch() as again_sw:
                    job2 = services.import_job_validate(job_id=job2.pk)
                self._check(job2, ImportStatus.READY)
                out.write(
                    f"3. Same file again: preview in {again_sw.seconds:.2f} s: {job2.to_create} "
                    f"to create, {job2.unchanged:,} already on file "
                    f"(people on file: {Case.objects.filter(entered_by=actor).count():,})"
                )
                if job2.to_create:
                    raise CommandError("A re-import would create people twice.")
                services.import_job_cancel(actor=actor, job=job2)

            # 3. One pass from the file to committed rows, with no preview before it.
            self._clean_up(actor)
            job3 = self._job(actor, province, path)
            ImportJob.objects.filter(pk=job3.pk).update(status=ImportStatus.CONFIRMED)
            single = self._run(job3, "4. Single pass, file to committed rows (read, validate, "
                               "write, commit) with no preview before it")  # fmt: skip
            self._check_result(actor, rows, generated.levels)
            if plain_rows:
                self._plain(actor, province, tmp, plain_rows, seed, single, rows)
            out.write(
                self.style.SUCCESS(
                    f"Summary: {rows:,} rows; import after the preview {confirmed:.2f} s "
                    f"({rows / confirmed:,.0f} rows/s); single pass {single:.2f} s "
                    f"({rows / single:,.0f} rows/s)."
                )
            )
        if not keep:
            self._clean_up(actor)
            out.write("The imported people were deleted again (use --keep to keep them).")

    def _run(self, job, title: str) -> float:
        out = self.stdout
        with Stopwatch(server_pid()) as sw, PeakMemory() as mem:
            job = services.import_job_run(job_id=job.pk)
        self._check(job, ImportStatus.DONE)
        out.write(f"{title}: {sw.seconds:.2f} s = {job.created_count / sw.seconds:,.0f} rows/s")
        cpu = f"   CPU: this process {sw.cpu_seconds:.2f} s"
        if sw.server_cpu_seconds is not None:
            total = sw.cpu_seconds + sw.server_cpu_seconds
            cpu += (
                f", database server {sw.server_cpu_seconds:.2f} s; together {total:.2f} s, "
                f"the most it takes with the machine to itself ({self._load()})"
            )
        out.write(cpu)
        timings = getattr(job, "timings", {})
        commit = timings.get("transaction", 0) - sum(
            timings.get(step, 0) for step in ("lock", "resolve", "write")
        )
        steps = [(k, v) for k, v in timings.items() if k != "transaction"] + [("commit", commit)]
        out.write("   steps: " + ", ".join(f"{k} {v:.2f} s" for k, v in steps))
        out.write(
            f"   peak memory {mem.peak / MB:.0f} MB resident "
            f"({(mem.peak - mem.start) / MB:+.0f} MB over the {mem.start / MB:.0f} MB before)"
        )
        return sw.seconds

    @staticmethod
    def _load() -> str:
        try:
            return f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        except OSError:
            return "load unknown"

    def _check_result(self, actor, rows, levels):
        created = Case.objects.filter(entered_by=actor).count()
        if created != rows:
            raise CommandError(f"Expected {rows} people created, found {created}.")
        self._check_levels(actor, levels)

    def _bench_user(self, province) -> User:
        user, _created = User.objects.get_or_create(
            username=f"bench.import.{province.pk}",
            defaults={"full_name": "Benchmark", "agency": Agency.POLICE, "province": province},
        )
        user.groups.add(Group.objects.get(name=Role.POLICE))
        return User.objects.get(pk=user.pk)

    def _job(self, actor, province, path) -> ImportJob:
        job = ImportJob.objects.create(
            kind=ImportKind.PEOPLE,
            province=province,
            created_by=actor,
            original_name=os.path.basename(path),
            size_bytes=os.path.getsize(path),
            file_format="xlsx",
        )
        with open(path, "rb") as f:
            job.file.save(os.path.basename(path), File(f), save=True)
        return job

    def _check(self, job, status):
        if job.status != status:
            errors = "; ".join(e["msg"] for e in job.errors[:5])
            raise CommandError(f"Import {job.pk} is {job.status}: {job.message} {errors}")

    def _check_levels(self, actor, expected):
        from django.db.models import Count

        found = dict(
            Case.objects.filter(entered_by=actor)
            .values_list("level")
            .annotate(n=Count("id"))
            .values_list("level", "n")
        )
        if found != expected:
            raise CommandError(f"Levels on file {found} differ from the file's {expected}.")
        orphans = Case.objects.filter(entered_by=actor, level__gt=0, source__isnull=True).count()
        if orphans:
            raise CommandError(f"{orphans} contacts lost their source.")

    def _plain(self, actor, province, tmp, plain_rows, seed, fast_seconds, rows):
        from import_export.formats.base_formats import XLSX

        out = self.stdout
        path = os.path.join(tmp, f"plain-{plain_rows}.xlsx")
        generate_people_xlsx(
            path, rows=plain_rows, seed=seed + 1, title=False, province_code=province.pk
        )
        resource = plain_resource_class(actor=actor, province=province)()
        # Written for real (one savepoint and insert a row), then rolled back: it leaves
        # nothing behind.
        with transaction.atomic(), Stopwatch() as sw, PeakMemory() as mem:
            with open(path, "rb") as f:
                dataset = XLSX().create_dataset(f.read())
            result = resource.import_data(
                dataset, dry_run=False, raise_errors=False, use_transactions=False
            )
            transaction.set_rollback(True)
        plain_rate = plain_rows / sw.seconds
        invalid = result.invalid_rows
        out.write(
            f"Plain django-import-export ModelResource: {plain_rows:,} rows in "
            f"{sw.seconds:.2f} s = {plain_rate:,.0f} rows/s; peak memory {mem.peak / MB:.0f} "
            f"MB. Extrapolated to {rows:,} rows: {rows / plain_rate:,.0f} s."
        )
        if invalid:
            out.write(
                f"  It refused {len(invalid)} rows, e.g. row {invalid[0].number}: "
                f"{invalid[0].error_dict} (Django's default date formats are month first)."
            )
        out.write(
            self.style.SUCCESS(
                f"The portal's single pass is {(rows / fast_seconds) / plain_rate:,.1f}x faster."
            )
        )

    def _clean_up(self, actor):
        with transaction.atomic(), connection.cursor() as cursor:
            ids = "SELECT id FROM cases_case WHERE entered_by_id = %s"
            cursor.execute(f"DELETE FROM cases_casehistory WHERE case_id IN ({ids})", [actor.pk])  # noqa: S608
            cursor.execute(f"DELETE FROM bluezone_lookup WHERE case_id IN ({ids})", [actor.pk])  # noqa: S608
            cursor.execute(
                "UPDATE cases_case SET source_id = NULL WHERE entered_by_id = %s", [actor.pk]
            )
            cursor.execute("DELETE FROM cases_case WHERE entered_by_id = %s", [actor.pk])
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # Each step starts from a table in its steady state: 100,000 dead rows and stale
            # statistics once made the next import's lookups take 10 s instead of 1 s.
            with connection.cursor() as cursor:
                for table in ("cases_case", "cases_casehistory", "stats_peopleday"):
                    cursor.execute(f"VACUUM ANALYZE {table}")
