from django.contrib import admin

from .models import (
    ComponentSpec,
    FeeSpec,
    OnlineService,
    Procedure,
    ProcedureCase,
    ProcedureVersion,
    PublicationDecision,
    PublicationItem,
    Workflow,
    WorkflowStep,
)


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "field_name", "time_limit", "time_unit", "has_fee", "publication_status"]
    list_filter = ["publication_status", "level_province", "level_commune", "has_fee", "paper_result", "field_name"]
    search_fields = ["code", "name"]
    filter_horizontal = ["competent_units"]
    raw_id_fields = ["current_version"]


class ProcedureCaseInline(admin.TabularInline):
    model = ProcedureCase
    extra = 0


class ComponentSpecInline(admin.TabularInline):
    model = ComponentSpec
    extra = 0


class FeeSpecInline(admin.TabularInline):
    model = FeeSpec
    extra = 0


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    list_display = ["procedure", "number", "valid_from"]
    search_fields = ["procedure__code"]
    raw_id_fields = ["procedure"]
    inlines = [ProcedureCaseInline, ComponentSpecInline, FeeSpecInline]


@admin.register(OnlineService)
class OnlineServiceAdmin(admin.ModelAdmin):
    list_display = ["code", "procedure", "unit", "level", "status"]
    list_filter = ["level", "status"]
    search_fields = ["code", "procedure__code", "unit__code"]
    raw_id_fields = ["procedure", "unit"]


class PublicationItemInline(admin.TabularInline):
    model = PublicationItem
    extra = 0
    raw_id_fields = ["procedure"]


@admin.register(PublicationDecision)
class PublicationDecisionAdmin(admin.ModelAdmin):
    list_display = ["number", "unit", "decided_on", "kind"]
    list_filter = ["kind"]
    date_hierarchy = "decided_on"
    search_fields = ["number"]
    inlines = [PublicationItemInline]


class WorkflowStepInline(admin.TabularInline):
    model = WorkflowStep
    extra = 0


@admin.register(Workflow)
class WorkflowAdmin(admin.ModelAdmin):
    list_display = ["name", "procedure", "unit", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "procedure__code"]
    raw_id_fields = ["procedure", "unit"]
    inlines = [WorkflowStepInline]
