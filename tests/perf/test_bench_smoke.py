"""The benchmark end to end on the CI preset: generate a small province with COPY, serve it
with gunicorn, load every hot page, the API, an import, an export and an ingestion. A smoke
test of the tooling, not a timing assertion. PostgreSQL only (COPY); skipped on SQLite."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from tracing_portal.bluezone.models import Sighting, TracedContact, TraceRequest
from tracing_portal.cases.models import Case, CaseCodeCounter

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="COPY and the benchmark need PostgreSQL"
)


@pytest.mark.django_db
def test_generator_refuses_sqlite_with_a_clear_message():
    if connection.vendor == "postgresql":
        pytest.skip("runs on SQLite")
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("generate_province", preset="ci")


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_ci_preset_generates_a_consistent_province_and_the_benchmark_runs(tmp_path, capsys):
    call_command(
        "generate_province", preset="ci", people=6_000, traces=150, sightings=60_000,
        snapshot_days=30,
    )  # fmt: skip

    people = Case.objects.filter(province_id="30")
    assert people.count() == 6_000
    assert not people.filter(level=0, source__isnull=False).exists()
    assert not people.filter(level__gt=0, source__isnull=True).exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM cases_case c JOIN cases_case s ON s.id = c.source_id "
            "WHERE c.level <> s.level + 1"
        )
        assert cursor.fetchone()[0] == 0
    assert people.filter(level=3).exists()
    head = people.get(code="HD-000001")
    assert head.contacts.count() == 20
    assert CaseCodeCounter.objects.get(province_id="30").last_number == 6_000
    assert TraceRequest.objects.count() == 150
    assert Sighting.objects.count() == 60_000
    assert TracedContact.objects.filter(is_candidate=True).exists()
    # A person entered after the generation continues the codes.
    from tracing_portal.cases.services import _next_code
    from tracing_portal.geo.models import Province

    with transaction.atomic():
        assert _next_code(Province.objects.get(pk="30")) == "HD-006001"

    results = tmp_path / "bench.json"
    call_command("bench", profile="smoke", json=str(results))
    figures = json.loads(results.read_text())
    names = {run["name"] for run in figures["http"]}
    assert {
        "people list",
        "people search",
        "person page (500-person tree)",
        "dashboard",
        "trace request page",
        "API people list",
    } <= names
    for run in figures["http"]:
        assert run["errors"] == 0, run
        assert run["requests"] > 0, run
    assert figures["other"]["export"]["rows"] == 6_000
    assert figures["other"]["ingest"]["sightings"] == 10_000
    assert "Against the targets" in capsys.readouterr().out
