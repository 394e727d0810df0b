"""PostgreSQL connection settings the portal relies on for its speed."""

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's settings"),
]


def test_queries_are_not_jit_compiled():
    """The dashboard's figures cross PostgreSQL's JIT cost threshold, and compiling them
    took as long as running them."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
