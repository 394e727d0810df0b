"""PostgreSQL connection settings the portal relies on for its speed."""

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's settings"),
]


def test_repeated_statements_are_prepared_but_planned_for_their_own_values():
    options = connection.settings_dict["OPTIONS"]
    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] == 5
    with connection.cursor() as cursor:
        # A generic plan (which PostgreSQL may pick after five runs of a prepared statement)
        # walks the whole people index for a rare name; each run is planned for its values.
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "force_custom_plan"
        for _ in range(6):
            cursor.execute("SELECT count(*) FROM geo_province WHERE code = %s", ["30"])
            assert cursor.fetchone()[0] == 1
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%FROM geo_province WHERE code = $1%"],
        )
        assert cursor.fetchone()[0] == 1
