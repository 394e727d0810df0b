from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from tracing_portal.accounts.scoping import scope_to_province
from tracing_portal.core.exceptions import ApplicationError

from .models import ApiToken
from .selectors import api_token_list
from .services import api_token_default_expiry, api_token_issue, api_token_revoke


class ApiTokenAddForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["user", "name", "expires_at"]

    def clean_expires_at(self):
        value = self.cleaned_data["expires_at"]
        if value is not None and value <= timezone.now():
            raise forms.ValidationError(_("The expiry date must be in the future."))
        return value


class StateFilter(admin.SimpleListFilter):
    title = gettext_lazy("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("active", pgettext_lazy("api token", "Active")),
            ("expired", pgettext_lazy("api token", "Expired")),
            ("revoked", pgettext_lazy("api token", "Revoked")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        if self.value() == "active":
            return queryset.filter(revoked_at__isnull=True).exclude(expires_at__lte=now)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Administrators issue tokens (the whole token is shown once, on the page that follows)
    and revoke them; a province administrator sees their own province's users only."""

    list_display = [
        "display_id",
        "name",
        "user",
        "state",
        "created_at",
        "expires_at",
        "last_used_at",
    ]
    list_filter = [StateFilter]
    search_fields = ["key_id", "name", "user__username", "user__full_name"]
    actions = ["revoke"]
    detail_fields = [
        "display_id",
        "name",
        "user",
        "issued_by",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    ]

    def get_queryset(self, request):
        return api_token_list(actor=request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["user", "name", "expires_at"] if obj is None else self.detail_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.detail_fields

    def get_changeform_initial_data(self, request):
        return {"expires_at": api_token_default_expiry()}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            users = get_user_model().objects.filter(is_active=True).order_by("username")
            kwargs["queryset"] = scope_to_province(users, actor=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False  # a token is revoked, and its record kept

    @admin.display(description=gettext_lazy("token id"))
    def display_id(self, obj):
        return obj.display_id

    @admin.display(description=gettext_lazy("state"))
    def state(self, obj):
        if obj.revoked_at:
            return pgettext("api token", "Revoked")
        if obj.is_expired:
            return pgettext("api token", "Expired")
        return pgettext("api token", "Active")

    def save_model(self, request, obj, form, change):
        if change:
            return  # nothing of an issued token can be edited
        issued = api_token_issue(
            actor=request.user,
            user=form.cleaned_data["user"],
            name=form.cleaned_data["name"],
            expires_at=form.cleaned_data["expires_at"],
        )
        for field in ApiToken._meta.concrete_fields:
            setattr(obj, field.attname, getattr(issued.api_token, field.attname))
        obj._state.adding = False
        request._issued_api_token = issued.token

    def response_add(self, request, obj, post_url_continue=None):
        token = getattr(request, "_issued_api_token", None)
        if token is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("API token issued"),
            "api_token": obj,
            "token": token,
        }
        response = TemplateResponse(request, "api/admin_token_issued.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=gettext_lazy("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        revoked = 0
        for api_token in queryset:
            try:
                api_token_revoke(actor=request.user, api_token=api_token)
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                revoked += 1
        self.message_user(request, _("%(n)s token(s) revoked.") % {"n": revoked}, messages.SUCCESS)
