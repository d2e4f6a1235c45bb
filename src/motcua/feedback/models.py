"""Complaints and petitions (phản ánh, kiến nghị — PAKN) and citizens' ratings of dossiers."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ComplaintCategory(models.TextChoices):
    REGULATION = "quy_dinh", _("Quy định, thủ tục hành chính")
    CONDUCT = "hanh_vi", _("Hành vi của cán bộ, công chức, viên chức")


class ComplaintStatus(models.TextChoices):
    AWAITING = "cho_tiep_nhan", _("Chờ tiếp nhận")
    ACCEPTED = "da_tiep_nhan", _("Đã tiếp nhận")
    SUPPLEMENT = "yeu_cau_bo_sung", _("Yêu cầu bổ sung")
    REFUSED = "tu_choi", _("Từ chối")
    PROCESSING = "dang_xu_ly", _("Đang xử lý")
    AWAITING_PUBLICATION = "cho_cong_khai", _("Chờ công khai")
    PUBLISHED = "da_cong_khai", _("Đã công khai")
    TRANSFERRED = "chuyen_xu_ly", _("Chuyển xử lý")
    RETURNED = "tra_lai", _("Trả lại")


class Complaint(models.Model):
    """A PAKN (ND 20/2008), usually arriving from the national portal."""

    code = models.CharField(_("mã PAKN"), max_length=64, unique=True, help_text="MaPAKN")
    unit = models.ForeignKey("org.Unit", verbose_name=_("đơn vị có thẩm quyền"), on_delete=models.PROTECT, related_name="complaints")
    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("hồ sơ liên quan"), null=True, blank=True, on_delete=models.SET_NULL, related_name="complaints"
    )
    dossier_code = models.CharField(_("mã hồ sơ liên quan"), max_length=64, blank=True, help_text="MaHoSo as received")
    category = models.CharField(_("phân loại"), max_length=16, choices=ComplaintCategory.choices, blank=True)
    submitted_at = models.DateTimeField(_("ngày gửi"), null=True, blank=True)
    status = models.CharField(_("trạng thái"), max_length=24, choices=ComplaintStatus.choices, default=ComplaintStatus.AWAITING)
    likes = models.PositiveIntegerField(_("số thích"), default=0)
    dislikes = models.PositiveIntegerField(_("số không thích"), default=0)
    repeats = models.ForeignKey(
        "self", verbose_name=_("phản ánh trước"), null=True, blank=True, on_delete=models.SET_NULL, related_name="repeated_by",
        help_text="MaPAKNTruoc",
    )
    title = models.CharField(_("tiêu đề"), max_length=500, blank=True)
    content = models.TextField(_("nội dung"), blank=True)
    extra = models.JSONField(_("trường khác"), default=dict, blank=True)

    class Meta:
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        ordering = ["-submitted_at"]

    def __str__(self):
        return self.code


class ComplaintStatusLog(models.Model):
    """Append-only step log of a PAKN (LichSu)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="status_log")
    status = models.CharField(_("trạng thái"), max_length=24, choices=ComplaintStatus.choices)
    occurred_at = models.DateTimeField(_("thời điểm"))
    extra = models.JSONField(_("trường khác"), default=dict, blank=True)

    class Meta:
        verbose_name = _("lịch sử PAKN")
        verbose_name_plural = _("lịch sử PAKN")
        ordering = ["complaint", "occurred_at", "id"]

    def __str__(self):
        return f"{self.complaint_id} {self.status} {self.occurred_at:%d/%m/%Y}"


class Rating(models.Model):
    """A citizen's rating of how a dossier was handled (đánh giá mức độ hài lòng)."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="ratings")
    dissatisfied = models.BooleanField(_("không hài lòng"), default=False, help_text="KhongHaiLong")
    rated_at = models.DateTimeField(_("ngày đánh giá"), null=True, blank=True, help_text="NgayDanhGia")
    score = models.PositiveSmallIntegerField(_("điểm"), null=True, blank=True)
    comment = models.TextField(_("ý kiến"), blank=True)

    class Meta:
        verbose_name = _("đánh giá")
        verbose_name_plural = _("đánh giá")

    def __str__(self):
        return f"{self.dossier_id} — {'không hài lòng' if self.dissatisfied else 'hài lòng'}"


class RatingFollowUp(models.Model):
    """A "not satisfied" rating opens a task for the leaders of the dossier's handling unit (Signalen-style).

    It has its own deadline in working days; a leader closes it with what was done. One task at a
    time per rating: a later "not satisfied" while one is open adds to it instead of opening another.
    """

    class State(models.TextChoices):
        OPEN = "open", _("Đang mở")
        CLOSED = "closed", _("Đã đóng")

    rating = models.ForeignKey(Rating, verbose_name=_("đánh giá"), on_delete=models.CASCADE, related_name="follow_ups")
    unit = models.ForeignKey("org.Unit", verbose_name=_("đơn vị xử lý"), on_delete=models.PROTECT,
                             related_name="rating_follow_ups")
    reason = models.TextField(_("lý do không hài lòng"), blank=True)
    source = models.CharField(_("nguồn đánh giá"), max_length=32, blank=True, help_text="web, kiosk, portal …")
    opened_at = models.DateTimeField(_("ngày mở"))
    due_at = models.DateTimeField(_("hạn xử lý"))
    state = models.CharField(_("tình trạng"), max_length=8, choices=State.choices, default=State.OPEN)
    closed_at = models.DateTimeField(_("ngày đóng"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người đóng"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+", db_index=False)
    note = models.TextField(_("kết quả xử lý"), blank=True)

    class Meta:
        verbose_name = _("theo dõi đánh giá không hài lòng")
        verbose_name_plural = _("theo dõi đánh giá không hài lòng")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["unit", "state", "due_at"], name="rating_followup_unit_open")]
        constraints = [
            models.UniqueConstraint(fields=["rating"], condition=models.Q(state="open"),
                                    name="rating_followup_one_open"),
        ]

    #: Where the rating came from, as the leaders' list says it.
    SOURCE_LABELS = {"web": _("trang tra cứu"), "kiosk": _("tại quầy"), "portal": _("Cổng DVCQG")}

    def __str__(self):
        return f"{self.rating.dossier_id} — {self.get_state_display()}"

    @property
    def source_label(self) -> str:
        return str(self.SOURCE_LABELS.get(self.source, self.source))
