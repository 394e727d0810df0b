from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from tracing_portal.core.exceptions import ApplicationError
from tracing_portal.core.pagination import DEFAULT_COUNT_CAP, CappedPaginator

from . import selectors, services
from .charts import chain_figure
from .forms import CaseFilterForm, CaseForm, ContactForm, MergeForm, RejectForm, RelevelForm
from .models import Case
from .phones import parse_vn_mobile
from .services import StaleEditError


class CaseAccessMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = "cases.view_case"

    def get_case(self) -> Case:
        return selectors.case_get(actor=self.request.user, code=self.kwargs["code"])


def _flash(request, result_messages):
    for text in result_messages:
        messages.info(request, text)


class CaseListView(CaseAccessMixin, TemplateView):
    template_name = "cases/case_list.html"
    paginate_by = 50
    count_cap = DEFAULT_COUNT_CAP  # the list counts at most this many people exactly

    def get_context_data(self, **kwargs):
        actor = self.request.user
        form = CaseFilterForm(self.request.GET or None, actor=actor)
        filters = form.cleaned_data if form.is_valid() else {}
        qs = selectors.case_list(actor=actor, filters=filters)
        page = CappedPaginator(qs, self.paginate_by, cap=self.count_cap).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(
            filter_form=form, page_obj=page, people=page.object_list, **kwargs
        )


class CaseDetailView(CaseAccessMixin, TemplateView):
    template_name = "cases/case_detail.html"

    def get_context_data(self, **kwargs):
        actor = self.request.user
        case = selectors.case_get_for_full_phone(actor=actor, code=self.kwargs["code"])
        below = selectors.case_tree_below(case, limit=500)
        return super().get_context_data(
            case=case,
            show_full_phone=actor.has_perm("cases.view_full_phone"),
            chain_above=selectors.case_chain_above(case),
            tree_below=below,
            level_counts=selectors.case_level_counts(below),
            further_sources=selectors.case_further_sources(case),
            history=selectors.case_history(case)[:100],
            install_asks=case.install_asks.select_related("asked_by")[:20],
            contact_form=ContactForm(),
            reject_form=RejectForm(),
            relevel_form=RelevelForm(),
            merge_form=MergeForm(),
            **kwargs,
        )


def _duplicates(actor, data: dict) -> list[Case]:
    """People on file who may be the person about to be entered (`data` as cleaned)."""
    return selectors.case_find_duplicates(
        actor=actor,
        phone=parse_vn_mobile(data["phone"]).e164 if data.get("phone") else "",
        national_id=data.get("national_id", ""),
        full_name=data["full_name"],
        year_of_birth=data.get("year_of_birth"),
    )


class CaseFormMixin:
    template_name = "cases/case_form.html"

    def _service_fields(self, form) -> dict:
        data = dict(form.cleaned_data)
        data.pop("confirm_duplicates", None)
        return data


class CaseCreateView(CaseAccessMixin, CaseFormMixin, View):
    permission_required = "cases.add_case"

    def get(self, request):
        initial = {}
        if source_code := request.GET.get("source"):
            initial["source_code"] = source_code
        form = CaseForm(actor=request.user, initial=initial)
        return render(request, self.template_name, {"form": form, "creating": True})

    def post(self, request):
        form = CaseForm(request.POST, actor=request.user)
        duplicates = []
        if form.is_valid():
            data = self._service_fields(form)
            duplicates = _duplicates(request.user, data)
            if not duplicates or form.cleaned_data.get("confirm_duplicates"):
                source = data.pop("source_code")
                level = data.pop("level")
                try:
                    result = services.case_create(
                        actor=request.user, source=source, level=level, **data
                    )
                except ApplicationError as exc:
                    form.add_error(None, exc.message)
                else:
                    _flash(request, result.messages)
                    messages.success(
                        request, _("%(code)s was created.") % {"code": result.case.code}
                    )
                    return redirect(result.case)
        return render(
            request,
            self.template_name,
            {"form": form, "creating": True, "duplicates": duplicates},
        )


class CaseUpdateView(CaseAccessMixin, CaseFormMixin, View):
    permission_required = "cases.change_case"

    def get(self, request, code):
        case = self.get_case()
        form = CaseForm(instance=case, actor=request.user)
        return render(
            request, self.template_name, {"form": form, "case": case, "form_version": case.version}
        )

    def post(self, request, code):
        case = self.get_case()
        form = CaseForm(request.POST, instance=Case.objects.get(pk=case.pk), actor=request.user)
        stale = None
        if form.is_valid():
            data = self._service_fields(form)
            source = data.pop("source_code")
            data.pop("level")
            try:
                version = int(request.POST.get("version", ""))
            except ValueError:
                version = -1
            try:
                result = services.case_update(
                    actor=request.user, case=case, version=version, source=source, **data
                )
            except StaleEditError as exc:
                stale = exc.changes
                messages.error(request, exc.message)
                form = CaseForm(instance=Case.objects.get(pk=case.pk), actor=request.user)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                _flash(request, result.messages)
                messages.success(request, _("Saved."))
                return redirect(result.case)
        case.refresh_from_db()
        # After a stale edit the form shows the current record, so it carries the current
        # version; after an invalid one it keeps the version the editor loaded, so a save
        # over someone else's change is still refused.
        form_version = case.version if stale is not None else request.POST.get("version", "")
        return render(
            request,
            self.template_name,
            {"form": form, "case": case, "stale_changes": stale, "form_version": form_version},
        )


class CaseActionView(CaseAccessMixin, View):
    """A POST-only action on one person; the subclass's `act` calls one service."""

    http_method_names = ["post"]

    def post(self, request, code):
        case = self.get_case()
        try:
            self.act(request, case)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        return HttpResponseRedirect(case.get_absolute_url())


class CaseVerifyView(CaseActionView):
    def has_permission(self):
        user = self.request.user
        return user.has_perm("cases.verify_classification") or user.has_perm(
            "cases.verify_identity"
        )

    def act(self, request, case):
        services.case_verify(actor=request.user, case=case)
        messages.success(request, _("%(code)s was verified.") % {"code": case.code})


class CaseRejectView(CaseVerifyView):
    def act(self, request, case):
        form = RejectForm(request.POST)
        if not form.is_valid():
            raise ApplicationError(_("Say why the record is rejected."))
        services.case_reject(actor=request.user, case=case, reason=form.cleaned_data["reason"])
        messages.warning(request, _("%(code)s was rejected.") % {"code": case.code})


class CaseAskInstallView(CaseActionView):
    permission_required = "cases.change_case"

    def act(self, request, case):
        services.case_mark_asked_to_install(actor=request.user, case=case, channel="in_person")
        messages.success(request, _("The request to install Bluezone was logged."))


class CaseRelevelView(CaseActionView):
    permission_required = "cases.relevel_case"

    def act(self, request, case):
        form = RelevelForm(request.POST)
        if not form.is_valid():
            raise ApplicationError(_("Choose how the person is re-classified."))
        result = services.case_relevel(
            actor=request.user,
            case=case,
            to=form.cleaned_data["to"],
            f0_status=form.cleaned_data["f0_status"],
        )
        messages.success(request, _("The level was changed."))
        _flash(request, result.messages)


class CaseMergeView(CaseActionView):
    permission_required = "cases.merge_case"

    def act(self, request, case):
        form = MergeForm(request.POST)
        if not form.is_valid():
            raise ApplicationError(_("Enter the code of the duplicate record."))
        other = selectors.case_get(
            actor=request.user, code=form.cleaned_data["other_code"].strip().upper()
        )
        services.case_merge(actor=request.user, keep=case, remove=other)
        messages.success(
            request,
            _("%(other)s was merged into %(code)s.") % {"other": other.code, "code": case.code},
        )


class CaseAddContactView(CaseAccessMixin, View):
    permission_required = "cases.add_case"
    http_method_names = ["post"]

    def post(self, request, code):
        source = self.get_case()
        form = ContactForm(request.POST)
        if form.is_valid() and (duplicates := _duplicates(request.user, form.cleaned_data)):
            # The quick form warns as the full one does: the person is entered from the full
            # form, filled in, once the user says it is a different person.
            initial = {
                **{k: v for k, v in form.cleaned_data.items() if v not in (None, "")},
                "source_code": source.code,
            }
            return render(
                request,
                "cases/case_form.html",
                {
                    "form": CaseForm(actor=request.user, initial=initial),
                    "creating": True,
                    "duplicates": duplicates,
                },
            )
        if form.is_valid():
            try:
                result = services.case_add_contact(
                    actor=request.user, source=source, **form.cleaned_data
                )
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                _flash(request, result.messages)
                messages.success(
                    request,
                    _("%(code)s was added as %(level)s of %(source)s.")
                    % {
                        "code": result.case.code,
                        "level": result.case.level_label,
                        "source": source.code,
                    },
                )
                return redirect(source)
        else:
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                for error in errors:
                    messages.error(request, f"{label}: {error}" if label else error)
        return redirect(source)


class CaseChainView(CaseAccessMixin, TemplateView):
    template_name = "cases/case_chain.html"

    def get_context_data(self, **kwargs):
        case, below = selectors.case_chain_picture(
            actor=self.request.user, code=self.kwargs["code"]
        )
        return super().get_context_data(
            case=case,
            people=below,
            level_counts=selectors.case_level_counts(below),
            figure_json=chain_figure(case, below).to_json(),
            **kwargs,
        )


class SourceSearchView(CaseAccessMixin, View):
    def get(self, request):
        people = selectors.case_search_sources(actor=request.user, text=request.GET.get("q", ""))
        return JsonResponse(
            {
                "results": [
                    {
                        "code": p.code,
                        "label": f"{p.code} · {p.full_name} · F{p.level}",
                        "url": reverse("cases:detail", kwargs={"code": p.code}),
                    }
                    for p in people
                ]
            }
        )
