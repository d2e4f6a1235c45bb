"""Stored inputs and outputs of the 766 index."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IndicatorSnapshot(models.Model):
    """A stored indicator tuple for a unit and period (what the scoreboard reads, cheaply)."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("đơn vị"), on_delete=models.CASCADE, related_name="indicator_snapshots"
    )
    period = models.CharField(_("kỳ"), max_length=8)
    formula_set = models.CharField(_("bộ công thức"), max_length=32, default="portal-2026")
    indicator = models.CharField(_("chỉ số"), max_length=8)
    group = models.CharField(_("nhóm"), max_length=8)
    numerator = models.FloatField(_("tử số"), null=True, blank=True)
    denominator = models.FloatField(_("mẫu số"), null=True, blank=True)
    ratio = models.FloatField(_("tỷ lệ"), null=True, blank=True)
    score = models.DecimalField(_("điểm"), max_digits=6, decimal_places=2, null=True, blank=True)
    max_points = models.DecimalField(_("điểm tối đa"), max_digits=6, decimal_places=2)
    target = models.FloatField(_("chỉ tiêu"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    as_of = models.DateTimeField(_("tính đến"))
    computed_at = models.DateTimeField(_("tính lúc"))

    class Meta:
        verbose_name = _("kết quả chỉ số")
        verbose_name_plural = _("kết quả chỉ số")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period", "formula_set", "indicator"], name="indicator_snapshot_unique"
            )
        ]
        indexes = [models.Index(fields=["period", "formula_set"], name="snapshot_period")]

    def __str__(self):
        return f"{self.unit_id} {self.period} {self.indicator}: {self.score}"


class CatalogueRevision(models.Model):
    """How many times the catalogue (services, procedures, units) was saved or deleted through the
    ORM: one row. A live 766 run reuses the in_den rows a full run stored (live.py) only while
    this number is the one the full run read."""

    number = models.BigIntegerField(_("số lần thay đổi"), default=0)

    class Meta:
        verbose_name = _("phiên bản danh mục")
        verbose_name_plural = _("phiên bản danh mục")

    def __str__(self):
        return str(self.number)
