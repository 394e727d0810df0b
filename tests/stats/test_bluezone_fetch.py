"""Install figures from the Bluezone sandbox, called in-process (no server)."""

import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from tracing_portal.stats import demo
from tracing_portal.stats.models import InstallSnapshot
from tracing_portal.stats.services import snapshots_backfill, snapshots_fetch_from_bluezone
from tracing_portal.stats.tasks import fetch_install_snapshots

LAUNCH = dt.date(2020, 4, 18)  # the sandbox has no figures before Bluezone's launch


@pytest.fixture
def sandbox(settings):
    settings.SITE_URL = "http://testserver"
    settings.BLUEZONE_SANDBOX_TRANSPORT = "wsgi"
    settings.BLUEZONE_BACKOFF_SECONDS = 0.01
    settings.BLUEZONE_SANDBOX_FAULTS = {}
    return settings


def snapshot_figures():
    return sorted(
        InstallSnapshot.objects.values_list(
            "province_id", "date", "installs", "installs_with_phone", "smartphone_users"
        )
    )


def test_fetch_saves_a_days_figures_for_all_63_provinces(db, sandbox):
    day = dt.date(2020, 8, 20)
    assert snapshots_fetch_from_bluezone(on=day) == 63
    assert InstallSnapshot.objects.filter(date=day, source="bluezone_api").count() == 63
    # The sandbox follows the published curve: 19.4 million installs on 20 Aug 2020.
    total = sum(InstallSnapshot.objects.filter(date=day).values_list("installs", flat=True))
    assert total == pytest.approx(19_400_000, rel=0.01)


def test_fetch_of_a_day_without_figures_saves_nothing(db, sandbox):
    assert snapshots_fetch_from_bluezone(on=LAUNCH - dt.timedelta(days=1)) is None
    assert not InstallSnapshot.objects.exists()


def test_backfill_skips_days_without_data_and_is_idempotent(db, sandbox):
    first = snapshots_backfill(
        date_from=LAUNCH - dt.timedelta(days=2), date_to=LAUNCH + dt.timedelta(days=2)
    )
    assert (first.days_saved, first.days_without_data, first.rows_saved) == (3, 2, 189)
    saved = snapshot_figures()
    assert {row[1] for row in saved} == {LAUNCH + dt.timedelta(days=n) for n in range(3)}

    again = snapshots_backfill(
        date_from=LAUNCH - dt.timedelta(days=2), date_to=LAUNCH + dt.timedelta(days=2)
    )
    assert again == first
    assert snapshot_figures() == saved
    assert set(InstallSnapshot.objects.values_list("source", flat=True)) == {"backfill"}


def test_backfill_command_reports_what_it_saved(db, sandbox):
    out = io.StringIO()
    args = ["--from", "2020-04-16", "--to", "2020-04-19"]
    call_command("install_snapshots_backfill", *args, stdout=out)
    call_command("install_snapshots_backfill", *args, stdout=out)
    assert InstallSnapshot.objects.count() == 2 * 63
    assert out.getvalue().count("126") == 2


def test_daily_task_fetches_yesterday_and_today(db, sandbox):
    today = timezone.localdate()
    result = fetch_install_snapshots.delay().get()
    yesterday = today - dt.timedelta(days=1)
    assert result == {yesterday.isoformat(): 63, today.isoformat(): 63}
    assert set(InstallSnapshot.objects.values_list("date", flat=True)) == {yesterday, today}
    fetch_install_snapshots.delay().get()
    assert InstallSnapshot.objects.count() == 126


def test_daily_task_runs_every_morning_in_vietnam():
    entry = settings.CELERY_BEAT_SCHEDULE["stats.fetch_install_snapshots"]
    assert entry["task"] == fetch_install_snapshots.name == "stats.fetch_install_snapshots"
    assert entry["schedule"].hour == {6} and entry["schedule"].minute == {0}
    assert settings.CELERY_TIMEZONE == "Asia/Ho_Chi_Minh"


def test_demo_loads_a_year_in_process_without_a_server_and_twice_is_harmless(db, settings):
    # As in `make run`: the sandbox is configured for HTTP, and no server is running yet.
    settings.BLUEZONE_SANDBOX_TRANSPORT = "http"
    settings.SITE_URL = "http://127.0.0.1:9"
    demo.seed(stdout=io.StringIO())
    days = (demo.DEMO_TO - demo.DEMO_FROM).days + 1
    assert InstallSnapshot.objects.count() == days * 63
    first = snapshot_figures()
    out = io.StringIO()
    demo.seed(stdout=out)
    assert snapshot_figures() == first
    assert "already" in out.getvalue()
