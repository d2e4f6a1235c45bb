from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import lifecycle
from .models import (
    ApologyLetter,
    Consultation,
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierResult,
    FeeLine,
    PaperLookup,
    Status,
    SupplementRequest,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DossierEventInline(ReadOnlyInline):
    """The append-only lifecycle log; status changes happen only through the lifecycle services.

    Actions and statuses by their Vietnamese names, not the codes stored."""

    model = DossierEvent
    readonly_fields = fields = (
        "occurred_at",
        "action_name",
        "from_status_name",
        "to_status_name",
        "actor",
        "actor_label",
        "reason",
        "step_due_at",
    )

    @admin.display(description=_("thao tác"))
    def action_name(self, event):
        transition = lifecycle.TRANSITIONS.get(event.action)
        return transition.label if transition else event.action

    @admin.display(description=_("từ trạng thái"))
    def from_status_name(self, event):
        return _status_name(event.from_status)

    @admin.display(description=_("sang trạng thái"))
    def to_status_name(self, event):
        return _status_name(event.to_status)


def _status_name(status) -> str:
    if status is None:
        return "—"
    try:
        return str(Status(status).label)
    except ValueError:
        return str(status)


class SupplementInline(ReadOnlyInline):
    model = SupplementRequest
    readonly_fields = fields = ("stage", "requested_at", "completed_at", "reason", "override_reason")


class ComponentInline(ReadOnlyInline):
    model = DossierComponent
    fk_name = "dossier"
    readonly_fields = fields = (
        "component_code",
        "name",
        "has_file",
        "digitized",
        "reused",
        "from_citizen_store",
        "original_name",
        "uploaded_at",
    )


class FeeInline(ReadOnlyInline):
    model = FeeLine
    readonly_fields = fields = ("code", "name", "amount")


class ResultInline(ReadOnlyInline):
    model = DossierResult
    readonly_fields = fields = ("code", "title", "file_url", "issued_at", "signature_state", "pushed_to_citizen_store")


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    list_display = ["code", "procedure", "handling_unit", "channel", "status", "received_at", "due_at"]
    list_filter = ["status", "channel", "origin", "online_payment"]
    search_fields = ["code", "applicant_name", "procedure__code"]
    date_hierarchy = "received_at"
    list_select_related = ["procedure", "handling_unit"]
    raw_id_fields = ["online_service"]
    # The status, the instants that drive deadlines and the 766 scores, the units and the assignee change only
    # through lifecycle actions (issue #10 item 14): the admin shows them, never edits them.
    readonly_fields = [
        "code",
        "status",
        "channel",
        "procedure",
        "procedure_version",
        "case",
        "handling_unit",
        "receiving_unit",
        "current_step",
        "current_assignee",
        "step_due_at",
        "submitted_at",
        "received_at",
        "due_at",
        "extended_due_at",
        "ended_at",
        "paid_at",
        "synced_at",
        "created_at",
        "updated_at",
    ]
    inlines = [DossierEventInline, SupplementInline, ComponentInline, FeeInline, ResultInline]


@admin.register(ApologyLetter)
class ApologyLetterAdmin(admin.ModelAdmin):
    list_display = ["dossier", "issued_at", "new_due_at", "late_practice"]
    list_filter = ["late_practice"]
    raw_id_fields = ["dossier", "signed_by"]


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ["dossier", "unit", "requested_at", "due_at", "answered_at"]
    raw_id_fields = ["dossier", "unit"]


_LOOKUP_COLUMNS = ("looked_up_at", "actor", "id_number", "reason", "dossier", "found")


@admin.register(PaperLookup)
class PaperLookupAdmin(admin.ModelAdmin):
    """Who looked up whose papers, and why: read only (the log is never edited)."""

    list_display = _LOOKUP_COLUMNS
    list_filter = ["looked_up_at"]
    search_fields = ["id_number", "actor__username", "dossier__code"]
    readonly_fields = (*_LOOKUP_COLUMNS, "attached")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
