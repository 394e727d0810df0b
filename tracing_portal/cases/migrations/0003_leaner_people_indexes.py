"""Fewer indexes on the people table: each is written on every insert, and a 100,000-row
import paid for 33 of them.

Dropped: the LIKE (varchar_pattern_ops) twins PostgreSQL gets beside every indexed text
column (fragments are searched by trigram, 0002), and the single-column indexes on
province, level, verification and folded name (the province's composite indexes and the
trigram index serve those queries). References that are mostly empty (merged into,
facility, the verifying and rejecting users) are indexed only where set. The code's unique
constraint becomes a named UniqueConstraint, without its LIKE twin.

On PostgreSQL the indexes are changed in place: the generated operations would drop and
re-add seven foreign keys (re-checking every row of a large table) and also drop the partial
index of 0002. Elsewhere (SQLite) the generated operations run as they are.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLE = "cases_case"
# Columns whose unnamed indexes (and LIKE twins) go.
COLUMNS = (
    "classification_verified_by_id",
    "code",
    "district_id",
    "facility_id",
    "identity_verified_by_id",
    "level",
    "merged_into_id",
    "name_folded",
    "national_id",
    "phone",
    "province_id",
    "rejected_by_id",
    "verification",
)
CODE_UNIQUE = "case_code_unique"
KEEP = {"case_province_live"}  # 0002's partial index on province_id
PARTIAL = {
    "merged_into": "case_merged_into",
    "facility": "case_facility",
    "classification_verified_by": "case_classification_verifier",
    "identity_verified_by": "case_identity_verifier",
    "rejected_by": "case_rejected_by",
}
NEW_INDEXES = [
    ("case_phone", '("phone")'),
    ("case_national_id", '("national_id")'),
    ("case_district", '("district_id")'),
    *((name, f'("{field}_id") WHERE "{field}_id" IS NOT NULL') for field, name in PARTIAL.items()),
]
# What 0001 made, for going back: (column, with a LIKE twin).
OLD_INDEXES = [
    ("classification_verified_by_id", False),
    ("district_id", True),
    ("facility_id", False),
    ("identity_verified_by_id", False),
    ("level", False),
    ("merged_into_id", False),
    ("name_folded", True),
    ("national_id", True),
    ("phone", True),
    ("province_id", True),
    ("rejected_by_id", False),
    ("verification", True),
]


def _constraints(schema_editor):
    with schema_editor.connection.cursor() as cursor:
        return schema_editor.connection.introspection.get_constraints(cursor, TABLE)


def postgresql_forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, info in _constraints(schema_editor).items():
        if name in KEEP or name.startswith("case_") or info["primary_key"] or info["foreign_key"]:
            continue
        if info["columns"] == ["code"] and info["unique"]:
            schema_editor.execute(
                f'ALTER TABLE {TABLE} RENAME CONSTRAINT "{name}" TO {CODE_UNIQUE}'
            )
        elif info["index"] and len(info["columns"]) == 1 and info["columns"][0] in COLUMNS:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
    for name, definition in NEW_INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} {definition}")


def postgresql_backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _definition in NEW_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute(
        f"ALTER TABLE {TABLE} RENAME CONSTRAINT {CODE_UNIQUE} TO {TABLE}_code_key"
    )
    for column, like in [("code", True), *OLD_INDEXES]:
        if column != "code":
            name = schema_editor._create_index_name(TABLE, [column])
            schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON {TABLE} ("{column}")')
        if like:
            name = schema_editor._create_index_name(TABLE, [column], suffix="_like")
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON {TABLE} ("{column}" varchar_pattern_ops)'
            )


class ExceptOnPostgreSQL(migrations.SeparateDatabaseAndState):
    """The operations, for the state everywhere and for the database except PostgreSQL."""

    def __init__(self, operations):
        super().__init__(database_operations=operations, state_operations=operations)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)

    def deconstruct(self):
        return self.__class__.__qualname__, [self.database_operations], {}


OPERATIONS = [
    migrations.AlterField(
        model_name="case",
        name="classification_verified_by",
        field=models.ForeignKey(
            blank=True,
            db_index=False,
            null=True,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="+",
            to=settings.AUTH_USER_MODEL,
        ),
    ),
    migrations.AlterField(
        model_name="case",
        name="code",
        field=models.CharField(editable=False, max_length=16, verbose_name="code"),
    ),
    migrations.AlterField(
        model_name="case",
        name="district",
        field=models.ForeignKey(
            blank=True,
            db_index=False,
            null=True,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="+",
            to="geo.district",
            verbose_name="district",
        ),
    ),
    migrations.AlterField(
        model_name="case",
        name="facility",
        field=models.ForeignKey(
            blank=True,
            db_index=False,
            null=True,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="cases",
            to="cases.quarantinefacility",
            verbose_name="quarantine facility",
        ),
    ),
    migrations.AlterField(
        model_name="case",
        name="identity_verified_by",
        field=models.ForeignKey(
            blank=True,
            db_index=False,
            null=True,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="+",
            to=settings.AUTH_USER_MODEL,
        ),
    ),
    migrations.AlterField(
        model_name="case",
        name="level",
        field=models.PositiveSmallIntegerField(
            choices=[(0, "F0"), (1, "F1"), (2, "F2"), (3, "F3"), (4, "F4"), (5, "F5")],
            verbose_name="level",
        ),
    ),
    migrations.AlterField(
        model_name="case",
        name="merged_into",
        field=models.ForeignKey(
            blank=True,
            db_index=False,
            null=True,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="merged_records",
            to="cases.case",
            verbose_name="merged into",
        ),
    ),
    migrations.AlterField(
        model_name="case",
        name="name_folded",
        field=models.CharField(editable=False, max_length=150),
    ),
    migrations.AlterField(
        model_name="case",
        name="national_id",
        field=models.CharField(blank=True, max_length=12, verbose_name="national ID"),
    ),
    migrations.AlterField(
        model_name="case",
        name="phone",
        field=models.CharField(blank=True, max_length=16, verbose_name="phone"),
    ),
    migrations.AlterField(
        model_name="case",
        name="province",
        field=models.ForeignKey(
            db_index=False,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="cases",
            to="geo.province",
            verbose_name="province",
        ),
    ),
    migrations.AlterField(
        model_name="case",
        name="rejected_by",
        field=models.ForeignKey(
            blank=True,
            db_index=False,
            null=True,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="+",
            to=settings.AUTH_USER_MODEL,
        ),
    ),
    migrations.AlterField(
        model_name="case",
        name="verification",
        field=models.CharField(
            choices=[("pending", "Pending"), ("verified", "Verified"), ("rejected", "Rejected")],
            default="pending",
            max_length=10,
            verbose_name="verification",
        ),
    ),
    migrations.AddIndex(
        model_name="case",
        index=models.Index(fields=["phone"], name="case_phone"),
    ),
    migrations.AddIndex(
        model_name="case",
        index=models.Index(fields=["national_id"], name="case_national_id"),
    ),
    migrations.AddIndex(
        model_name="case",
        index=models.Index(fields=["district"], name="case_district"),
    ),
    migrations.AddIndex(
        model_name="case",
        index=models.Index(
            condition=models.Q(("merged_into__isnull", False)),
            fields=["merged_into"],
            name="case_merged_into",
        ),
    ),
    migrations.AddIndex(
        model_name="case",
        index=models.Index(
            condition=models.Q(("facility__isnull", False)),
            fields=["facility"],
            name="case_facility",
        ),
    ),
    migrations.AddIndex(
        model_name="case",
        index=models.Index(
            condition=models.Q(("classification_verified_by__isnull", False)),
            fields=["classification_verified_by"],
            name="case_classification_verifier",
        ),
    ),
    migrations.AddIndex(
        model_name="case",
        index=models.Index(
            condition=models.Q(("identity_verified_by__isnull", False)),
            fields=["identity_verified_by"],
            name="case_identity_verifier",
        ),
    ),
    migrations.AddIndex(
        model_name="case",
        index=models.Index(
            condition=models.Q(("rejected_by__isnull", False)),
            fields=["rejected_by"],
            name="case_rejected_by",
        ),
    ),
    migrations.AddConstraint(
        model_name="case",
        constraint=models.UniqueConstraint(fields=("code",), name="case_code_unique"),
    ),
]


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_search_indexes"),
        ("geo", "0002_load_reference_data"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        ExceptOnPostgreSQL(OPERATIONS),
        migrations.RunPython(postgresql_forwards, postgresql_backwards, elidable=False),
    ]
