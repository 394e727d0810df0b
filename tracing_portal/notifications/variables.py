"""The placeholders a template may use, and their values for one person."""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

VARIABLES = {
    "ho_ten": _("the person's full name"),
    "ma": _("the person's code (HD-000123)"),
    "tinh": _("the province's name"),
    "dau_so": _("the short code the message comes from"),
    "ngay_tiep_xuc": _("the exposure date (dd/mm)"),
    "ma_xac_thuc": _("the Bluezone verification code (given by the trace request)"),
    "het_han": _("when the verification code expires (hh:mm dd/mm)"),
}


def format_value(value) -> str:
    """Dates as Vietnamese texts write them: 21/08, and 10:15 21/08 in local time."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%H:%M %d/%m")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m")
    return "" if value is None else str(value)


def case_values(case, extra: dict | None = None) -> dict[str, str]:
    """Values from the person's record; `extra` (from the caller, e.g. the trace request's
    code) adds to them and wins."""
    values = {"dau_so": settings.SMS_SHORT_CODE}
    if case is not None:
        values.update(
            {
                "ho_ten": case.full_name,
                "ma": case.code,
                "tinh": case.province.short_name if case.province_id else "",
                "ngay_tiep_xuc": case.exposure_date,
            }
        )
    values.update(extra or {})
    return {name: format_value(value) for name, value in values.items() if name in VARIABLES}


# What a template looks like for a made-up person, for the template admin's preview.
SAMPLE_VALUES = {
    "ho_ten": "Nguyễn Thị Hương",
    "ma": "HD-000123",
    "tinh": "Hải Dương",
    "ngay_tiep_xuc": "14/08",
    "ma_xac_thuc": "483920",
    "het_han": "10:15 21/08",
}
