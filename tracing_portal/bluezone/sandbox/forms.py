import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .population import is_msisdn


def normalise_msisdn(value: str) -> str:
    """0912 345 678, +84912345678 or 84912345678 → 84912345678."""
    digits = re.sub(r"[\s.\-()]", "", value or "")
    if digits.startswith("+"):
        digits = digits[1:]
    if digits.startswith("0"):
        digits = "84" + digits[1:]
    return digits


class PhoneCodeForm(forms.Form):
    msisdn = forms.CharField(
        label=_("Phone number"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("The number this phone registered with Bluezone, e.g. 0912 345 678."),
    )
    code = forms.CharField(
        label=_("Verification code"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}
        ),
        help_text=_("The 6 digits the tracing team gave you."),
    )

    def clean_msisdn(self):
        msisdn = normalise_msisdn(self.cleaned_data["msisdn"])
        if not is_msisdn(msisdn):
            raise forms.ValidationError(_("Enter a Vietnamese mobile number."))
        return msisdn

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not (code.isascii() and code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("The code is 6 digits."))
        return code
