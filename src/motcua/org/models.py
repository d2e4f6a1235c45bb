"""Units (đơn vị) and officials (cán bộ, công chức) with their roles."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .identifiers import code_prefix


class UnitKind(models.TextChoices):
    """LoaiDonVi. Districts (HUYEN) exist only in data from before 01/07/2025."""

    MINISTRY = "BO", _("Bộ, ngành")
    PROVINCE = "TINH", _("Tỉnh, thành phố")
    DEPARTMENT = "SO", _("Sở, ban, ngành")
    DISTRICT = "HUYEN", _("Huyện (trước 07/2025)")
    COMMUNE = "XA", _("Xã, phường, đặc khu")


class Unit(models.Model):
    """An administrative unit that receives or handles dossiers (đơn vị)."""

    code = models.CharField(_("mã đơn vị"), max_length=64, unique=True, help_text="MaDonVi")
    name = models.CharField(_("tên đơn vị"), max_length=255)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cha"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    kind = models.CharField(_("loại đơn vị"), max_length=8, choices=UnitKind.choices)
    offers_e_certified_copy = models.BooleanField(
        _("cung cấp chứng thực bản sao điện tử"), default=False, help_text="CungCapChungThucDienTu (4.6)"
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    extra = models.JSONField(_("trường khác"), default=dict, blank=True)

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} — {self.name}"

    @property
    def electronic_id(self) -> str:
        """Mã định danh điện tử of the agency (QCVN 102:2016, e.g. ``000.00.12.H26``), kept in ``extra``."""
        return (self.extra or {}).get("MaDinhDanhDienTu") or ""

    @property
    def dossier_code_prefix(self) -> str:
        """Unit part of the dossier codes this unit allocates: its electronic identifier when known
        (TT 03/2025 Art. 13, TT 01/2018 Art. 19 structure; see docs/rules.md), else its code."""
        return code_prefix(self.code, self.electronic_id)

    def ancestors(self):
        unit, chain = self.parent, []
        while unit is not None:
            chain.append(unit)
            unit = unit.parent
        return chain


class Role(models.TextChoices):
    DESK_OFFICER = "desk_officer", _("Cán bộ Bộ phận Một cửa")
    SPECIALIST = "specialist", _("Chuyên viên thụ lý")
    LEADER = "leader", _("Lãnh đạo đơn vị")
    CONTROL_OFFICER = "control_officer", _("Cán bộ đầu mối kiểm soát TTHC")
    ADMINISTRATOR = "administrator", _("Quản trị hệ thống")


class Official(models.Model):
    """An official's role in a unit; one person may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("tài khoản"), on_delete=models.CASCADE, related_name="positions"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="officials")
    role = models.CharField(_("vai trò"), max_length=32, choices=Role.choices)
    title = models.CharField(_("chức danh"), max_length=128, blank=True)
    is_active = models.BooleanField(_("đang công tác"), default=True)

    class Meta:
        verbose_name = _("cán bộ")
        verbose_name_plural = _("cán bộ")
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="official_unique_role")]

    def __str__(self):
        return f"{self.user.get_full_name() or self.user.get_username()} ({self.get_role_display()}, {self.unit.code})"
