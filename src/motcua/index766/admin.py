from django.contrib import admin

from .models import ReferenceCount


@admin.register(ReferenceCount)
class ReferenceCountAdmin(admin.ModelAdmin):
    list_display = ["unit", "period", "national_reporting_count", "national_portal_count"]
    search_fields = ["unit__code", "period"]
    raw_id_fields = ["unit"]
