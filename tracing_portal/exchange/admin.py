from django.contrib import admin
from import_export.admin import ImportExportMixin

from tracing_portal.accounts.scoping import scope_to_province
from tracing_portal.cases.models import QuarantineFacility
from tracing_portal.cases.resources import FacilityResource

from .models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Read-only: imports are made on the portal's import page."""

    list_display = ["id", "original_name", "kind", "status", "province", "created_by", "created_at"]
    list_filter = ["kind", "status", "province"]
    list_select_related = ["province", "created_by"]
    exclude = ["errors", "notes"]

    def get_queryset(self, request):
        return scope_to_province(super().get_queryset(request), actor=request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _with_import_export(model, resource_class):
    """Give a model's registered admin django-import-export's import and export buttons,
    with the resource's columns, narrowed to the administrator's province."""
    existing = admin.site._registry.get(model)
    if existing is None:
        return
    base = type(existing)

    class WithImportExport(ImportExportMixin, base):
        resource_classes = [resource_class]

        def get_resource_kwargs(self, request, *args, **kwargs):
            province = None if request.user.sees_all_provinces else request.user.province_id
            return {"province_id": province}

    WithImportExport.__name__ = f"{base.__name__}WithImportExport"
    admin.site.unregister(model)
    admin.site.register(model, WithImportExport)


# Quarantine facilities are not personal data: their admin may import and export them.
# People are exported only through the portal's export page, which masks phone numbers and
# audits every export.
_with_import_export(QuarantineFacility, FacilityResource)
