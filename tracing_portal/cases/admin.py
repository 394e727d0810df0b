from django.contrib import admin

from tracing_portal.accounts.scoping import scope_to_province

from .models import Case, QuarantineFacility


class ProvinceScopedAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        return scope_to_province(super().get_queryset(request), actor=request.user)


@admin.register(QuarantineFacility)
class QuarantineFacilityAdmin(ProvinceScopedAdmin):
    list_display = ["name", "province", "address", "capacity"]
    list_filter = ["province"]
    search_fields = ["name", "address"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "province" and not request.user.sees_all_provinces:
            from tracing_portal.geo.models import Province

            kwargs["queryset"] = Province.objects.filter(pk=request.user.province_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Case)
class CaseAdmin(ProvinceScopedAdmin):
    """Read-only: people are entered and changed through the portal's services."""

    list_display = ["code", "full_name", "level", "status", "verification", "province"]
    list_filter = ["level", "status", "verification", "province"]
    search_fields = ["code", "name_folded"]
    list_select_related = ["province"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
