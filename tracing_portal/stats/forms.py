from django import forms
from django.utils.translation import gettext_lazy as _

from .types import Denominator


class DashboardForm(forms.Form):
    """The dashboard's query string: shape only; the view resolves defaults and scope.

    `on` is the day of the install figures; `date_from`..`date_to` the range of the tracing
    figures (both days included)."""

    on = forms.DateField(
        label=_("Date"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    denominator = forms.ChoiceField(
        label=_("Rate per"),
        choices=Denominator.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    province = forms.CharField(label=_("Province"), required=False, max_length=2)
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    target = forms.DecimalField(
        label=_("Target rate (%)"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
    )

    def clean(self):
        data = super().clean()
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end of the range comes before its start."))
        return data
