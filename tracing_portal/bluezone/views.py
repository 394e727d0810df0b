import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView

from tracing_portal.cases.selectors import case_get
from tracing_portal.core.exceptions import ApplicationError

from . import selectors, services
from .client import BluezoneError, parse_webhook, verify_webhook_signature
from .models import TraceState

logger = logging.getLogger(__name__)


class TracingAccessMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = "bluezone.view_tracerequest"


class QueueView(TracingAccessMixin, TemplateView):
    template_name = "bluezone/queue.html"

    def get_context_data(self, **kwargs):
        actor = self.request.user
        page = Paginator(selectors.tracing_queue(actor=actor), 50).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(
            page_obj=page,
            people=page.object_list,
            traces=selectors.trace_list(actor=actor)[:30],
            **kwargs,
        )


class TraceDetailView(TracingAccessMixin, TemplateView):
    template_name = "bluezone/trace_detail.html"

    def get_context_data(self, **kwargs):
        trace = selectors.trace_get(actor=self.request.user, pk=self.kwargs["pk"])
        if not settings.CELERY_BROKER_URL:
            # Without a broker there is no beat to poll Bluezone: looking at the page does.
            try:
                trace = services.trace_refresh_if_due(trace=trace)
            except BluezoneError as exc:
                messages.warning(self.request, str(exc))
        show = self.request.GET.get("show", "candidates")
        page = Paginator(selectors.trace_contacts(trace=trace, show=show), 100).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(
            trace=trace,
            events=trace.events.all(),
            counts=selectors.trace_contact_counts(trace=trace),
            page_obj=page,
            contacts=page.object_list,
            show=show,
            threshold=settings.BLUEZONE_CANDIDATE_THRESHOLD_MINUTES,
            buckets=settings.BLUEZONE_EXPOSURE_BUCKETS,
            code_visible=trace.status == TraceState.CODE_ISSUED
            and self.request.user.has_perm("bluezone.open_trace"),
            **kwargs,
        )


class TraceActionView(TracingAccessMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        trace = selectors.trace_get(actor=request.user, pk=pk)
        try:
            self.act(request, trace)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        except BluezoneError as exc:
            messages.error(request, str(exc))
        return HttpResponseRedirect(trace.get_absolute_url())


class TraceOpenView(TracingAccessMixin, View):
    permission_required = "bluezone.open_trace"
    http_method_names = ["post"]

    def post(self, request, code):
        case = case_get(actor=request.user, code=code)
        try:
            trace = services.trace_request_open(actor=request.user, case=case)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect(request.POST.get("next") or case.get_absolute_url())
        trace.refresh_from_db()
        if trace.status == TraceState.FAILED:
            messages.error(request, trace.error)
        else:
            messages.success(request, _("The trace request for %(code)s is open.") % {"code": code})
        return redirect(trace)


class TraceRefreshView(TraceActionView):
    def act(self, request, trace):
        services.trace_refresh(trace_id=trace.pk, source="portal")


class TraceCancelView(TraceActionView):
    permission_required = "bluezone.open_trace"

    def act(self, request, trace):
        services.trace_request_cancel(actor=request.user, trace=trace)
        messages.success(request, _("The trace request was cancelled."))


class AcceptAllView(TraceActionView):
    permission_required = "bluezone.review_candidate"

    def act(self, request, trace):
        accepted, problems = services.candidates_accept_all(actor=request.user, trace=trace)
        messages.success(request, _("%(n)s candidates accepted.") % {"n": accepted})
        for problem in problems:
            messages.warning(request, problem)


class SendCodeView(TraceActionView):
    permission_required = "notifications.send_sms"

    def act(self, request, trace):
        message = services.trace_send_code_sms(actor=request.user, trace=trace)
        messages.success(
            request,
            _("The code was sent by SMS to %(phone)s.") % {"phone": message.recipient_masked},
        )


class NotifyAcceptedView(TraceActionView):
    permission_required = "notifications.send_sms"

    def act(self, request, trace):
        result = services.trace_notify_accepted(actor=request.user, trace=trace)
        messages.success(
            request,
            _(
                "Exposure notices: %(sent)s queued, %(skipped)s already sent, %(no_phone)s "
                "without a phone, %(capped)s over the daily cap."
            )
            % {
                "sent": result.created,
                "skipped": result.skipped_already_sent,
                "no_phone": result.skipped_no_phone,
                "capped": result.refused_cap,
            },
        )


class CandidateReviewView(TracingAccessMixin, View):
    permission_required = "bluezone.review_candidate"
    http_method_names = ["post"]

    def post(self, request, pk):
        contact = selectors.trace_contact_get(actor=request.user, pk=pk)
        try:
            if request.POST.get("decision") == "accept":
                person = services.candidate_accept(
                    actor=request.user, contact=contact, full_name=request.POST.get("full_name", "")
                )
                messages.success(
                    request,
                    _("Accepted: %(code)s is F%(level)s of %(source)s.")
                    % {
                        "code": person.code,
                        "level": person.level,
                        "source": contact.trace.case.code,
                    },
                )
            else:
                services.candidate_reject(
                    actor=request.user, contact=contact, reason=request.POST.get("reason", "")
                )
                messages.info(request, _("The candidate was rejected."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return HttpResponseRedirect(contact.trace.get_absolute_url() + f"#contact-{contact.pk}")


class LookupRequestView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "bluezone.request_lookup"
    http_method_names = ["post"]

    def post(self, request, code):
        case = case_get(actor=request.user, code=code)
        try:
            lookup = services.lookup_request(actor=request.user, case=case)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            lookup.refresh_from_db()
            if lookup.status == "done":
                messages.success(
                    request,
                    _("Bluezone: installed with this number.")
                    if lookup.installed
                    else _("Bluezone: not installed with this number."),
                )
            else:
                messages.info(
                    request, _("The check was sent to Bluezone; the answer will show here.")
                )
        return redirect(case)


@method_decorator(csrf_exempt, name="dispatch")
class WebhookView(View):
    """Bluezone's signed status hint. Bad signature, stale timestamp or replay: 4xx and
    nothing changes. Otherwise 202 at once; a task reads the state from Bluezone."""

    http_method_names = ["post"]

    def post(self, request):
        body = request.body
        timestamp = request.headers.get("X-Bluezone-Timestamp", "")
        signature = request.headers.get("X-Bluezone-Signature", "")
        if not verify_webhook_signature(
            body=body,
            timestamp=timestamp,
            signature=signature,
            secret=settings.BLUEZONE_WEBHOOK_SECRET,
            tolerance=300,
        ):
            logger.warning("Bluezone webhook refused: bad signature or stale timestamp")
            return JsonResponse({"error": {"code": "bad_signature"}}, status=401)
        try:
            event = parse_webhook(body)
        except BluezoneError:
            return JsonResponse({"error": {"code": "bad_event"}}, status=400)
        try:
            services.webhook_accept(
                bluezone_id=event.id, status=event.status, occurred_at=event.occurred_at
            )
        except ApplicationError as exc:
            code = "replay" if "replay" in exc.message else "unknown_request"
            return JsonResponse({"error": {"code": code}}, status=409 if code == "replay" else 404)
        return JsonResponse({"ok": True}, status=202)
