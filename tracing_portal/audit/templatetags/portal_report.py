from django import template

register = template.Library()


@register.filter
def cell(row: dict, column: str):
    """One value of a report row (a dict from .values())."""
    value = row.get(column)
    return "—" if value in (None, "") else value
