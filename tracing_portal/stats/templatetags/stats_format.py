"""Number formats of the dashboards, in the active language: "21,52%" and "407.213" in
Vietnamese, "21.52%" and "407,213" in English."""

from django import template
from django.utils import formats, numberformat
from django.utils.translation import gettext as _

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


@register.filter
def share(value):
    """A share (0.5) as a percentage with one decimal ("50,0%")."""
    if value is None or value == "":
        return "—"
    return format_number(value * 100, 1) + "%"


@register.filter
def duration(value):
    """A timedelta in days, hours and minutes ("1 ngày 2 giờ", "3 giờ 20 phút", "45 phút")."""
    if value is None or value == "":
        return "—"
    minutes = round(value.total_seconds() / 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)s min") % {"minutes": minutes}
