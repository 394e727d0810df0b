from django import forms
from django.utils.translation import gettext_lazy as _

from .types import Denominator


class DashboardForm(forms.Form):
    """The dashboard's query string: shape only; the view resolves defaults and scope."""

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
