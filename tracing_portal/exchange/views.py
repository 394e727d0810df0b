from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import FileResponse, Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from tracing_portal.core.exceptions import ApplicationError

from . import selectors, services
from .columns import ColumnSet
from .exporting import (
    CHUNK_ROWS,
    columns_of,
    people_copy_query,
    rendered,
    stream_copy_csv,
    stream_csv,
    write_xlsx,
)
from .forms import (
    CandidateFilterForm,
    ExportFormatForm,
    ImportConfirmForm,
    ImportUploadForm,
    MinistryReportForm,
    SnapshotFilterForm,
)

# --- import


class ImportAccessMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = "exchange.import_data"

    def get_job(self):
        return selectors.import_job_get(actor=self.request.user, pk=self.kwargs["pk"])


class ImportView(ImportAccessMixin, View):
    """Step 1: upload. Below the form, the user's recent imports."""

    template_name = "exchange/import.html"

    def _form(self, data=None, files=None):
        actor = self.request.user
        return ImportUploadForm(data, files, kinds=services.import_kinds_for(actor), actor=actor)

    def get(self, request):
        return self._render(self._form())

    def post(self, request):
        form = self._form(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = services.import_job_create(
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    upload=form.cleaned_data["file"],
                    province=form.cleaned_data.get("province"),
                )
            except ApplicationError as exc:
                form.add_error("file", exc.message)
            else:
                return redirect(job)
        return self._render(form, status=400)

    def _render(self, form, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "jobs": selectors.import_job_list(actor=self.request.user),
                "max_mb": settings.EXCHANGE_MAX_UPLOAD_MB,
                "template_kinds": services.import_kinds_for(self.request.user),
            },
            status=status,
        )


class ImportJobView(ImportAccessMixin, View):
    """Steps 2 to 4: the progress, the preview with its errors, the confirmation, the
    result."""

    template_name = "exchange/import_job.html"

    def get(self, request, pk):
        job = self.get_job()
        return render(
            request,
            self.template_name,
            {
                "job": job,
                "confirm_form": ImportConfirmForm(),
                "file_notes": [n["file"] for n in job.notes if "file" in n],
                "row_notes": [n for n in job.notes if "row" in n][:200],
                "errors": job.errors[:200],
                "more_errors": max(job.error_rows - 200, 0),
            },
        )


class ImportJobStatusView(ImportAccessMixin, View):
    """The small JSON the progress bar polls."""

    def get(self, request, pk):
        job = self.get_job()
        return JsonResponse(
            {
                "status": job.status,
                "label": job.get_status_display(),
                "progress": job.progress,
                "active": job.is_active,
                "rows": job.total_rows,
            }
        )


class ImportJobConfirmView(ImportAccessMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        job = self.get_job()
        form = ImportConfirmForm(request.POST)
        form.is_valid()
        try:
            services.import_job_confirm(
                actor=request.user,
                job=job,
                valid_rows_only=form.cleaned_data.get("valid_rows_only", False),
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect(job)


class ImportJobCancelView(ImportAccessMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        job = self.get_job()
        try:
            services.import_job_cancel(actor=request.user, job=job)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect(job)
        messages.info(request, _("The import was cancelled; nothing was imported."))
        return redirect("exchange:import")


class ImportErrorsView(ImportAccessMixin, View):
    """The rows with errors, as they were in the file plus a “Lỗi” column, to fix and
    upload again."""

    def get(self, request, pk, file_format):
        job = self.get_job()
        field = job.error_file if file_format == "xlsx" else job.error_csv
        if not field:
            raise Http404
        services.export_record(
            actor=request.user,
            dataset="import_errors",
            file_format=file_format,
            rows=job.error_rows,
            filters={"job": job.pk},
        )
        return FileResponse(
            field.open("rb"),
            as_attachment=True,
            filename=f"loi-nhap-{job.pk}.{file_format}",
        )


class ImportTemplateView(ImportAccessMixin, View):
    """An empty spreadsheet with the headers of a kind of import."""

    def get(self, request, kind):
        if kind not in dict(services.import_kinds_for(request.user)):
            raise Http404
        resource = services.IMPORTERS[kind].resource_class()
        header = [c.column_name for c in ColumnSet.of(resource).importable().values()]
        out, _rows = write_xlsx(header, [], title=_("Template"))
        return FileResponse(out, as_attachment=True, filename=f"mau-{kind}.xlsx")


# --- export


class ExportView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """An export page: its filters, the format, and for personal data the phone choice.
    POST downloads the file and records the export."""

    permission_required: tuple[str, ...] = ("exchange.export_data",)
    template_name = "exchange/export_form.html"
    dataset = ""
    title = ""
    intro = ""
    filename_stem = ""
    has_phones = False

    def filter_form(self, data=None):
        raise NotImplementedError

    def export(self, *, filters: dict, full_phones: bool):
        """(header, rows, count function)."""
        raise NotImplementedError

    def copy_query(self, *, filters: dict, full_phones: bool) -> tuple[str, list] | None:
        """A COPY statement writing the CSV in PostgreSQL, where the export has one."""
        return None

    def allow_full_phones(self) -> bool:
        return self.has_phones and self.request.user.has_perm("cases.view_full_phone")

    def get(self, request):
        return self._render(
            self.filter_form(), ExportFormatForm(allow_full_phones=self.allow_full_phones())
        )

    def post(self, request):
        filter_form = self.filter_form(request.POST)
        format_form = ExportFormatForm(request.POST, allow_full_phones=self.allow_full_phones())
        if not (filter_form.is_valid() and format_form.is_valid()):
            return self._render(filter_form, format_form, status=400)
        filters = {k: v for k, v in filter_form.cleaned_data.items() if v not in (None, "")}
        full_phones = bool(format_form.cleaned_data.get("full_phones"))
        file_format = format_form.cleaned_data["file_format"]
        header, rows, count = self.export(filters=filters, full_phones=full_phones)
        filename = f"{self.filename_stem}-{timezone.localdate():%Y-%m-%d}.{file_format}"
        actor = request.user

        def done(sent: int, completed: bool) -> None:
            services.export_record(
                actor=actor,
                dataset=self.dataset,
                file_format=file_format,
                rows=sent,
                filters=filters,
                full_phones=full_phones,
                completed=completed,
            )

        if file_format == "csv":
            copy = self.copy_query(filters=filters, full_phones=full_phones)
            stream = (
                stream_copy_csv(header, *copy, done=done)
                if copy
                else stream_csv(header, rows, done=done)
            )
            response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        limit = settings.EXCHANGE_XLSX_MAX_ROWS
        if count() > limit:
            format_form.add_error(
                "file_format",
                _(
                    "More than %(limit)s rows: export them as CSV, or narrow the filter for an "
                    "Excel file."
                )
                % {"limit": f"{limit:,}".replace(",", ".")},
            )
            return self._render(filter_form, format_form, status=400)
        out, sent = write_xlsx(header, rows, title=str(self.title))
        done(sent, True)
        return FileResponse(out, as_attachment=True, filename=filename)

    def _render(self, filter_form, format_form, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "title": self.title,
                "intro": self.intro,
                "filter_form": filter_form,
                "format_form": format_form,
                "action": self.request.path,
            },
            status=status,
        )


class ExportPeopleView(ExportView):
    permission_required = ("exchange.export_data", "cases.view_case")
    dataset = "people"
    title = gettext_lazy("Export people")
    intro = gettext_lazy(
        "The people of your province, with the filters of the people list. Phone numbers "
        "are masked unless you choose full numbers."
    )
    filename_stem = "danh-sach-nguoi"
    has_phones = True

    def filter_form(self, data=None):
        from tracing_portal.cases.forms import CaseFilterForm

        return CaseFilterForm(data, actor=self.request.user)

    def export(self, *, filters, full_phones):
        from tracing_portal.cases.resources import CaseResource

        actor = self.request.user
        columns = columns_of(CaseResource(full_phones=full_phones))
        qs = selectors.people_export_rows(
            actor=actor, filters=filters, attributes=[c.attribute for c in columns]
        )
        return (
            [c.header for c in columns],
            rendered(columns, qs.iterator(chunk_size=CHUNK_ROWS)),
            lambda: selectors.people_export_count(actor=actor, filters=filters),
        )

    def copy_query(self, *, filters, full_phones):
        return people_copy_query(actor=self.request.user, filters=filters, full_phones=full_phones)


class ExportSmsView(ExportView):
    permission_required = ("exchange.export_data", "notifications.view_smsmessage")
    dataset = "sms_log"
    title = gettext_lazy("Export the SMS log")
    intro = gettext_lazy(
        "Messages sent from the short code: when, to whom, their kind and delivery. The text "
        "of the messages is not exported."
    )
    filename_stem = "nhat-ky-tin-nhan"
    has_phones = True

    def filter_form(self, data=None):
        from tracing_portal.notifications.forms import LogFilterForm

        return LogFilterForm(data)

    def export(self, *, filters, full_phones):
        from .resources import SmsMessageResource

        actor = self.request.user
        columns = columns_of(SmsMessageResource(full_phones=full_phones))
        qs = selectors.sms_export_rows(
            actor=actor, filters=filters, attributes=[c.attribute for c in columns]
        )
        return (
            [c.header for c in columns],
            rendered(columns, qs.iterator(chunk_size=CHUNK_ROWS)),
            lambda: selectors.sms_export_count(actor=actor, filters=filters),
        )


class ExportSnapshotsView(ExportView):
    permission_required = ("exchange.export_data", "stats.view_dashboard")
    dataset = "install_snapshots"
    title = gettext_lazy("Export Bluezone install figures")
    intro = gettext_lazy(
        "Daily install figures per province, in the columns the import reads back."
    )
    filename_stem = "luot-cai-bluezone"

    def filter_form(self, data=None):
        return SnapshotFilterForm(data)

    def export(self, *, filters, full_phones):
        from tracing_portal.stats.resources import InstallSnapshotResource

        columns = columns_of(InstallSnapshotResource())
        qs = selectors.snapshot_export_rows(
            attributes=[c.attribute for c in columns],
            date_from=filters.get("date_from"),
            date_to=filters.get("date_to"),
            province=filters.get("province"),
        )
        return (
            [c.header for c in columns],
            rendered(columns, qs.iterator(chunk_size=CHUNK_ROWS)),
            qs.count,
        )


class ExportCandidatesView(ExportView):
    permission_required = ("exchange.export_data", "bluezone.view_tracerequest")
    dataset = "f1_candidates"
    title = gettext_lazy("Export F1 candidates")
    intro = gettext_lazy(
        "The contacts Bluezone found near each traced F0, with how long and how near, and "
        "CDC's review. Phone numbers are masked unless you choose full numbers."
    )
    filename_stem = "ung-vien-f1"
    has_phones = True

    def filter_form(self, data=None):
        return CandidateFilterForm(data)

    def export(self, *, filters, full_phones):
        from .resources import TracedContactResource

        columns = columns_of(TracedContactResource(full_phones=full_phones))
        qs = selectors.candidate_export_rows(
            actor=self.request.user, filters=filters, attributes=[c.attribute for c in columns]
        )
        return (
            [c.header for c in columns],
            rendered(columns, qs.iterator(chunk_size=CHUNK_ROWS)),
            qs.count,
        )


class MinistryReportView(ExportView):
    permission_required = ("exchange.export_data", "cases.view_case")
    dataset = "ministry_report"
    title = gettext_lazy("Daily report for the Ministry")
    intro = gettext_lazy(
        "F0, F1 and F2 entered each day, by district (by their level today), for the days "
        "you choose."
    )
    filename_stem = "bao-cao-ngay"

    def filter_form(self, data=None):
        return MinistryReportForm(data)

    def export(self, *, filters, full_phones):
        from .resources import MINISTRY_REPORT_COLUMNS

        qs = selectors.ministry_daily_counts(
            actor=self.request.user, date_from=filters["date_from"], date_to=filters["date_to"]
        )
        renders = [widget.render for _header, widget in MINISTRY_REPORT_COLUMNS]
        rows = ([r(v) for r, v in zip(renders, row, strict=True)] for row in qs)
        return [h for h, _w in MINISTRY_REPORT_COLUMNS], rows, qs.count


EXPORTS = [
    ("exchange:export_people", ExportPeopleView),
    ("exchange:ministry_report", MinistryReportView),
    ("exchange:export_candidates", ExportCandidatesView),
    ("exchange:export_sms", ExportSmsView),
    ("exchange:export_snapshots", ExportSnapshotsView),
]


class ExportIndexView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "exchange.export_data"

    def get(self, request):
        available = [
            {"url": reverse(name), "title": view.title, "intro": view.intro}
            for name, view in EXPORTS
            if request.user.has_perms(view.permission_required)
        ]
        return render(request, "exchange/export_index.html", {"exports": available})
