from io import StringIO

from django.core.management import call_command

from tracing_portal.cases.models import Case


def test_bench_import_small_version(db, settings, tmp_path, capsys):
    """The benchmark with 2,000 rows: it checks its own results (levels, sources, no
    duplicates on re-import) and prints its figures; no timing is asserted here."""
    out = StringIO()
    call_command("bench_import", rows=2000, plain_rows=100, keep=True, stdout=out)
    text = out.getvalue()
    with capsys.disabled():
        print("\n" + text)
    assert "2. Import once confirmed" in text and "4. Single pass" in text and "rows/s" in text
    assert "3. Same file again" in text and "0 to create, 2,000 already on file" in text
    assert "Plain django-import-export ModelResource: 100 rows" in text
    people = Case.objects.filter(entered_by__username="bench.import.30")
    assert people.count() == 2000
    assert people.filter(level=0).count() == 160
    assert not people.filter(level__gt=0, source__isnull=True).exists()
    assert people.filter(source__level=0, level=1).count() == 940
