import datetime as dt

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracing_portal.geo.models import Province

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
FORMATS = [("xlsx", _("Excel (.xlsx)")), ("csv", _("CSV (UTF-8)"))]


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"))
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_(
            "Excel (.xlsx) or CSV (UTF-8, or Windows-1258). One header row; dates day first "
            "(dd/mm/yyyy)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv,.txt"}),
    )
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.order_by("short_name"), required=False
    )

    def __init__(self, *args, kinds, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds
        if not actor.sees_all_provinces:
            del self.fields["province"]
        limit = settings.EXCHANGE_MAX_UPLOAD_MB
        self.fields["file"].help_text = _(
            "Excel (.xlsx) or CSV (UTF-8, or Windows-1258), up to %(limit)s MB. One header "
            "row; dates day first (dd/mm/yyyy)."
        ) % {"limit": f"{limit:g}"}


class ImportConfirmForm(forms.Form):
    valid_rows_only = forms.BooleanField(
        label=_("Import the valid rows only, and leave out the rows with errors"),
        required=False,
    )


class ExportFormatForm(forms.Form):
    """The choices every export has: the format and, for people, whether phone numbers go
    out in full."""

    file_format = forms.ChoiceField(
        label=_("Format"), choices=FORMATS, initial="xlsx", widget=forms.RadioSelect
    )
    full_phones = forms.BooleanField(
        label=_("Full phone numbers (otherwise masked, 091****678)"),
        required=False,
        help_text=_("Only if the receiver needs to call these people. The choice is recorded."),
    )

    def __init__(self, *args, allow_full_phones: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not allow_full_phones:
            del self.fields["full_phones"]


class DateRangeForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_WIDGET)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data


class SnapshotFilterForm(DateRangeForm):
    province = forms.ModelChoiceField(
        label=_("Province"),
        queryset=Province.objects.order_by("short_name"),
        required=False,
        empty_label=_("All 63 provinces"),
    )


class MinistryReportForm(DateRangeForm):
    MAX_DAYS = 366

    date_from = forms.DateField(label=_("From"), widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("To"), widget=DATE_WIDGET)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["date_to"].initial = today
        self.fields["date_from"].initial = today - dt.timedelta(days=13)

    def clean(self):
        data = super().clean()
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and (last - first).days >= self.MAX_DAYS:
            raise forms.ValidationError(_("Choose at most a year."))
        return data


class CandidateFilterForm(DateRangeForm):
    review = forms.ChoiceField(label=_("Review"), required=False)

    def __init__(self, *args, **kwargs):
        from tracing_portal.bluezone.models import Review

        super().__init__(*args, **kwargs)
        self.fields["review"].choices = [("", _("All"))] + Review.choices
        self.fields["date_from"].label = _("Traces opened from")
