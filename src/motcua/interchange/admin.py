from django.contrib import admin

from .models import ImportRun, ReferenceCount


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "source", "user", "outcome", "finished_at"]
    list_filter = ["outcome"]
    readonly_fields = [
        "source",
        "started_at",
        "finished_at",
        "user",
        "options",
        "outcome",
        "counts",
        "errors",
        "host",
        "pid",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(ReferenceCount)
class ReferenceCountAdmin(admin.ModelAdmin):
    list_display = ["unit", "period", "national_reporting_count", "national_portal_count"]
    search_fields = ["unit__code", "period"]
    raw_id_fields = ["unit"]
