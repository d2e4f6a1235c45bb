from django.contrib import admin

from .models import Complaint, ComplaintAnswer, ComplaintStatusLog, Rating, RatingFollowUp


class StatusLogInline(admin.TabularInline):
    model = ComplaintStatusLog
    extra = 0
    fields = ["occurred_at", "status", "action", "actor", "note"]
    raw_id_fields = ["actor"]


class AnswerInline(admin.TabularInline):
    model = ComplaintAnswer
    extra = 0
    fields = ["drafted_at", "drafted_by", "state", "decided_by", "decided_at", "text", "decision_note"]
    raw_id_fields = ["drafted_by", "decided_by"]


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ["code", "unit", "category", "status", "channel", "submitted_at", "due_at", "likes", "dislikes"]
    list_filter = ["category", "status", "channel"]
    search_fields = ["code", "dossier_code", "title", "sender_name"]
    date_hierarchy = "submitted_at"
    raw_id_fields = ["unit", "dossier", "repeats", "assignee"]
    inlines = [StatusLogInline, AnswerInline]


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
