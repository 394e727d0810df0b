import datetime
import json
import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.generic import ListView, TemplateView

from tracing_portal.cases.models import BluezoneStatus
from tracing_portal.core.exceptions import ApplicationError

from .forms import (
    PAGE_KINDS,
    BulkForm,
    FiguresFilterForm,
    LogFilterForm,
    SelectionFilterForm,
    SendForm,
)
from .gateways import RECEIPT_MAX_AGE_SECONDS, receipt_signature_ok
from .models import ReceiptStatus, TemplateKind
from .selectors import (
    sms_accepted_from_trace,
    sms_already_sent_counts,
    sms_bulk_selection,
    sms_case_get,
    sms_case_messages,
    sms_delivery_figures,
    sms_message_list,
    sms_selection_trace,
    sms_sent_kinds,
    sms_sent_today,
    sms_template_get,
)
from .services import (
    AlreadySentError,
    ReceiptReplayedError,
    UnknownMessageError,
    default_purpose,
    sms_ask_install,
    sms_receipt_ingest,
    sms_render,
    sms_send,
    sms_send_bulk,
)

logger = logging.getLogger(__name__)


def _person_url(case) -> str:
    try:
        return case.get_absolute_url()
    except NoReverseMatch:
        return reverse("notifications:send", kwargs={"code": case.code})


def _sent_note(message) -> str:
    if message is None:
        return ""
    return _("Already sent on %(when)s (%(status)s). Send again only if it must go once more.") % {
        "when": formats.date_format(timezone.localtime(message.queued_at), "d/m/Y H:i"),
        "status": message.get_status_display(),
    }


def _variants(case, sent: dict | None = None) -> dict:
    """Each kind's text with diacritics, for the page's live preview (sms-counter.js strips
    and counts it as the server will); a kind that cannot be sent carries its reason."""
    out = {}
    for kind, _label in PAGE_KINDS:
        try:
            template = sms_template_get(kind=kind, province_id=case.province_id)
            rendered = sms_render(template=template, case=case, with_diacritics=True)
            out[kind] = {"text": rendered.text}
        except ApplicationError as exc:
            out[kind] = {"error": str(exc.message)}
        out[kind]["sent"] = _sent_note((sent or {}).get(kind))
    return out


def _purposes(trace_id: int | None = None) -> dict[str, str]:
    """Each kind's purpose on the SMS pages. The exposure notice to a trace's accepted
    contacts shares the trace request's purpose ("Notify accepted contacts" on the trace),
    so a person notified there is not notified again from here."""
    purposes = {k: default_purpose(k) for k, _label in PAGE_KINDS}
    if trace_id is not None:
        purposes[TemplateKind.EXPOSURE_NOTICE] = f"trace:{trace_id}"
    return purposes


def _likely_kind(case) -> str:
    if case.bluezone_status != BluezoneStatus.INSTALLED:
        return TemplateKind.INSTALL_REQUEST
    return TemplateKind.EXPOSURE_NOTICE if case.level >= 1 else TemplateKind.REMINDER


class SmsSendView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Send one message to one person, with a preview of the exact text and its length."""

    permission_required = "notifications.send_sms"
    template_name = "notifications/sms_send.html"

    def get(self, request, code):
        case = sms_case_get(actor=request.user, code=code)
        form = SendForm(initial={"template_kind": request.GET.get("kind") or _likely_kind(case)})
        return self._render(case, form)

    def post(self, request, code):
        case = sms_case_get(actor=request.user, code=code)
        form = SendForm(request.POST)
        action = request.POST.get("action", "preview")
        if not form.is_valid() or action not in ("send", "resend"):
            return self._render(case, form)
        kind = form.cleaned_data["template_kind"]
        try:
            message = sms_send(
                actor=request.user,
                case=case,
                template_kind=kind,
                purpose=_purposes(sms_accepted_from_trace(case=case))[kind],
                with_diacritics=form.cleaned_data["with_diacritics"],
                resend=action == "resend",
            )
        except AlreadySentError as exc:
            messages.warning(request, exc.message)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return self._render(case, form)
        else:
            messages.success(
                request,
                _("The message to %(phone)s is queued (%(n)s part(s)).")
                % {"phone": message.recipient_masked, "n": message.segments},
            )
        url = reverse("notifications:send", kwargs={"code": case.code})
        return HttpResponseRedirect(f"{url}?kind={kind}")

    def _render(self, case, form):
        data = form.data if form.is_bound else {}
        kind = data.get("template_kind") or form.initial.get("template_kind")
        kind = kind if kind in dict(PAGE_KINDS) else PAGE_KINDS[0][0]
        with_diacritics = bool(data.get("with_diacritics"))
        preview, preview_error = None, ""
        try:
            template = sms_template_get(kind=kind, province_id=case.province_id)
            preview = sms_render(template=template, case=case, with_diacritics=with_diacritics)
        except ApplicationError as exc:
            preview_error = exc.message
        purposes = _purposes(sms_accepted_from_trace(case=case))
        sent = sms_sent_kinds(case=case, purposes=purposes)
        return render(
            self.request,
            self.template_name,
            {
                "case": case,
                "form": form,
                "kind": kind,
                "preview": preview,
                "preview_error": preview_error,
                "variants": _variants(case, sent),
                "already_sent": _sent_note(sent.get(kind)),
                "history": sms_case_messages(case=case),
                "sent_today": sms_sent_today(actor=self.request.user),
                "cap": settings.SMS_DAILY_CAP_PER_OPERATOR,
                "short_code": settings.SMS_SHORT_CODE,
            },
        )


class SmsSendLookupView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """The log page's "send to one person" box: a code in, that person's send page out."""

    permission_required = "notifications.send_sms"

    def get(self, request):
        case = sms_case_get(actor=request.user, code=request.GET.get("code", "").strip().upper())
        return redirect("notifications:send", code=case.code)


class SmsAskInstallView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """POST from the person's page: text "please install Bluezone" and log the ask."""

    permission_required = "notifications.send_sms"

    def post(self, request, code):
        case = sms_case_get(actor=request.user, code=code)
        try:
            message = sms_ask_install(
                actor=request.user, case=case, resend=bool(request.POST.get("resend"))
            )
        except ApplicationError as exc:
            messages.warning(request, exc.message)
        else:
            messages.success(
                request,
                _("Asked %(code)s to install Bluezone by SMS to %(phone)s.")
                % {"code": case.code, "phone": message.recipient_masked},
            )
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = _person_url(case)
        return HttpResponseRedirect(target)


class SmsBulkView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Send one kind of message to a selection: people matching filters (e.g. every contact
    without Bluezone, or ?trace=<id>: the contacts accepted from a trace request), or the
    ids ticked on the cases list (POSTed as case_ids). A first POST shows what would
    happen; the confirmed POST sends."""

    permission_required = "notifications.send_sms"
    template_name = "notifications/sms_bulk.html"

    def get(self, request):
        if request.GET:
            filter_form = SelectionFilterForm(request.GET)
        else:
            filter_form = SelectionFilterForm(
                initial={"bluezone_status": "not_installed", "verification": "verified"}
            )
        kind = "exposure_notice" if request.GET.get("trace") else "install_request"
        form = BulkForm(initial={"template_kind": kind})
        return self._render(form, filter_form, case_ids=None)

    def post(self, request):
        form = BulkForm(request.POST)
        filter_form = SelectionFilterForm(request.POST)
        if request.POST.get("confirm") != "1":
            # Ticked on the cases list: show the selection and the message before sending.
            try:
                case_ids = form.fields["case_ids"].clean(request.POST.getlist("case_ids"))
            except ValidationError:
                case_ids = []
            form = BulkForm(initial={"template_kind": "install_request", "case_ids": case_ids})
            return self._render(form, filter_form, case_ids=case_ids or None)
        if not form.is_valid() or not filter_form.is_valid():
            return self._render(form, filter_form, case_ids=None)
        case_ids = form.cleaned_data["case_ids"] or None
        kind = form.cleaned_data["template_kind"]
        people = sms_bulk_selection(
            actor=request.user, filters=filter_form.cleaned_data, case_ids=case_ids
        )
        trace = sms_selection_trace(actor=request.user, trace_id=filter_form.cleaned_data["trace"])
        try:
            result = sms_send_bulk(
                actor=request.user,
                cases=people.select_related("province")[: settings.SMS_BULK_MAX + 1],
                template_kind=kind,
                purpose=_purposes(None if case_ids or trace is None else trace.pk)[kind],
                with_diacritics=form.cleaned_data["with_diacritics"],
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return self._render(form, filter_form, case_ids=case_ids)
        messages.success(
            request,
            _(
                "%(created)s message(s) queued. Already sent before: %(already)s. "
                "No phone: %(no_phone)s. Refused by the daily cap: %(cap)s. Other: %(other)s."
            )
            % {
                "created": result.created,
                "already": result.skipped_already_sent,
                "no_phone": result.skipped_no_phone,
                "cap": result.refused_cap,
                "other": result.skipped_other,
            },
        )
        return redirect(f"{reverse('notifications:log')}?template_kind={kind}")

    def _render(self, form, filter_form, *, case_ids):
        filters = filter_form.cleaned_data if filter_form.is_valid() else dict(filter_form.initial)
        people = sms_bulk_selection(actor=self.request.user, filters=filters, case_ids=case_ids)
        trace = None
        if not case_ids:
            trace = sms_selection_trace(actor=self.request.user, trace_id=filters.get("trace"))
        total = people.count()
        with_phone = people.exclude(phone="").count()
        ids = list(people.values_list("pk", flat=True)[: settings.SMS_BULK_MAX])
        already = sms_already_sent_counts(
            case_ids=ids, purposes=_purposes(trace.pk if trace else None)
        )
        sample = list(people.select_related("province")[:20])
        kind = (
            (form.data.get("template_kind") if form.is_bound else None)
            or form.initial.get("template_kind")
            or "install_request"
        )
        preview, preview_error = None, ""
        if sample:
            try:
                template = sms_template_get(kind=kind, province_id=sample[0].province_id)
                preview = sms_render(
                    template=template,
                    case=sample[0],
                    with_diacritics=bool(form.data.get("with_diacritics")),
                )
            except ApplicationError as exc:
                preview_error = exc.message
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "filter_form": filter_form,
                "case_ids": case_ids or [],
                "trace": trace,
                "total": total,
                "with_phone": with_phone,
                "too_many": total > settings.SMS_BULK_MAX,
                "already": [(label, already[k]) for k, label in PAGE_KINDS],
                "bulk_max": settings.SMS_BULK_MAX,
                "sample": sample,
                "preview": preview,
                "preview_error": preview_error,
                "variants": _variants(sample[0]) if sample else {},
                "sent_today": sms_sent_today(actor=self.request.user),
                "cap": settings.SMS_DAILY_CAP_PER_OPERATOR,
            },
        )


class SmsLogView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    permission_required = "notifications.view_smsmessage"
    template_name = "notifications/sms_log.html"
    paginate_by = 50

    def get_queryset(self):
        self.filter_form = LogFilterForm(self.request.GET or None)
        filters = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        return sms_message_list(actor=self.request.user, filters=filters)

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter_form=self.filter_form, **kwargs)


class SmsFiguresView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "notifications.view_sms_figures"
    template_name = "notifications/sms_figures.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        form = FiguresFilterForm(self.request.GET or None)
        data = form.cleaned_data if form.is_valid() else {}
        date_to = data.get("date_to") or today
        date_from = data.get("date_from") or date_to - datetime.timedelta(days=29)
        figures = sms_delivery_figures(
            actor=self.request.user, date_from=date_from, date_to=date_to
        )
        return super().get_context_data(
            form=form, date_from=date_from, date_to=date_to, **figures, **kwargs
        )


def _error(status: int, code: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code}}, status=status)


@csrf_exempt
@require_POST
def receipt_callback(request):
    """The operator's delivery receipt. A bad signature, a stale timestamp or a replay gets
    4xx and changes nothing."""
    timestamp = request.headers.get("X-Sms-Timestamp", "")
    if not timestamp.isdigit() or not receipt_signature_ok(
        secret=settings.SMS_CALLBACK_SECRET,
        timestamp=timestamp,
        signature=request.headers.get("X-Sms-Signature", ""),
        body=request.body,
    ):
        return _error(401, "bad_signature")
    if abs(time.time() - int(timestamp)) > RECEIPT_MAX_AGE_SECONDS:
        return _error(400, "stale_timestamp")
    try:
        data = json.loads(request.body)
        occurred_at = parse_datetime(data["occurred_at"])
        status = data["status"]
        provider_id = str(data["message_id"])
    except (ValueError, KeyError, TypeError):
        return _error(400, "invalid_body")
    if occurred_at is None or timezone.is_naive(occurred_at) or status not in ReceiptStatus.values:
        return _error(400, "invalid_body")
    try:
        sms_receipt_ingest(
            provider_id=provider_id,
            client_ref=str(data.get("client_ref") or ""),
            status=status,
            occurred_at=occurred_at,
            error_code=str(data.get("error_code") or ""),
            payload=data,
        )
    except ReceiptReplayedError:
        return _error(409, "replayed")
    except UnknownMessageError:
        return _error(404, "unknown_message")
    return JsonResponse({"ok": True})
