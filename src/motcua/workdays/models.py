"""The working-day table and office hours (process-rules.md §2, R2.16: holidays as editable data)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from motcua.workdays import official


class CalendarDay(models.Model):
    """One row per date of the seeded range: is it a working day, why, and on what legal basis.

    ``working_day_index`` is the running count of working days up to and including the date, so
    that the working days in (a, b] are ``index(b) - index(a)`` in plain SQL.
    """

    class Kind(models.TextChoices):
        WEEKDAY = official.WEEKDAY, "Ngày làm việc"
        WEEKEND = official.WEEKEND, "Ngày nghỉ hằng tuần"
        HOLIDAY = official.HOLIDAY, "Ngày nghỉ lễ, Tết"
        COMPENSATORY = official.COMPENSATORY, "Nghỉ bù"
        SWAP_OFF = official.SWAP_OFF, "Nghỉ do hoán đổi ngày làm việc"
        MAKEUP = official.MAKEUP, "Làm bù"

    date = models.DateField("ngày", unique=True)
    is_working = models.BooleanField(
        "ngày làm việc", help_text="Suy ra từ loại ngày: ngày làm việc thường hoặc làm bù."
    )
    kind = models.CharField("loại ngày", max_length=16, choices=Kind.choices, db_index=True)
    name = models.CharField("tên", max_length=255, blank=True)
    legal_basis = models.CharField("căn cứ pháp lý", max_length=500, blank=True)
    official_schedule = models.BooleanField(
        "theo lịch chính thức",
        default=True,
        help_text="Bỏ chọn nếu ngày lấy theo quy định chung của Bộ luật Lao động, chưa có thông báo chính thức.",
    )
    working_day_index = models.PositiveIntegerField(
        "số thứ tự ngày làm việc",
        editable=False,
        default=0,
        help_text="Số ngày làm việc tính đến hết ngày này (tự tính lại khi sửa).",
    )

    class Meta:
        verbose_name = "ngày trong lịch làm việc"
        verbose_name_plural = "lịch làm việc (từng ngày)"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        # One source of truth: the kind decides whether the day is worked.
        self.is_working = self.kind in official.WORKING_KINDS
        super().save(*args, **kwargs)

    def clean(self):
        if self.kind == self.Kind.WEEKDAY and self.date and self.date.weekday() >= 5:
            raise ValidationError({"kind": "Thứ Bảy, Chủ nhật là ngày làm việc chỉ khi là ngày làm bù."})


def recompute_working_day_index(from_date: date | None = None) -> int:
    """Recompute the running index from ``from_date`` (inclusive) on; returns rows changed."""
    with transaction.atomic():
        index = 0
        if from_date is not None:
            prev = CalendarDay.objects.filter(date__lt=from_date).order_by("-date")
            index = prev.values_list("working_day_index", flat=True).first() or 0
        rows = CalendarDay.objects.order_by("date")
        if from_date is not None:
            rows = rows.filter(date__gte=from_date)
        changed = []
        for row in rows.only("id", "is_working", "working_day_index"):
            index += row.is_working
            if row.working_day_index != index:
                row.working_day_index = index
                changed.append(row)
        CalendarDay.objects.bulk_update(changed, ["working_day_index"], batch_size=500)
        return len(changed)


class OfficeHours(models.Model):
    """Giờ làm việc hành chính (R2.6): one active row; without one, settings.MOTCUA_OFFICE_HOURS."""

    morning_start = models.TimeField("bắt đầu buổi sáng", default="07:00")
    morning_end = models.TimeField("kết thúc buổi sáng", default="11:30")
    afternoon_start = models.TimeField("bắt đầu buổi chiều", default="13:30")
    afternoon_end = models.TimeField("kết thúc buổi chiều", default="17:00")
    valid_from = models.DateField("áp dụng từ ngày")
    is_active = models.BooleanField("đang áp dụng", default=True)

    class Meta:
        verbose_name = "giờ làm việc"
        verbose_name_plural = "giờ làm việc"
        ordering = ["-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True),
                name="workdays_one_active_office_hours",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.morning_start:%H:%M}–{self.morning_end:%H:%M}, "
            f"{self.afternoon_start:%H:%M}–{self.afternoon_end:%H:%M} (từ {self.valid_from:%d/%m/%Y})"
        )

    def save(self, *args, **kwargs):
        with transaction.atomic():
            if self.is_active:
                # Keep a single active row: the newly activated one replaces the old.
                OfficeHours.objects.filter(is_active=True).exclude(pk=self.pk).update(is_active=False)
            super().save(*args, **kwargs)

    def clean(self):
        times = [self.morning_start, self.morning_end, self.afternoon_start, self.afternoon_end]
        if None in times:
            return
        if not (times[0] < times[1] <= times[2] < times[3]):
            raise ValidationError(
                "Giờ làm việc phải tăng dần: sáng bắt đầu < sáng kết thúc ≤ chiều bắt đầu < chiều kết thúc."
            )

    def as_intervals(self):
        return ((self.morning_start, self.morning_end), (self.afternoon_start, self.afternoon_end))


@receiver(post_save, sender=CalendarDay)
@receiver(post_delete, sender=CalendarDay)
def _calendar_day_changed(sender, instance: CalendarDay, raw: bool = False, **kwargs):
    if raw:  # loaddata: the fixture carries its own index
        return
    recompute_working_day_index(instance.date)
    _invalidate()


@receiver(post_save, sender=OfficeHours)
@receiver(post_delete, sender=OfficeHours)
def _office_hours_changed(sender, **kwargs):
    _invalidate()


def _invalidate():
    from motcua.workdays import services

    services.invalidate_calendar()
    # Other transactions may have read the old table meanwhile; drop again once this one commits.
    transaction.on_commit(services.invalidate_calendar)
