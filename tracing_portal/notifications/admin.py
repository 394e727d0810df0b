from django.conf import settings
from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tracing_portal.geo.models import Province

from .models import SmsTemplate
from .text import MissingValuesError, TemplateTextError, fill_template, sms_count, strip_diacritics
from .variables import SAMPLE_VALUES, VARIABLES


@admin.register(SmsTemplate)
class SmsTemplateAdmin(admin.ModelAdmin):
    """Defaults are national; a province administrator edits their province's own
    templates, which replace the defaults there."""

    list_display = ["kind", "province_name", "is_active", "sample_length", "updated_at"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["province"]
    fields = ["kind", "province", "body", "is_active", "sample", "updated_by", "updated_at"]
    readonly_fields = ["sample", "updated_by", "updated_at"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.sees_all_provinces:
            return qs
        return qs.filter(Q(province__isnull=True) | Q(province_id=request.user.province_id))

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or request.user.sees_all_provinces:
            return True
        return obj.province_id is not None and obj.province_id == request.user.province_id

    def has_delete_permission(self, request, obj=None):
        return False  # messages keep their template; "in use" off retires one

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "province" and not request.user.sees_all_provinces:
            kwargs["queryset"] = Province.objects.filter(pk=request.user.province_id)
            kwargs["required"] = True
            kwargs["initial"] = request.user.province_id
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("province"))
    def province_name(self, obj):
        return obj.province.short_name if obj.province_id else gettext("all provinces")

    def _sample_text(self, obj) -> str:
        values = {**SAMPLE_VALUES, "dau_so": settings.SMS_SHORT_CODE}
        try:
            return strip_diacritics(fill_template(obj.body or "", values, known=VARIABLES))
        except (TemplateTextError, MissingValuesError):
            return ""

    @admin.display(description=_("length (example)"))
    def sample_length(self, obj):
        count = sms_count(self._sample_text(obj))
        return f"{count.length}/{count.limit} · {count.segments}"

    @admin.display(description=_("example, as sent"))
    def sample(self, obj):
        text = self._sample_text(obj)
        if not text:
            return "—"
        count = sms_count(text)
        return gettext("%(text)s (%(length)s/%(limit)s, %(parts)s part(s), %(encoding)s)") % {
            "text": text,
            "length": count.length,
            "limit": count.limit,
            "parts": count.segments,
            "encoding": count.encoding.upper(),
        }
