"""Stored inputs and outputs of the 766 index."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferenceCount(models.Model):
    """Dossier counts reported by the national systems for a unit and period (1.4 denominator)."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("đơn vị"), on_delete=models.CASCADE, related_name="reference_counts")
    period = models.CharField(_("kỳ"), max_length=8, help_text="Ky: 2026, 2026-H1, 2026-Q3, 2026-08")
    national_reporting_count = models.PositiveIntegerField(_("số hồ sơ theo Hệ thống báo cáo quốc gia"), null=True, blank=True, help_text="SoHoSoBCQG")
    national_portal_count = models.PositiveIntegerField(_("số hồ sơ theo Cổng DVCQG"), null=True, blank=True, help_text="SoHoSoDVCQG")

    class Meta:
        verbose_name = _("số liệu đối chiếu")
        verbose_name_plural = _("số liệu đối chiếu")
        constraints = [models.UniqueConstraint(fields=["unit", "period"], name="reference_count_unique")]

    def __str__(self):
        return f"{self.unit_id} {self.period}"
