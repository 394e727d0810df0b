"""Trigram indexes for the people search on PostgreSQL (name, code and phone fragments are
matched with LIKE '%…%', which a b-tree cannot serve), and a partial index that counts a
province's live people (merged duplicates left out) from the index alone.

PostgreSQL only: other databases migrate without them. Built CONCURRENTLY, so a large
table stays writable while they build.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

INDEXES = {
    "case_name_trgm": "USING gin (name_folded gin_trgm_ops)",
    "case_code_trgm": "USING gin (code gin_trgm_ops)",
    "case_phone_trgm": "USING gin (phone gin_trgm_ops)",
    # The people list's unfiltered total, counted from the index alone.
    "case_province_live": "(province_id) WHERE merged_into_id IS NULL",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON cases_case {definition}"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("cases", "0001_initial")]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["province", "level", "verified_at"], name="case_verified_f0"
            ),
        ),
        TrigramExtension(),
        migrations.RunPython(create, drop, elidable=False),
    ]
