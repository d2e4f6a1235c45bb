"""Catalogue of administrative procedures (TTHC), their versions, online services,
publication decisions and internal workflows."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class DurationUnit(models.TextChoices):
    """DonViTinh of a time limit (process-rules.md R2.5)."""

    WORKING_DAYS = "ngay_lam_viec", _("ngày làm việc")
    WORKING_HOURS = "gio_lam_viec", _("giờ làm việc")
    CALENDAR_DAYS = "ngay", _("ngày")


class PublicationStatus(models.TextChoices):
    PUBLISHED = "dang_cong_khai", _("Đang công khai")
    AMENDED = "sua_doi_bo_sung", _("Đang công khai sửa đổi, bổ sung")
    ABOLISHED = "bai_bo", _("Bãi bỏ")


class Procedure(models.Model):
    """A thủ tục hành chính as listed in the national database (CSDL quốc gia về TTHC).

    The row holds the current values; every legally relevant change creates a
    :class:`ProcedureVersion`, and a dossier keeps the version it was received under.
    """

    code = models.CharField(_("mã TTHC"), max_length=64, unique=True, help_text="MaTTHC")
    name = models.TextField(_("tên TTHC"), blank=True)
    field_code = models.CharField(_("mã lĩnh vực"), max_length=64, blank=True)
    field_name = models.CharField(_("tên lĩnh vực"), max_length=255, blank=True)
    level_ministry = models.BooleanField(_("cấp bộ"), default=False)
    level_province = models.BooleanField(_("cấp tỉnh"), default=False)
    level_district = models.BooleanField(_("cấp huyện"), default=False)
    level_commune = models.BooleanField(_("cấp xã"), default=False)
    competent_units = models.ManyToManyField(
        "org.Unit",
        verbose_name=_("đơn vị thực hiện"),
        blank=True,
        related_name="procedures",
        help_text="DonViThucHien; empty: competence follows the levels",
    )
    time_limit = models.DecimalField(_("thời hạn giải quyết"), max_digits=8, decimal_places=2, null=True, blank=True)
    time_unit = models.CharField(_("đơn vị tính"), max_length=16, choices=DurationUnit.choices, blank=True)
    has_fee = models.BooleanField(_("có phí, lệ phí"), default=False)
    paper_result = models.BooleanField(_("kết quả bằng giấy"), default=False)
    subjects = models.JSONField(_("đối tượng thực hiện"), default=list, blank=True)
    eligible_full_online = models.BooleanField(_("đủ điều kiện toàn trình"), default=False)
    all_seven_parts = models.BooleanField(_("đủ 7 bộ phận cấu thành"), default=False)
    publication_status = models.CharField(
        _("trạng thái công khai"), max_length=20, choices=PublicationStatus.choices, default=PublicationStatus.PUBLISHED
    )
    cutoff_time = models.TimeField(_("giờ chốt tiếp nhận"), null=True, blank=True, help_text="GioChotTiepNhan")
    current_version = models.ForeignKey(
        "ProcedureVersion",
        verbose_name=_("phiên bản hiện hành"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    extra = models.JSONField(_("trường khác"), default=dict, blank=True)

    LEVEL_FIELDS = {"BO": "level_ministry", "TINH": "level_province", "HUYEN": "level_district", "XA": "level_commune"}

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def levels(self) -> list[str]:
        return [code for code, field in self.LEVEL_FIELDS.items() if getattr(self, field)]

    def versioned_values(self) -> dict:
        """The values a dossier's deadline and scoring depend on (frozen in a version)."""
        return {
            # normalize(): 5 and 5.00 are the same limit (the DB returns the column's scale).
            "time_limit": format(Decimal(self.time_limit).normalize(), "f") if self.time_limit is not None else None,
            "time_unit": self.time_unit,
            "cutoff_time": self.cutoff_time.strftime("%H:%M") if self.cutoff_time else None,
            "has_fee": self.has_fee,
            "paper_result": self.paper_result,
            "subjects": list(self.subjects),
            "eligible_full_online": self.eligible_full_online,
        }


class ProcedureVersion(models.Model):
    """A frozen legal version of a procedure: what a dossier was received under (R4.10)."""

    procedure = models.ForeignKey(Procedure, verbose_name=_("TTHC"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("phiên bản"))
    valid_from = models.DateTimeField(_("áp dụng từ"), auto_now_add=True)
    values = models.JSONField(_("nội dung"), default=dict)
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)

    class Meta:
        verbose_name = _("phiên bản TTHC")
        verbose_name_plural = _("phiên bản TTHC")
        constraints = [models.UniqueConstraint(fields=["procedure", "number"], name="procedure_version_unique")]
        ordering = ["procedure", "number"]

    def __str__(self):
        return f"{self.procedure.code} v{self.number}"


class ProcedureCase(models.Model):
    """A trường hợp of a procedure, with its own time limit and fees (R4.8)."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="cases")
    code = models.CharField(_("mã trường hợp"), max_length=64)
    name = models.TextField(_("tên trường hợp"))
    time_limit = models.DecimalField(_("thời hạn giải quyết"), max_digits=8, decimal_places=2, null=True, blank=True)
    time_unit = models.CharField(_("đơn vị tính"), max_length=16, choices=DurationUnit.choices, blank=True)

    class Meta:
        verbose_name = _("trường hợp")
        verbose_name_plural = _("trường hợp")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="procedure_case_unique")]

    def __str__(self):
        return self.name


class ComponentSpec(models.Model):
    """A required dossier component (thành phần hồ sơ) of a procedure version."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="components")
    case = models.ForeignKey(ProcedureCase, null=True, blank=True, on_delete=models.CASCADE, related_name="components")
    code = models.CharField(_("mã thành phần"), max_length=64)
    name = models.TextField(_("tên giấy tờ"))
    required = models.BooleanField(_("bắt buộc"), default=True)
    copies = models.PositiveSmallIntegerField(_("số bản"), default=1)

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")

    def __str__(self):
        return self.name


class FeeSpec(models.Model):
    """A fee or charge (phí, lệ phí) of a procedure version."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="fees")
    case = models.ForeignKey(ProcedureCase, null=True, blank=True, on_delete=models.CASCADE, related_name="fees")
    code = models.CharField(_("mã phí"), max_length=64)
    name = models.CharField(_("tên phí, lệ phí"), max_length=255)
    amount = models.BigIntegerField(_("mức thu (đồng)"), default=0)

    class Meta:
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")

    def __str__(self):
        return f"{self.name}: {self.amount:,} đ"


class OnlineServiceLevel(models.TextChoices):
    FULL = "toan_trinh", _("Toàn trình")
    PARTIAL = "mot_phan", _("Một phần")


class OnlineServiceStatus(models.TextChoices):
    PUBLISHED = "dang_cong_khai", _("Đang công khai")
    PENDING_STOP = "cho_dung_cong_khai", _("Chờ dừng công khai")
    TESTING = "dang_kiem_thu", _("Đang kiểm thử")
    STOPPED = "dung_cong_khai", _("Dừng công khai")


class OnlineService(models.Model):
    """A dịch vụ công trực tuyến (DVC): a procedure offered online by one unit."""

    code = models.CharField(_("mã DVC"), max_length=64, unique=True, help_text="MaDVC")
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("TTHC"), on_delete=models.CASCADE, related_name="online_services"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="online_services"
    )
    level = models.CharField(_("mức độ"), max_length=16, choices=OnlineServiceLevel.choices)
    status = models.CharField(_("trạng thái"), max_length=24, choices=OnlineServiceStatus.choices)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    extra = models.JSONField(_("trường khác"), default=dict, blank=True)

    class Meta:
        verbose_name = _("dịch vụ công trực tuyến")
        verbose_name_plural = _("dịch vụ công trực tuyến")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} ({self.get_level_display()})"


class PublicationKind(models.TextChoices):
    NEW = "them_moi", _("Thêm mới")
    AMENDED = "sua_doi", _("Sửa đổi, bổ sung")
    ABOLISHED = "bai_bo", _("Bãi bỏ")


class PublicationDecision(models.Model):
    """A quyết định công bố TTHC (ND 63/2010 Art. 13–15)."""

    number = models.CharField(_("số quyết định"), max_length=64, help_text="SoQuyetDinh")
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("đơn vị công bố"), on_delete=models.PROTECT, related_name="publication_decisions"
    )
    decided_on = models.DateField(_("ngày quyết định"), null=True, blank=True)
    kind = models.CharField(_("loại"), max_length=16, choices=PublicationKind.choices)
    extra = models.JSONField(_("trường khác"), default=dict, blank=True)

    class Meta:
        verbose_name = _("quyết định công bố")
        verbose_name_plural = _("quyết định công bố")
        constraints = [models.UniqueConstraint(fields=["unit", "number"], name="publication_decision_unique")]
        ordering = ["-decided_on", "number"]

    def __str__(self):
        return self.number


class PublicationItem(models.Model):
    """One procedure in a publication decision, with its deadlines' inputs (1.1, 1.2)."""

    decision = models.ForeignKey(PublicationDecision, on_delete=models.CASCADE, related_name="items")
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("TTHC"), on_delete=models.PROTECT, related_name="publication_items"
    )
    basis_effective_on = models.DateField(
        _("ngày hiệu lực của căn cứ"), null=True, blank=True, help_text="NgayHieuLucCanCu"
    )
    published_at = models.DateTimeField(_("thời điểm công khai"), null=True, blank=True, help_text="NgayCongKhai")
    position = models.PositiveIntegerField(default=0)
    extra = models.JSONField(_("trường khác"), default=dict, blank=True)

    class Meta:
        verbose_name = _("TTHC trong quyết định công bố")
        verbose_name_plural = _("TTHC trong quyết định công bố")
        ordering = ["decision", "position"]

    def __str__(self):
        return f"{self.decision} — {self.procedure_id}"


class Workflow(models.Model):
    """Internal processing workflow (quy trình nội bộ) of a procedure at a unit."""

    procedure = models.ForeignKey(Procedure, verbose_name=_("TTHC"), on_delete=models.CASCADE, related_name="workflows")
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("đơn vị"), null=True, blank=True, on_delete=models.CASCADE, related_name="workflows"
    )
    name = models.CharField(_("tên quy trình"), max_length=255)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = _("quy trình nội bộ")
        verbose_name_plural = _("quy trình nội bộ")

    def __str__(self):
        return self.name


class WorkflowStep(models.Model):
    """An ordered step of a workflow, done by a role (possibly in another unit), with its allotted time."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("tên bước"), max_length=255)
    role = models.CharField(
        _("vai trò"),
        max_length=32,
        choices=[
            ("desk_officer", _("Cán bộ Bộ phận Một cửa")),
            ("specialist", _("Chuyên viên thụ lý")),
            ("leader", _("Lãnh đạo đơn vị")),
        ],
    )
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("đơn vị thực hiện bước"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    allotted_hours = models.DecimalField(_("thời gian (giờ làm việc)"), max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("bước xử lý")
        ordering = ["workflow", "order"]
        constraints = [models.UniqueConstraint(fields=["workflow", "order"], name="workflow_step_order_unique")]

    def __str__(self):
        return f"{self.order}. {self.name}"
