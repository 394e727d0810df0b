"""The chain rules held by the database, beside the services that keep them: a person with
a source is one level below it (source level + 1), and in the same province. Together they
make a cycle impossible (every step down a chain adds one level, up to F5).

PostgreSQL, two triggers:
- A changed source, level or province: a constraint trigger, DEFERRABLE INITIALLY DEFERRED,
  row by row, so it runs at commit. Re-levelling writes a chain one generation at a time
  and a merge moves contacts before re-levelling them: inside the transaction a chain may
  be half moved; at commit it must be whole. The function re-reads the row as it is by
  then, and after a change of level or province checks the row's direct contacts too.
- New people: once per statement, set-based over the statement's new rows (a transition
  table), when the statement ends. A row-by-row deferred check cost 1.0-2.4 s per 100,000
  rows of an import's COPY; this one is one join, about 0.1 s. The rows of one statement
  may name each other as sources, in any order. A person written before their source
  (foreign keys wait for the commit) marks the transaction, and from its next insert on
  the new rows are also checked as the sources of the people already there.
A broken rule raises SQLSTATE 23000 (IntegrityError) with a message naming the person.

SQLite (the demo) cannot defer a trigger: there each INSERT or UPDATE of a person is
checked at once against its own source. The services write sources before contacts, so
every step they take passes; a source changed while its contacts stay is caught only on
PostgreSQL. SQLite's RAISE takes a fixed message, so it names the rule, not the person.
Django rebuilds a SQLite table for some schema changes, which drops its triggers: a later
migration that does that to cases_case must install them again
(tests/cases/test_chain_rules.py checks they are there).

Records merged into another are out of every chain (the selectors and re-levelling skip
them), so `case_merge` now clears their source; the same is done here for those merged
before. The migration then refuses to go on if a person on file breaks a rule.
"""

from django.db import migrations

_RAISE = """
        IF {bad}.province_id <> {bad}.source_province THEN
            RAISE EXCEPTION '% and its source % are people of different provinces',
                {bad}.code, {bad}.source_code
                USING ERRCODE = 'integrity_constraint_violation',
                      CONSTRAINT = 'case_source_same_province';
        END IF;
        RAISE EXCEPTION '% is F% but its source % is F%: a contact is one level below its source',
            {bad}.code, {bad}.level, {bad}.source_code, {bad}.source_level
            USING ERRCODE = 'integrity_constraint_violation',
                  CONSTRAINT = 'case_level_below_source';
"""

# Row by row, at commit: a person whose source, level or province changed.
UPDATED = r"""
CREATE FUNCTION cases_case_chain_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    me record;
    bad record;
BEGIN
    -- The row as it is now: it may have changed again since this event, or be gone.
    SELECT c.id, c.code, c.level, c.province_id, s.code AS source_code,
           s.level AS source_level, s.province_id AS source_province
      INTO me
      FROM cases_case c LEFT JOIN cases_case s ON s.id = c.source_id
     WHERE c.id = NEW.id;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF me.source_code IS NOT NULL
       AND (me.level <> me.source_level + 1 OR me.province_id <> me.source_province) THEN
""" + _RAISE.format(bad="me") + r"""
    END IF;
    IF TG_OP = 'UPDATE'
       AND (OLD.level <> NEW.level OR OLD.province_id <> NEW.province_id) THEN
        SELECT c.code, c.level, c.province_id, me.code AS source_code,
               me.level AS source_level, me.province_id AS source_province
          INTO bad
          FROM cases_case c
         WHERE c.source_id = me.id
           AND (c.level <> me.level + 1 OR c.province_id <> me.province_id)
         LIMIT 1;
        IF FOUND THEN
""" + _RAISE.format(bad="bad") + r"""
        END IF;
    END IF;
    RETURN NULL;
END
$$
"""

# Once a statement, set-based: the rows it inserted against their sources (a COPY of
# 100,000 people is one join). A row may name a source not written yet (foreign keys are
# checked at commit): the transaction is then marked, and from its next insert on the new
# rows are also checked as the sources of the people already there.
INSERTED = r"""
CREATE FUNCTION cases_case_chain_check_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
    dangling boolean := coalesce(current_setting('cases.chain_dangling', true), '') = 'on';
BEGIN
    IF dangling THEN
        SELECT c.code, c.level, c.province_id, n.code AS source_code,
               n.level AS source_level, n.province_id AS source_province
          INTO bad
          FROM new_people n JOIN cases_case c ON c.source_id = n.id
         WHERE c.level <> n.level + 1 OR c.province_id <> n.province_id
         LIMIT 1;
        IF FOUND THEN
""" + _RAISE.format(bad="bad") + r"""
        END IF;
    END IF;
    SELECT n.code, n.level, n.province_id, s.code AS source_code,
           s.level AS source_level, s.province_id AS source_province, s.id IS NULL AS missing
      INTO bad
      FROM new_people n LEFT JOIN cases_case s ON s.id = n.source_id
     WHERE n.source_id IS NOT NULL
       AND (s.id IS NULL OR n.level <> s.level + 1 OR n.province_id <> s.province_id)
     ORDER BY s.id IS NULL
     LIMIT 1;
    IF FOUND THEN
        IF bad.missing THEN
            PERFORM set_config('cases.chain_dangling', 'on', true);
        ELSE
""" + _RAISE.format(bad="bad") + r"""
        END IF;
    END IF;
    RETURN NULL;
END
$$
"""

POSTGRESQL = [
    UPDATED,
    INSERTED,
    "CREATE TRIGGER cases_case_chain_insert AFTER INSERT ON cases_case "
    "REFERENCING NEW TABLE AS new_people FOR EACH STATEMENT "
    "EXECUTE FUNCTION cases_case_chain_check_inserted()",
    # A save that rewrites the same values (Django's save() sets every column) queues
    # nothing; setting the source to none leaves nothing to check.
    "CREATE CONSTRAINT TRIGGER cases_case_chain_update "
    "AFTER UPDATE OF source_id, level, province_id ON cases_case "
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ("
    "NEW.level <> OLD.level OR NEW.province_id <> OLD.province_id "
    "OR (NEW.source_id IS NOT NULL AND NEW.source_id IS DISTINCT FROM OLD.source_id)) "
    "EXECUTE FUNCTION cases_case_chain_check()",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS cases_case_chain_insert ON cases_case",
    "DROP TRIGGER IF EXISTS cases_case_chain_update ON cases_case",
    "DROP FUNCTION IF EXISTS cases_case_chain_check()",
    "DROP FUNCTION IF EXISTS cases_case_chain_check_inserted()",
]

_SQLITE_CHECK = (
    "SELECT RAISE(ABORT, 'cases_case: a person with a source must be one level below it "
    "and of the same province') FROM cases_case s WHERE s.id = NEW.source_id "
    "AND (s.level + 1 <> NEW.level OR s.province_id <> NEW.province_id);"
)
SQLITE = [
    "CREATE TRIGGER cases_case_chain_insert AFTER INSERT ON cases_case "
    f"WHEN NEW.source_id IS NOT NULL BEGIN {_SQLITE_CHECK} END",
    "CREATE TRIGGER cases_case_chain_update AFTER UPDATE OF source_id, level, province_id "
    f"ON cases_case WHEN NEW.source_id IS NOT NULL BEGIN {_SQLITE_CHECK} END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS cases_case_chain_insert",
    "DROP TRIGGER IF EXISTS cases_case_chain_update",
]

VIOLATIONS = (
    "SELECT c.code, c.level, s.code, s.level, c.province_id, s.province_id "
    "FROM cases_case c JOIN cases_case s ON s.id = c.source_id "
    "WHERE c.level <> s.level + 1 OR c.province_id <> s.province_id "
    "ORDER BY c.id LIMIT 10"
)


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return
    schema_editor.execute(
        "UPDATE cases_case SET source_id = NULL "
        "WHERE merged_into_id IS NOT NULL AND source_id IS NOT NULL"
    )
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(VIOLATIONS)
        broken = cursor.fetchall()
    if broken:
        listed = "; ".join(
            f"{code} F{level} under {source} F{source_level} ({province} / {source_province})"
            for code, level, source, source_level, province, source_province in broken
        )
        raise RuntimeError(
            "People on file break the chain rules (a contact is one level below its source, "
            f"in the same province); fix them before migrating: {listed}"
        )
    for sql in POSTGRESQL if vendor == "postgresql" else SQLITE:
        # No parameters: the function's RAISE formats with %, which must reach PostgreSQL.
        schema_editor.execute(sql, params=None)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = POSTGRESQL_REVERSE
    elif vendor == "sqlite":
        statements = SQLITE_REVERSE
    else:
        return
    for sql in statements:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_level_index_by_time"),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]
