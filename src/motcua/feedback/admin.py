from django.contrib import admin

from .models import Complaint, ComplaintStatusLog, Rating, RatingFollowUp


class StatusLogInline(admin.TabularInline):
    model = ComplaintStatusLog
    extra = 0


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ["code", "unit", "category", "status", "submitted_at", "likes", "dislikes"]
    list_filter = ["category", "status"]
    search_fields = ["code", "dossier_code", "title"]
    date_hierarchy = "submitted_at"
    raw_id_fields = ["unit", "dossier", "repeats"]
    inlines = [StatusLogInline]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["dossier", "dissatisfied", "rated_at", "score"]
    list_filter = ["dissatisfied"]
    raw_id_fields = ["dossier"]


@admin.register(RatingFollowUp)
class RatingFollowUpAdmin(admin.ModelAdmin):
    list_display = ["rating", "unit", "state", "opened_at", "due_at", "closed_at"]
    list_filter = ["state"]
    raw_id_fields = ["rating", "unit", "closed_by"]
