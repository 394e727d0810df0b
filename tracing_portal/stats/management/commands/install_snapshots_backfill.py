import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tracing_portal.core.exceptions import ApplicationError

from ...services import snapshots_backfill


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(
            _("“%(value)s” is not a date in the form YYYY-MM-DD.") % {"value": value}
        ) from exc


class Command(BaseCommand):
    help = (
        "Fetch Bluezone's install figures for every day of a range and save them. Days "
        "without figures are skipped; running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", required=True, help="YYYY-MM-DD")

    def handle(self, *args, date_from, date_to, **options):
        first, last = _date(date_from), _date(date_to)
        from tracing_portal.bluezone.client import BluezoneError, get_client

        def progress(day, rows):
            if options["verbosity"] > 1:
                self.stdout.write(f"{day.isoformat()}: {rows if rows is not None else '-'}")

        try:
            with get_client() as client:
                result = snapshots_backfill(
                    date_from=first, date_to=last, client=client, progress=progress
                )
        except (ApplicationError, BluezoneError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("Saved %(rows)s rows for %(days)s days; %(empty)s days had no data.")
                % {
                    "rows": result.rows_saved,
                    "days": result.days_saved,
                    "empty": result.days_without_data,
                }
            )
        )
