from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "object_repr", "province", "ip"]
    list_filter = ["action", "province", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["object_repr", "object_id", "actor__username", "actor__full_name"]
    list_select_related = ["actor", "province"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
