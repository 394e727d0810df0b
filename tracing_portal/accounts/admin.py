from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from .models import User
from .scoping import scope_to_province
from .services import user_audit_change


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "agency", "province", "is_active", "last_login"]
    list_filter = ["agency", "province", "groups", "is_active"]
    search_fields = ["username", "full_name", "email", "phone"]
    list_select_related = ["province"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["full_name", "email", "phone", "agency", "province"]}),
        (_("Roles"), {"fields": ["is_active", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]

    def get_queryset(self, request):
        return scope_to_province(super().get_queryset(request), actor=request.user)

    def add_view(self, request, form_url="", extra_context=None):
        # Accounts are made without a password, with an invitation link: one way in.
        return redirect("accounts:user_create")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            user_audit_change(actor=request.user, user=obj, fields=form.changed_data)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser and obj is not None:
            fieldsets = [*fieldsets, (_("Superuser"), {"fields": ["is_staff", "is_superuser"]})]
        return fieldsets

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "province" and not request.user.sees_all_provinces:
            from tracing_portal.geo.models import Province

            kwargs["queryset"] = Province.objects.filter(pk=request.user.province_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.sees_all_provinces:
            from django.contrib.auth.models import Group

            from .roles import Role

            kwargs["queryset"] = Group.objects.exclude(name=Role.NATIONAL_ADMIN)
        return super().formfield_for_manytomany(db_field, request, **kwargs)
