from django import forms
from django.utils.translation import gettext_lazy as _

from tracing_portal.cases.models import BluezoneStatus, Level, Verification

from .models import SmsStatus, TemplateKind

# The verification code needs the trace request's code: only the trace request sends it.
PAGE_KINDS = [
    (TemplateKind.INSTALL_REQUEST.value, TemplateKind.INSTALL_REQUEST.label),
    (TemplateKind.REMINDER.value, TemplateKind.REMINDER.label),
    (TemplateKind.EXPOSURE_NOTICE.value, TemplateKind.EXPOSURE_NOTICE.label),
]

DIACRITICS_HELP = _(
    "Off: sent without diacritics (GSM-7, 160 characters a message). On: sent in Unicode "
    "(70 characters a message), usually two or three times the cost."
)


class SendForm(forms.Form):
    template_kind = forms.ChoiceField(label=_("Message"), choices=PAGE_KINDS)
    with_diacritics = forms.BooleanField(
        label=_("Send with diacritics"), required=False, help_text=DIACRITICS_HELP
    )


class IdListField(forms.Field):
    """Many ids posted under one name (the ticked rows of the cases list)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        try:
            return sorted({int(v) for v in values})
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError(_("The selection is not valid.")) from exc


class BulkForm(forms.Form):
    template_kind = forms.ChoiceField(label=_("Message"), choices=PAGE_KINDS)
    with_diacritics = forms.BooleanField(
        label=_("Send with diacritics"), required=False, help_text=DIACRITICS_HELP
    )
    # Ids come from the cases list; the selector keeps them inside the actor's province.
    case_ids = IdListField(required=False)


# The selection's level: one level, or every contact (F1 and beyond) at once.
EVERY_CONTACT = "contacts"


class SelectionFilterForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Level"),
        choices=[("", _("All")), (EVERY_CONTACT, _("Every contact (F1 and beyond)"))]
        + [(str(v), label) for v, label in Level.choices],
        required=False,
    )
    bluezone_status = forms.ChoiceField(
        label=_("Bluezone"),
        choices=[("", _("All"))] + BluezoneStatus.choices,
        required=False,
        initial=BluezoneStatus.NOT_INSTALLED,
    )
    verification = forms.ChoiceField(
        label=_("Verification"),
        choices=[("", _("All"))] + Verification.choices,
        required=False,
        initial=Verification.VERIFIED,
    )
    source_code = forms.CharField(
        label=_("Contacts of (code)"),
        required=False,
        max_length=16,
        help_text=_("e.g. HD-000123: only that person's contacts."),
    )
    # Set by the link from a trace request: the contacts accepted from that trace.
    trace = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class LogFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Code or phone"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All"))] + SmsStatus.choices, required=False
    )
    template_kind = forms.ChoiceField(
        label=_("Message"), choices=[("", _("All"))] + TemplateKind.choices, required=False
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class FiguresFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("date_from")
            and cleaned.get("date_to")
            and cleaned["date_from"] > cleaned["date_to"]
        ):
            raise forms.ValidationError(_("The start date is after the end date."))
        return cleaned
