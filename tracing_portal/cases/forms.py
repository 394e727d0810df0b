import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracing_portal.geo.models import District

from .models import (
    MAX_LEVEL,
    BluezoneStatus,
    Case,
    CaseStatus,
    F0Status,
    Level,
    Quarantine,
    QuarantineFacility,
    Relation,
    Verification,
)
from .phones import parse_vn_mobile
from .selectors import case_base_qs

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PhoneField(forms.CharField):
    """A Vietnamese mobile number as typed, checked here; the service stores it as E.164
    and reports a retired prefix it converted."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 24)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})

    def clean(self, value):
        value = super().clean(value)
        if value:
            parse_vn_mobile(value)
        return value


class CaseForm(forms.ModelForm):
    """The person form. The source is chosen by its code (searched by code, name or
    phone); level comes from the source, or is chosen when the source is unknown."""

    phone = PhoneField(
        label=_("Phone"),
        required=False,
        help_text=_("Mobile number, e.g. 0912 345 678. Retired 11-digit numbers are converted."),
    )
    source_code = forms.CharField(
        label=_("Source case"),
        required=False,
        max_length=16,
        help_text=_("Search by code, name or phone. Leave empty if the source is unknown."),
    )
    level = forms.TypedChoiceField(
        label=_("Level"),
        choices=Level.choices,
        coerce=int,
        initial=0,
        help_text=_("Used only when the source is unknown; otherwise one below the source."),
    )
    confirm_duplicates = forms.BooleanField(
        label=_("This is a different person: create anyway"), required=False
    )

    class Meta:
        model = Case
        fields = [
            "full_name",
            "year_of_birth",
            "sex",
            "national_id",
            "phone",
            "address",
            "district",
            "relation",
            "exposure_date",
            "f0_status",
            "status",
            "bluezone_status",
            "quarantine",
            "facility",
            "flagged_for_tracing",
            "notes",
        ]
        widgets = {"exposure_date": DATE_WIDGET, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        province_id = actor.province_id if not actor.sees_all_provinces else None
        districts = District.objects.order_by("name")
        facilities = QuarantineFacility.objects.order_by("name")
        if province_id:
            districts = districts.filter(province_id=province_id)
            facilities = facilities.filter(province_id=province_id)
        self.fields["district"].queryset = districts
        self.fields["facility"].queryset = facilities
        self.fields["source_code"].widget.attrs.update(
            {"list": "source-options", "autocomplete": "off", "data-source-search": "1"}
        )
        self.fields["year_of_birth"].widget.attrs.update({"min": 1900, "max": timezone.now().year})
        self.fields["national_id"].widget.attrs.update({"inputmode": "numeric"})
        self.fields["f0_status"].required = False
        if self.instance.pk:
            self.fields["level"].initial = self.instance.level
            if self.instance.source_id:
                self.fields["source_code"].initial = self.instance.source.code
            del self.fields["confirm_duplicates"]

    def clean_national_id(self):
        value = self.cleaned_data["national_id"].strip()
        if value and (not value.isdigit() or len(value) not in (9, 12)):
            raise forms.ValidationError(_("A national ID has 9 or 12 digits."))
        return value

    def clean_year_of_birth(self):
        value = self.cleaned_data["year_of_birth"]
        if value is not None and not (1900 <= value <= timezone.now().year):
            raise forms.ValidationError(
                _("Enter a year between 1900 and %(year)s.") % {"year": timezone.now().year}
            )
        return value

    def clean_exposure_date(self):
        value = self.cleaned_data["exposure_date"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The exposure date cannot be in the future."))
        if value and value < datetime.date(2019, 12, 1):
            raise forms.ValidationError(_("The exposure date is before the pandemic began."))
        return value

    def clean_source_code(self):
        code = self.cleaned_data["source_code"].strip().upper()
        if not code:
            return None
        code = code.split()[0]
        source = case_base_qs(actor=self.actor).filter(code=code).first()
        if source is None:
            raise forms.ValidationError(
                _("No person with code %(code)s in your province.") % {"code": code}
            )
        if source.level >= MAX_LEVEL:
            raise forms.ValidationError(
                _("%(code)s is F5, the deepest level tracked.") % {"code": code}
            )
        return source

    def clean(self):
        data = super().clean()
        source = data.get("source_code")
        if source is not None and not data.get("relation"):
            self.add_error("relation", _("Say how the person is related to the source."))
        if data.get("quarantine") == Quarantine.FACILITY and not data.get("facility"):
            self.add_error("facility", _("Choose the quarantine facility."))
        if source is None and data.get("level") == 0 and not data.get("f0_status"):
            data["f0_status"] = F0Status.SUSPECTED
        return data


class ContactForm(forms.Form):
    """The quick "add a contact of this person" form on the person page."""

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    year_of_birth = forms.IntegerField(label=_("Year of birth"), required=False, min_value=1900)
    phone = PhoneField(label=_("Phone"), required=False)
    relation = forms.ChoiceField(label=_("Relation"), choices=Relation.choices)
    exposure_date = forms.DateField(label=_("Exposure date"), required=False, widget=DATE_WIDGET)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)

    def clean_exposure_date(self):
        value = self.cleaned_data["exposure_date"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The exposure date cannot be in the future."))
        return value


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejection"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )


class RelevelForm(forms.Form):
    to = forms.ChoiceField(
        choices=[("f0", _("Tested positive: make F0")), ("negative", _("Tested negative"))]
    )
    f0_status = forms.ChoiceField(choices=F0Status.choices, initial=F0Status.CONFIRMED)


class MergeForm(forms.Form):
    other_code = forms.CharField(
        label=_("Code of the duplicate record to merge into this one"), max_length=16
    )


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Code, name or phone")}),
    )
    level = forms.TypedChoiceField(
        label=_("Level"),
        choices=[("", _("All"))] + Level.choices,
        required=False,
        coerce=int,
        empty_value=None,
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All"))] + CaseStatus.choices, required=False
    )
    verification = forms.ChoiceField(
        label=_("Verification"), choices=[("", _("All"))] + Verification.choices, required=False
    )
    bluezone_status = forms.ChoiceField(
        label=_("Bluezone"), choices=[("", _("All"))] + BluezoneStatus.choices, required=False
    )
    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.none(), required=False
    )
    entering_agency = forms.ChoiceField(label=_("Agency"), required=False)
    date_from = forms.DateField(label=_("Entered from"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("Entered to"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        from tracing_portal.accounts.models import Agency

        self.fields["entering_agency"].choices = [("", _("All"))] + Agency.choices
        districts = District.objects.order_by("name")
        if not actor.sees_all_provinces:
            districts = districts.filter(province_id=actor.province_id)
        self.fields["district"].queryset = districts
