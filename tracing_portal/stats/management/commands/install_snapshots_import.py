from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tracing_portal.core.exceptions import ApplicationError

from ...services import snapshots_import_csv


class Command(BaseCommand):
    help = (
        "Import install figures from a CSV file: province (code or name), date (dd/mm/yyyy "
        "or yyyy-mm-dd), installs, installs_with_phone, smartphone_users. Vietnamese headers "
        "(“Mã tỉnh”, “Tỉnh/Thành phố”, “Ngày”, “Số lượt cài Bluezone”) are understood. If any "
        "row is bad, nothing is saved."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the CSV file (UTF-8)")

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(_("No such file: %(file)s") % {"file": file})
        try:
            with file.open(encoding="utf-8-sig", newline="") as f:
                saved = snapshots_import_csv(file=f, file_name=file.name)
        except UnicodeDecodeError as exc:
            raise CommandError(
                _("%(file)s is not UTF-8 text: save it as “CSV UTF-8”.") % {"file": file}
            ) from exc
        except ApplicationError as exc:
            problems = exc.extra.get("problems")
            if problems:
                lines = "\n".join(f"  {p}" for p in problems)
                raise CommandError(_("Nothing was imported:") + "\n" + lines) from exc
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("Imported %(count)s rows from %(file)s.") % {"count": saved, "file": file.name}
            )
        )
