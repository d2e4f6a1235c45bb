from django.contrib import admin

from .models import Official, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "valid_from", "valid_to"]
    list_filter = ["kind", "offers_e_certified_copy"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]


@admin.register(Official)
class OfficialAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "role", "title", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "unit__code", "unit__name"]
    raw_id_fields = ["user", "unit"]
