"""Number formats of the dashboards, in the active language: "21,52%" and "407.213" in
Vietnamese, "21.52%" and "407,213" in English."""

from django import template
from django.utils import formats, numberformat

register = template.Library()


def format_number(value, decimals: int = 0) -> str:
    """Grouped in threes with the language's separators (Django's Vietnamese format has
    no grouping of its own)."""
    return numberformat.format(
        value,
        formats.get_format("DECIMAL_SEPARATOR"),
        decimal_pos=decimals,
        grouping=3,
        thousand_sep=formats.get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
        use_l10n=True,
    )


@register.filter
def percent(rate):
    """A rate (0.2152) as a percentage with two decimals ("21,52%")."""
    if rate is None or rate == "":
        return "—"
    return format_number(rate * 100, 2) + "%"


@register.filter
def points(change):
    """A change of rate as signed percentage points ("+1,20")."""
    if change is None or change == "":
        return "—"
    return ("+" if change >= 0 else "−") + format_number(abs(change) * 100, 2)


@register.filter
def count(value):
    """A whole number with thousands grouped ("407.213")."""
    if value is None or value == "":
        return "—"
    return format_number(value)
