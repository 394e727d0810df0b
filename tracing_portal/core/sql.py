"""Names for SQL written by hand on hot paths, taken from the models so a renamed table or
column cannot drift from the text: every name quoted for the database in use."""

from django.db import connection


def quoted_table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def quoted_column(model, field_name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(field_name).column)


def quoted_columns(model) -> str:
    """Every concrete column of the model, in field order, comma-separated (as `raw()`
    loads them)."""
    return ", ".join(connection.ops.quote_name(f.column) for f in model._meta.concrete_fields)
