"""Record of every import of an exchange set (who, what, when, outcome)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportRun(models.Model):
    """One run of ``motcua import`` (or an upload in the web app)."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("Đang chạy")
        IMPORTED = "imported", _("Đã nhập")
        REJECTED = "rejected", _("Bị từ chối do lỗi")
        DRY_RUN = "dry_run", _("Chạy thử")
        FAILED = "failed", _("Lỗi hệ thống")
        INTERRUPTED = "interrupted", _("Bị gián đoạn")  # the process died; nothing was written

    source = models.CharField(_("nguồn"), max_length=1000)
    started_at = models.DateTimeField(_("bắt đầu"), auto_now_add=True)
    finished_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhập"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    options = models.JSONField(_("tùy chọn"), default=dict, blank=True)
    outcome = models.CharField(_("kết quả"), max_length=16, choices=Outcome.choices, default=Outcome.RUNNING)
    counts = models.JSONField(_("số bản ghi"), default=dict, blank=True)
    errors = models.JSONField(_("lỗi"), default=list, blank=True)
    # Where it runs: tells a live run from one whose process was killed (see interchange/runs.py).
    host = models.CharField(_("máy"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("tiến trình"), null=True, blank=True)

    class Meta:
        verbose_name = _("lần nhập dữ liệu")
        verbose_name_plural = _("lần nhập dữ liệu")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.source} ({self.get_outcome_display()})"


class ReferenceCount(models.Model):
    """Dossier counts reported by the national systems for a unit and period (số liệu đối chiếu).

    Exchange data (``reference_counts``): imported and exported here, read by the 766 engine as
    the denominator of indicator 1.4.
    """

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("đơn vị"), on_delete=models.CASCADE, related_name="reference_counts"
    )
    period = models.CharField(_("kỳ"), max_length=8, help_text="Ky: 2026, 2026-H1, 2026-Q3, 2026-08")
    national_reporting_count = models.PositiveIntegerField(
        _("số hồ sơ theo Hệ thống báo cáo quốc gia"), null=True, blank=True, help_text="SoHoSoBCQG"
    )
    national_portal_count = models.PositiveIntegerField(
        _("số hồ sơ theo Cổng DVCQG"), null=True, blank=True, help_text="SoHoSoDVCQG"
    )

    class Meta:
        verbose_name = _("số liệu đối chiếu")
        verbose_name_plural = _("số liệu đối chiếu")
        constraints = [models.UniqueConstraint(fields=["unit", "period"], name="reference_count_unique")]
        # Moved from index766 (0022): the table keeps its name, no data is copied.
        db_table = "index766_referencecount"

    def __str__(self):
        return f"{self.unit_id} {self.period}"
