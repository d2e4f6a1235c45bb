from django.contrib import admin

from .models import ImportRun


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "source", "user", "outcome", "finished_at"]
    list_filter = ["outcome"]
    readonly_fields = ["source", "started_at", "finished_at", "user", "options", "outcome", "counts", "errors", "host",
                       "pid"]

    def has_add_permission(self, request):
        return False
