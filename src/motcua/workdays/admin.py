"""Admin for the working-day table and office hours (R2.16: edited by an administrator each year)."""

from __future__ import annotations

from django.contrib import admin

from motcua.workdays.models import CalendarDay, OfficeHours

_WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = (
        "date",
        "weekday",
        "kind",
        "is_working",
        "name",
        "legal_basis",
        "official_schedule",
        "working_day_index",
    )
    list_filter = ("kind", "is_working", "official_schedule")
    date_hierarchy = "date"
    search_fields = ("name", "legal_basis")
    readonly_fields = ("is_working", "working_day_index")
    fields = (
        "date",
        "kind",
        "name",
        "legal_basis",
        "official_schedule",
        "is_working",
        "working_day_index",
    )
    ordering = ("date",)
    list_per_page = 62

    def get_readonly_fields(self, request, obj=None):
        # A row is a date: edit what the day is, never move it (the running index assumes so).
        return (*self.readonly_fields, "date") if obj is not None else self.readonly_fields

    @admin.display(description="thứ")
    def weekday(self, obj: CalendarDay) -> str:
        return _WEEKDAYS[obj.date.weekday()]


@admin.register(OfficeHours)
class OfficeHoursAdmin(admin.ModelAdmin):
    list_display = ("__str__", "valid_from", "is_active")
    list_filter = ("is_active",)
    date_hierarchy = "valid_from"
