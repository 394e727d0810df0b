import json

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import ListView

from tracing_portal.cases.phones import parse_vn_mobile

from .models import AuditAction
from .selectors import audit_event_list, personal_data_report
from .services import data_report_record


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"), choices=[("", _("All"))] + AuditAction.choices, required=False
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class AuditEventListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    permission_required = "audit.view_auditevent"
    template_name = "audit/auditevent_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.filter_form = AuditFilterForm(self.request.GET or None)
        filters = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        return audit_event_list(actor=self.request.user, filters=filters)

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter_form=self.filter_form, **kwargs)


class DataReportForm(forms.Form):
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=32,
        help_text=_("A Vietnamese mobile number, in any usual form (0912 345 678, +84...)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )

    def clean_phone(self):
        try:
            return parse_vn_mobile(self.cleaned_data["phone"]).e164
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc


REPORT_SECTIONS = [
    ("people", _("People on file with this number (now or before)")),
    ("history", _("Their history")),
    ("lookups", _("Bluezone lookups of this number or these people")),
    ("trace_requests", _("Bluezone trace requests")),
    ("traced_contacts", _("Bluezone contacts (as someone else's contact)")),
    ("sms", _("SMS sent to this number or these people")),
    ("staff_accounts", _("Staff accounts with this number")),
    ("audit_events", _("Audit events about these records")),
]


class DataReportView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Everything held about one phone number, for a data-subject request; on screen or as
    JSON. Posted, so the number stays out of addresses and server logs; every report is
    audited."""

    permission_required = "audit.report_personal_data"
    template_name = "audit/data_report.html"

    def get(self, request):
        return render(request, self.template_name, {"form": DataReportForm()})

    def post(self, request):
        form = DataReportForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form})
        report = personal_data_report(actor=request.user, e164=form.cleaned_data["phone"])
        as_json = request.POST.get("format") == "json"
        data_report_record(actor=request.user, report=report, fmt="json" if as_json else "html")
        if as_json:
            response = HttpResponse(
                json.dumps(report.as_json(), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
                content_type="application/json; charset=utf-8",
            )
            stamp = report.generated_at.strftime("%Y%m%d-%H%M%S")
            response["Content-Disposition"] = f'attachment; filename="data-report-{stamp}.json"'
            response["Cache-Control"] = "no-store"
            return response
        sections = [
            {
                "key": key,
                "label": label,
                "rows": report.sections[key],
                "columns": list(report.sections[key][0]) if report.sections[key] else [],
            }
            for key, label in REPORT_SECTIONS
        ]
        response = render(
            request,
            self.template_name,
            {"form": form, "report": report, "sections": sections},
        )
        response["Cache-Control"] = "no-store"
        return response
