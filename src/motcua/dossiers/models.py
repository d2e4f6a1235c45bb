"""Dossiers (hồ sơ TTHC) and everything that happens to them.

The dossier's national status (TrangThaiHoSo 1–10) changes only through
:mod:`motcua.dossiers.lifecycle`; each change is an append-only
:class:`DossierEvent`. Supplement requests, pauses, consultations, apology
letters, results, payments, components and stops are rows of their own.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .applicants import ApplicantKind
from .codes import DOSSIER_CODE_MAX_LENGTH


class Channel(models.IntegerChoices):
    """KenhThucHien (process-rules.md R1.2)."""

    IN_PERSON = 1, _("Trực tiếp")
    ONLINE = 2, _("Trực tuyến")
    POST = 3, _("Bưu chính công ích")


class Status(models.IntegerChoices):
    """TrangThaiHoSo, the national status codes (process-rules.md §1.11)."""

    SUBMITTED = 1, _("Mới đăng ký")
    RECEIVED = 2, _("Được tiếp nhận")
    NOT_RECEIVED = 3, _("Không được tiếp nhận")
    PROCESSING = 4, _("Đang xử lý")
    SUPPLEMENT_REQUESTED = 5, _("Yêu cầu bổ sung giấy tờ")
    FINANCIAL_OBLIGATION = 6, _("Yêu cầu thực hiện nghĩa vụ tài chính")
    WITHDRAWAL_REQUESTED = 7, _("Công dân yêu cầu rút hồ sơ")
    STOPPED = 8, _("Dừng xử lý")
    DONE = 9, _("Đã xử lý xong")
    RETURNED = 10, _("Đã trả kết quả")


class Origin(models.TextChoices):
    """NguonHoSo: created on the national portal or in a local system (3.2, 4.3)."""

    NATIONAL_PORTAL = "dvcqg", _("Cổng DVCQG")
    LOCAL = "dia_phuong", _("Hệ thống bộ, ngành, địa phương")


class OnlinePayment(models.IntegerChoices):
    """DuocThanhToanTrucTuyen."""

    NO = 0, _("Không thanh toán trực tuyến")
    NATIONAL_PLATFORM = 1, _("Thanh toán trên Cổng DVCQG")
    LOCAL_GATEWAY = 2, _("Thanh toán qua cổng của bộ, địa phương")


class Dossier(models.Model):
    """One application for one procedure (hồ sơ)."""

    code = models.CharField(_("mã hồ sơ"), max_length=DOSSIER_CODE_MAX_LENGTH, unique=True, help_text="MaHoSo")
    procedure = models.ForeignKey(
        "catalog.Procedure", verbose_name=_("TTHC"), on_delete=models.PROTECT, related_name="dossiers"
    )
    procedure_version = models.ForeignKey(
        "catalog.ProcedureVersion",
        verbose_name=_("phiên bản TTHC"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
        db_index=False,
    )
    case = models.ForeignKey(
        "catalog.ProcedureCase",
        verbose_name=_("trường hợp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    online_service = models.ForeignKey(
        "catalog.OnlineService",
        verbose_name=_("DVC trực tuyến"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
        help_text="MaDVC",
        db_index=False,
    )
    # Indexed by the (handling_unit, received_at) composite below.
    handling_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("đơn vị xử lý"),
        on_delete=models.PROTECT,
        related_name="handled_dossiers",
        db_index=False,
    )
    receiving_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("đơn vị tiếp nhận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="received_dossiers",
    )
    channel = models.PositiveSmallIntegerField(_("kênh thực hiện"), choices=Channel.choices, default=Channel.IN_PERSON)
    origin = models.CharField(_("nguồn hồ sơ"), max_length=16, choices=Origin.choices, default=Origin.LOCAL)
    status = models.PositiveSmallIntegerField(_("trạng thái"), choices=Status.choices, default=Status.SUBMITTED)
    current_step = models.ForeignKey(
        "catalog.WorkflowStep",
        verbose_name=_("bước hiện tại"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    current_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đang xử lý"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    step_due_at = models.DateTimeField(_("hạn của bước"), null=True, blank=True)

    applicant_name = models.CharField(_("chủ hồ sơ"), max_length=255, blank=True)
    #: The applicant's name folded for searching (no diacritics, lower case: "nguyen thi hong nhung"), written
    #: by save() and, for bulk imports, by :func:`motcua.dossiers.search.fill_keys`; indexed (trigram on
    #: PostgreSQL when pg_trgm can be created).
    applicant_key = models.CharField(
        _("tên chủ hồ sơ không dấu"), max_length=255, blank=True, default="", db_default="", editable=False
    )
    applicant_kind = models.CharField(
        _("loại chủ hồ sơ"),
        max_length=16,
        choices=ApplicantKind.choices,
        default=ApplicantKind.INDIVIDUAL,
        db_default=ApplicantKind.INDIVIDUAL,
    )
    applicant_id_number = models.CharField(
        _("số định danh"),
        max_length=32,
        blank=True,
        help_text="Số định danh cá nhân (12 digits), mã số doanh nghiệp (10/13 digits) or passport number",
    )
    submitter_name = models.CharField(
        _("người được ủy quyền"),
        max_length=255,
        blank=True,
        db_default="",
        help_text="Who submitted on the applicant's behalf (người được ủy quyền)",
    )
    submitter_id_number = models.CharField(
        _("số định danh người được ủy quyền"), max_length=32, blank=True, db_default=""
    )
    authorisation = models.CharField(
        _("giấy ủy quyền"),
        max_length=500,
        blank=True,
        db_default="",
        help_text="The authorisation: number, date, who certified it",
    )
    applicant_address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    applicant_phone = models.CharField(_("điện thoại"), max_length=32, blank=True)
    applicant_email = models.CharField(_("thư điện tử"), max_length=254, blank=True)
    summary = models.TextField(_("trích yếu"), blank=True)

    submitted_at = models.DateTimeField(_("ngày nộp"), null=True, blank=True, help_text="NgayNopHoSo")
    received_at = models.DateTimeField(_("ngày tiếp nhận"), null=True, blank=True, help_text="NgayTiepNhan")
    due_at = models.DateTimeField(
        _("ngày hẹn trả"),
        null=True,
        blank=True,
        help_text="NgayHenTra: the appointment on the receipt; never moved by supplements or apology letters",
    )
    extended_due_at = models.DateTimeField(_("ngày hẹn trả mới"), null=True, blank=True, help_text="NgayHenTraMoi")
    effective_due_at = models.DateTimeField(
        _("hạn trả hiệu lực"),
        null=True,
        blank=True,
        help_text=(
            "rules.effective_due_at, stored for the queue: NgayHenTra + completed supplements, or the apology letter's"
        ),
    )
    ended_at = models.DateTimeField(
        _("ngày kết thúc xử lý"),
        null=True,
        blank=True,
        help_text="NgayKetThucXuLy when no status log exists (legacy data)",
    )

    online_payment = models.PositiveSmallIntegerField(
        _("thanh toán trực tuyến"), choices=OnlinePayment.choices, default=OnlinePayment.NO
    )
    paid_at = models.DateTimeField(_("ngày thanh toán"), null=True, blank=True)
    has_digitized_component = models.BooleanField(
        _("có thành phần số hóa"), default=False, help_text="HoSoCoThanhPhanSoHoa"
    )
    vneid_authenticated = models.BooleanField(
        _("xác thực VNeID"), default=False, help_text="TaiKhoanDuocXacThucVoiVNeID"
    )
    population_db_ref = models.CharField(_("mã CSDL dân cư"), max_length=64, blank=True, help_text="MaCSDL")
    synced_at = models.DateTimeField(_("ngày đồng bộ"), null=True, blank=True, help_text="NgayDongBo")

    extra = models.JSONField(_("trường khác"), default=dict, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        indexes = [
            models.Index(fields=["handling_unit", "received_at"], name="dossier_unit_received"),
            models.Index(fields=["status", "due_at"], name="dossier_status_due"),
            models.Index(fields=["applicant_key"], name="dossier_applicant_key"),
            models.Index(fields=["applicant_id_number"], name="dossier_applicant_id"),
            # The officials' queue: open dossiers waiting at a step of a unit (partial: closed ones are most rows).
            models.Index(
                fields=["handling_unit", "current_step"],
                name="dossier_open_unit_step",
                condition=models.Q(
                    status__in=[
                        Status.PROCESSING,
                        Status.SUPPLEMENT_REQUESTED,
                        Status.FINANCIAL_OBLIGATION,
                        Status.WITHDRAWAL_REQUESTED,
                    ]
                ),
            ),
        ]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        from motcua.core.text import normalize

        key = normalize(self.applicant_name)[:255]
        if key != self.applicant_key:
            self.applicant_key = key
            if kwargs.get("update_fields") is not None and "applicant_name" in kwargs["update_fields"]:
                kwargs["update_fields"] = [*kwargs["update_fields"], "applicant_key"]
        super().save(*args, **kwargs)

    @property
    def is_received(self) -> bool:
        return self.received_at is not None


class DossierEvent(models.Model):
    """Append-only log of everything that happened to a dossier (LichSuTrangThai and steps).

    ``occurred_at`` is the business instant (ThoiDiem); ``recorded_at`` when we
    wrote it. Rows are never updated or deleted by the application.
    """

    class Kind(models.TextChoices):
        STATUS = "status", _("Chuyển trạng thái")
        STEP = "step", _("Chuyển bước")
        NOTE = "note", _("Ghi chú")

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="events", db_index=False
    )  # see Meta.indexes
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices, default=Kind.STATUS)
    action = models.CharField(_("thao tác"), max_length=48, blank=True)
    from_status = models.PositiveSmallIntegerField(_("từ trạng thái"), choices=Status.choices, null=True, blank=True)
    to_status = models.PositiveSmallIntegerField(_("sang trạng thái"), choices=Status.choices, null=True, blank=True)
    occurred_at = models.DateTimeField(_("thời điểm"))
    recorded_at = models.DateTimeField(_("ghi nhận lúc"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    actor_label = models.CharField(_("nguồn"), max_length=64, blank=True, help_text="import, portal, system …")
    reason = models.TextField(_("lý do"), blank=True)
    step_due_at = models.DateTimeField(_("hạn của bước"), null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("sự kiện hồ sơ")
        verbose_name_plural = _("sự kiện hồ sơ")
        ordering = ["dossier", "occurred_at", "id"]
        indexes = [models.Index(fields=["dossier", "occurred_at"], name="event_dossier_time")]

    def __str__(self):
        return f"{self.dossier_id} {self.action} {self.from_status}→{self.to_status}"


class Reception(models.Model):
    """How and by whom the dossier was received (tiếp nhận), and its receipt."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="reception")
    channel = models.PositiveSmallIntegerField(_("kênh"), choices=Channel.choices)
    received_at = models.DateTimeField(_("thời điểm tiếp nhận"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    counter_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("nơi tiếp nhận"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sets_count = models.PositiveSmallIntegerField(_("số bộ hồ sơ"), default=1)
    result_delivery = models.CharField(_("hình thức nhận kết quả"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("tiếp nhận")
        verbose_name_plural = _("tiếp nhận")

    def __str__(self):
        return f"{self.dossier} — {self.get_channel_display()}"


class SupplementRequest(models.Model):
    """A yêu cầu bổ sung, hoàn thiện hồ sơ (R1.20–R1.22).

    More than one per dossier makes it overdue on the 766 index, so a second one
    needs a recorded override reason.
    """

    class Stage(models.TextChoices):
        RECEPTION = "reception", _("Khi tiếp nhận")
        APPRAISAL = "appraisal", _("Trong quá trình thẩm định")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="supplement_requests")
    stage = models.CharField(_("giai đoạn"), max_length=16, choices=Stage.choices, default=Stage.APPRAISAL)
    requested_at = models.DateTimeField(_("ngày yêu cầu"), help_text="NgayYeuCau")
    completed_at = models.DateTimeField(_("ngày bổ sung"), null=True, blank=True, help_text="NgayBoSung")
    items = models.JSONField(_("danh sách cần bổ sung"), default=list, blank=True)
    reason = models.TextField(_("lý do"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    override_reason = models.TextField(_("lý do yêu cầu bổ sung lần hai"), blank=True)
    extra = models.JSONField(_("trường khác"), default=dict, blank=True)

    class Meta:
        verbose_name = _("yêu cầu bổ sung")
        verbose_name_plural = _("yêu cầu bổ sung")
        ordering = ["dossier", "requested_at", "id"]

    def __str__(self):
        return f"{self.dossier} — bổ sung {self.requested_at:%d/%m/%Y}"


class Pause(models.Model):
    """A suspension (tạm dừng) of processing; a local state synced as status 4/5 (R1.33)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="pauses")
    started_at = models.DateTimeField(_("bắt đầu"))
    ended_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    reason = models.TextField(_("lý do"))

    class Meta:
        verbose_name = _("tạm dừng")
        verbose_name_plural = _("tạm dừng")

    def __str__(self):
        return f"{self.dossier} — tạm dừng {self.started_at:%d/%m/%Y}"


class Consultation(models.Model):
    """A request for opinion (lấy ý kiến) to another unit with its own deadline (R1.15)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="consultations")
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("đơn vị được hỏi ý kiến"), on_delete=models.PROTECT, related_name="consultations"
    )
    requested_at = models.DateTimeField(_("ngày gửi"))
    due_at = models.DateTimeField(_("hạn trả lời"))
    answered_at = models.DateTimeField(_("ngày trả lời"), null=True, blank=True)
    question = models.TextField(_("nội dung xin ý kiến"))
    answer = models.TextField(_("ý kiến trả lời"), blank=True)

    class Meta:
        verbose_name = _("lấy ý kiến")
        verbose_name_plural = _("lấy ý kiến")

    def __str__(self):
        return f"{self.dossier} → {self.unit}"


class ApologyLetter(models.Model):
    """Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết: at most one per dossier (R1.27), late ones flagged."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="apology_letter")
    issued_at = models.DateTimeField(_("ngày phát hành"))
    reason = models.TextField(_("lý do chậm"))
    new_due_at = models.DateTimeField(_("ngày hẹn trả mới"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    late_practice = models.BooleanField(
        _("phát hành muộn"), default=False, help_text="Less than 1 working day remained before the due instant"
    )
    after_due = models.BooleanField(
        _("phát hành sau hạn"),
        default=False,
        help_text="Issued after the due instant (interchange.md §4: allowed once)",
    )

    class Meta:
        verbose_name = _("văn bản xin lỗi và gia hạn")
        verbose_name_plural = _("văn bản xin lỗi và gia hạn")

    def __str__(self):
        return f"{self.dossier} — xin lỗi, hẹn mới {self.new_due_at:%d/%m/%Y}"


class DossierResult(models.Model):
    """A result (kết quả giải quyết), possibly an electronic, signed file (e-result)."""

    class Signature(models.TextChoices):
        UNSIGNED = "unsigned", _("Chưa ký số")
        SIGNED = "signed", _("Đã ký số")
        VERIFIED = "verified", _("Đã xác thực chữ ký")
        INVALID = "invalid", _("Chữ ký không hợp lệ")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="results")
    code = models.CharField(_("mã kết quả"), max_length=128, blank=True, help_text="MaKetQua")
    title = models.CharField(_("tên giấy tờ kết quả"), max_length=255, blank=True)
    file_url = models.CharField(
        _("đường dẫn tệp kết quả"), max_length=1000, blank=True, help_text="DuongDanTepTinKetQua"
    )
    file_sha256 = models.CharField(max_length=64, blank=True)
    issued_at = models.DateTimeField(_("ngày có kết quả"), null=True, blank=True, help_text="NgayCoKetQua")
    signature_state = models.CharField(
        _("chữ ký số"),
        max_length=16,
        choices=Signature.choices,
        default=Signature.UNSIGNED,
        help_text="Verified: the stored file's PAdES signature validated when it was signed here; "
        "imported rows keep what the source said (the pages show only a validated file as signed)",
    )
    stored_file = models.ForeignKey(
        "files.StoredFile",
        verbose_name=_("tệp kết quả"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The signed result file (checked, content-addressed)",
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ký"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    pushed_to_citizen_store = models.BooleanField(
        _("đã đẩy vào kho dữ liệu"), default=False, help_text="KetQuaDayVaoKho"
    )
    delivered_at = models.DateTimeField(_("ngày trả"), null=True, blank=True)
    delivery_method = models.CharField(_("hình thức trả"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("kết quả")
        verbose_name_plural = _("kết quả")
        ordering = ["dossier", "id"]

    def __str__(self):
        return f"{self.dossier} — {self.code or self.title}"


class FeeLine(models.Model):
    """A fee line of the dossier (DanhSachLePhi)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="fee_lines")
    code = models.CharField(_("mã phí"), max_length=64, blank=True)
    name = models.CharField(_("tên phí, lệ phí"), max_length=255, blank=True)
    amount = models.BigIntegerField(_("số tiền (đồng)"), null=True, blank=True, help_text="Gia")
    extra = models.JSONField(_("trường khác"), default=dict, blank=True)

    class Meta:
        verbose_name = _("phí, lệ phí của hồ sơ")
        verbose_name_plural = _("phí, lệ phí của hồ sơ")
        ordering = ["dossier", "id"]

    def __str__(self):
        return f"{self.name}: {self.amount}"


class Payment(models.Model):
    """A payment transaction for a dossier (thanh toán)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="payments")
    method = models.PositiveSmallIntegerField(_("hình thức"), choices=OnlinePayment.choices)
    paid_at = models.DateTimeField(_("thời điểm thanh toán"))
    amount = models.BigIntegerField(_("số tiền (đồng)"), default=0)
    transaction_id = models.CharField(_("mã giao dịch"), max_length=128, blank=True, help_text="MaGiaoDich")
    amount_due = models.BigIntegerField(
        _("số tiền phải nộp (đồng)"),
        null=True,
        blank=True,
        help_text="The dossier's fee lines when the payment was recorded; a different amount is flagged",
    )

    class Meta:
        verbose_name = _("thanh toán")
        verbose_name_plural = _("thanh toán")
        constraints = [
            # A payment platform's transaction is recorded once (the portal may deliver it twice).
            models.UniqueConstraint(
                fields=["transaction_id"], condition=~models.Q(transaction_id=""), name="payment_transaction_unique"
            ),
        ]

    def __str__(self):
        return f"{self.dossier} — {self.amount} đ"

    @property
    def amount_mismatch(self) -> bool:
        """The amount paid differs from the fees due: kept, and shown to the unit's finance officer."""
        return self.amount_due is not None and self.amount != self.amount_due


class DossierComponent(models.Model):
    """A submitted component (TaiLieuNop): digitized, reused, or taken from the citizen's store."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="components")
    component_code = models.CharField(_("mã thành phần"), max_length=128, blank=True, help_text="MaThanhPhanHoSo")
    name = models.CharField(_("tên giấy tờ"), max_length=500, blank=True)
    has_file = models.BooleanField(_("có tệp đính kèm"), default=False, help_text="CoTepDinhKem")
    digitized = models.BooleanField(_("được số hóa"), default=False, help_text="DuocSoHoa")
    reused = models.BooleanField(_("được tái sử dụng"), default=False, help_text="DuocTaiSuDung")
    from_citizen_store = models.BooleanField(_("lấy từ kho DMQG"), default=False, help_text="DuocLayTuKhoDMQG")
    file = models.FileField(
        _("tệp (dữ liệu nhập)"),
        upload_to="components/%Y/%m/",
        blank=True,
        help_text="Path reported by an imported exchange set; never served",
    )
    file_sha256 = models.CharField(max_length=64, blank=True)
    stored_file = models.ForeignKey(
        "files.StoredFile",
        verbose_name=_("tệp đã kiểm tra"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The checked scan (PDF), served only through the dossier's scoped view",
    )
    original_name = models.CharField(_("tên tệp gốc"), max_length=255, blank=True, db_default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tải lên"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"), null=True, blank=True)
    reused_from = models.ForeignKey(
        Dossier,
        verbose_name=_("tái sử dụng từ hồ sơ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        help_text="The earlier dossier whose paper was reused (4.3)",
    )
    extra = models.JSONField(_("trường khác"), default=dict, blank=True)

    class Meta:
        verbose_name = _("thành phần hồ sơ đã nộp")
        verbose_name_plural = _("thành phần hồ sơ đã nộp")
        ordering = ["dossier", "id"]

    def __str__(self):
        return self.name or self.component_code


class StopNotice(models.Model):
    """Withdrawal at the applicant's request or a stop (Thông báo dừng giải quyết hồ sơ, R1.30)."""

    class Kind(models.TextChoices):
        WITHDRAWAL = "withdrawal", _("Công dân rút hồ sơ")
        STOP = "stop", _("Dừng xử lý")
        REFUSAL = "refusal", _("Từ chối giải quyết")

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="stop_notice")
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    requested_at = models.DateTimeField(_("ngày yêu cầu"), null=True, blank=True)
    issued_at = models.DateTimeField(_("ngày thông báo"))
    reason = models.TextField(_("lý do"))

    class Meta:
        verbose_name = _("thông báo dừng, rút hồ sơ")
        verbose_name_plural = _("thông báo dừng, rút hồ sơ")

    def __str__(self):
        return f"{self.dossier} — {self.get_kind_display()}"


class DossierCodeSequence(models.Model):
    """Per-unit daily sequence for dossier codes (R4.3), incremented atomically."""

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="dossier_code_sequence_unique")]

    def __str__(self):
        return f"{self.unit_id} {self.day}: {self.last_value}"


class Proposal(models.Model):
    """A draft submitted for the leader's signature (trình ký): a result or an apology-and-extension letter.

    The specialist drafts (dự thảo), the leader signs (ký duyệt) or returns it with a
    reason (trả lại). Signing a result finishes the dossier with a signed
    :class:`DossierResult`; signing an apology issues the :class:`ApologyLetter`.
    Drafts are kept apart from results so that the 766 index never counts one.
    """

    class Kind(models.TextChoices):
        RESULT = "result", _("Dự thảo kết quả")
        APOLOGY = "apology", _("Dự thảo văn bản xin lỗi và đề nghị gia hạn")

    class State(models.TextChoices):
        PENDING = "pending", _("Chờ ký duyệt")
        SIGNED = "signed", _("Đã ký duyệt")
        RETURNED = "returned", _("Đã trả lại")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="proposals")
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    state = models.CharField(_("tình trạng"), max_length=16, choices=State.choices, default=State.PENDING)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người trình"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    proposed_at = models.DateTimeField(_("ngày trình"))
    from_step = models.ForeignKey(
        "catalog.WorkflowStep",
        verbose_name=_("bước trình"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        help_text="Where a returned draft goes back to",
    )
    title = models.CharField(_("tên giấy tờ kết quả"), max_length=255, blank=True)
    result_code = models.CharField(_("mã kết quả"), max_length=128, blank=True)
    file_url = models.CharField(_("đường dẫn tệp kết quả"), max_length=1000, blank=True)
    draft_file = models.ForeignKey(
        "files.StoredFile",
        verbose_name=_("tệp dự thảo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The draft result (PDF) the leader reviews and signs",
    )
    draft_name = models.CharField(_("tên tệp dự thảo"), max_length=255, blank=True, db_default="")
    note = models.TextField(
        _("nội dung trình"), blank=True, help_text="Result: the summary; apology: the reason for the delay"
    )
    extension_days = models.DecimalField(
        _("số ngày làm việc gia hạn"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    new_due_at = models.DateTimeField(_("ngày hẹn trả mới đề xuất"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ký duyệt"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    decided_at = models.DateTimeField(_("ngày ký duyệt"), null=True, blank=True)
    decision_note = models.TextField(_("lý do trả lại"), blank=True)
    result = models.OneToOneField(
        DossierResult, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposal"
    )
    apology_letter = models.OneToOneField(
        ApologyLetter, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposal"
    )

    class Meta:
        verbose_name = _("trình ký")
        verbose_name_plural = _("trình ký")
        ordering = ["dossier", "proposed_at", "id"]
        indexes = [models.Index(fields=["state", "kind"], name="proposal_state_kind")]
        constraints = [
            # One draft of each kind awaits the leader at a time.
            models.UniqueConstraint(
                fields=["dossier", "kind"], condition=models.Q(state="pending"), name="proposal_one_pending_per_kind"
            ),
        ]

    def __str__(self):
        return f"{self.dossier} — {self.get_kind_display()} ({self.get_state_display()})"


class PaperLookup(models.Model):
    """Who looked up whose earlier papers, and why (nhật ký tra cứu giấy tờ để tái sử dụng, 4.3).

    Written for every look-up at reception by số định danh cá nhân / mã số doanh nghiệp, whether
    anything was found or attached; never updated or deleted by the application.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tra cứu"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    looked_up_at = models.DateTimeField(_("thời điểm"), auto_now_add=True)
    id_number = models.CharField(_("số định danh được tra cứu"), max_length=32, db_index=True)
    reason = models.CharField(_("mục đích tra cứu"), max_length=500)
    dossier = models.ForeignKey(
        Dossier,
        verbose_name=_("hồ sơ đang tiếp nhận"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="paper_lookups",
    )
    found = models.PositiveIntegerField(_("số giấy tờ tìm thấy"), default=0)
    attached = models.JSONField(_("giấy tờ đã sử dụng lại"), default=list, blank=True)

    class Meta:
        verbose_name = _("nhật ký tra cứu giấy tờ")
        verbose_name_plural = _("nhật ký tra cứu giấy tờ")
        ordering = ["-looked_up_at", "-id"]

    def __str__(self):
        return f"{self.actor} → {self.id_number} ({self.looked_up_at:%d/%m/%Y %H:%M})"


class ResultHandover(models.Model):
    """Who collected the result at the desk (trả kết quả): the person, their ID number, and the
    authorisation (giấy ủy quyền) when it is not the applicant (NĐ 118/2025 Art. 18; Luật Căn cước 2023
    for the ID number). Printed on the return slip."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="handover")
    collected_at = models.DateTimeField(_("lúc trả"))
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("cán bộ trả kết quả"),
    )
    delivery_method = models.CharField(_("hình thức trả"), max_length=64, blank=True)
    collector_name = models.CharField(_("người nhận kết quả"), max_length=255, blank=True)
    collector_id_number = models.CharField(_("số định danh của người nhận"), max_length=32, blank=True)
    authorised = models.BooleanField(_("nhận thay theo ủy quyền"), default=False)
    authorisation = models.CharField(_("giấy ủy quyền (số, ngày)"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("biên nhận trả kết quả")
        verbose_name_plural = _("biên nhận trả kết quả")

    def __str__(self):
        return f"{self.dossier_id}: {self.collector_name}"
