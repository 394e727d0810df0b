from django.contrib import admin

from .models import District, Province


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "short_name", "iso_3166_2", "population_2019", "case_prefix"]
    search_fields = ["code", "name", "short_name", "iso_3166_2"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "province"]
    list_filter = ["province"]
    search_fields = ["code", "name", "short_name"]
    list_select_related = ["province"]
