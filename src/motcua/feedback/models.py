"""Complaints and petitions (phản ánh, kiến nghị — PAKN) and citizens' ratings of dossiers.

A complaint's status changes only through :mod:`motcua.feedback.lifecycle` (the services in
:mod:`motcua.feedback.services`); each change appends a :class:`ComplaintStatusLog` row, which is
what the 766 engine reads for 5.2 and 5.3.
"""

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


class ComplaintChannel(models.TextChoices):
    """Where the complaint was received."""

    PORTAL = "cong_dvcqg", _("Cổng Dịch vụ công quốc gia")
    COUNTER = "truc_tiep", _("Trực tiếp tại Bộ phận Một cửa")
    HOTLINE = "duong_day_nong", _("Đường dây nóng")


class Complaint(models.Model):
    """A PAKN (ND 20/2008): from the national portal, the counter or the hotline."""

    code = models.CharField(_("mã PAKN"), max_length=64, unique=True, help_text="MaPAKN")
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("đơn vị có thẩm quyền"), on_delete=models.PROTECT, related_name="complaints"
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ liên quan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
    )
    dossier_code = models.CharField(_("mã hồ sơ liên quan"), max_length=64, blank=True, help_text="MaHoSo as received")
    category = models.CharField(_("phân loại"), max_length=16, choices=ComplaintCategory.choices, blank=True)
    submitted_at = models.DateTimeField(_("ngày gửi"), null=True, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=24, choices=ComplaintStatus.choices, default=ComplaintStatus.AWAITING
    )
    likes = models.PositiveIntegerField(_("số thích"), default=0)
    dislikes = models.PositiveIntegerField(_("số không thích"), default=0)
    repeats = models.ForeignKey(
        "self",
        verbose_name=_("phản ánh trước"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repeated_by",
        help_text="MaPAKNTruoc",
    )
    title = models.CharField(_("tiêu đề"), max_length=500, blank=True)
    content = models.TextField(_("nội dung"), blank=True)
    channel = models.CharField(_("kênh tiếp nhận"), max_length=16, choices=ComplaintChannel.choices, blank=True)
    sender_name = models.CharField(_("người gửi"), max_length=255, blank=True, help_text="NguoiGui")
    sender_phone = models.CharField(_("điện thoại người gửi"), max_length=32, blank=True)
    sender_email = models.CharField(_("thư điện tử người gửi"), max_length=254, blank=True)
    sender_address = models.CharField(_("địa chỉ người gửi"), max_length=500, blank=True)
    # Accent-free, lower-case forms of the sender and the title: how a repeated complaint is recognised.
    sender_key = models.CharField(max_length=255, blank=True, editable=False)
    subject_key = models.CharField(max_length=500, blank=True, editable=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chuyên viên xử lý"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    due_at = models.DateTimeField(
        _("hạn đang chạy"),
        null=True,
        blank=True,
        help_text="When the complaint turns late if nothing happens (answer, else publication); empty once closed",
    )
    answer = models.TextField(_("nội dung trả lời"), blank=True, help_text="The answer the leader approved")
    published_at = models.DateTimeField(_("ngày công khai"), null=True, blank=True)
    extra = models.JSONField(_("trường khác"), default=dict, blank=True)

    class Meta:
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        ordering = ["-submitted_at"]
        indexes = [
            # The desk's queue and the scoreboard's overdue list: open complaints of some units by deadline.
            models.Index(fields=["unit", "due_at"], name="complaint_unit_due"),
            models.Index(fields=["sender_key", "subject_key", "submitted_at"], name="complaint_repeat_lookup"),
        ]

    def __str__(self):
        return self.code


class ComplaintStatusLog(models.Model):
    """Append-only step log of a PAKN (LichSu): one row per change, never updated or deleted.

    ``status`` is the status after the change; an action that keeps the status (classification, a
    draft returned) repeats it, which the 766 engine ignores (it reads the first row of each status
    after the clock start, and every ``chuyen_xu_ly`` row, which no such action writes).
    """

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="status_log")
    status = models.CharField(_("trạng thái"), max_length=24, choices=ComplaintStatus.choices)
    occurred_at = models.DateTimeField(_("thời điểm"))
    action = models.CharField(_("thao tác"), max_length=32, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    note = models.TextField(_("ghi chú"), blank=True)
    extra = models.JSONField(_("trường khác"), default=dict, blank=True)

    class Meta:
        verbose_name = _("lịch sử PAKN")
        verbose_name_plural = _("lịch sử PAKN")
        ordering = ["complaint", "occurred_at", "id"]

    def __str__(self):
        return f"{self.complaint_id} {self.status} {self.occurred_at:%d/%m/%Y}"


class ComplaintAnswer(models.Model):
    """An answer drafted by a specialist, approved or returned by a leader (the approved one is published)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Chờ phê duyệt")
        APPROVED = "approved", _("Đã phê duyệt")
        RETURNED = "returned", _("Trả lại")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="answers")
    text = models.TextField(_("nội dung trả lời"))
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dự thảo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    drafted_at = models.DateTimeField(_("ngày dự thảo"))
    state = models.CharField(_("trạng thái"), max_length=16, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người phê duyệt"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    decided_at = models.DateTimeField(_("ngày phê duyệt"), null=True, blank=True)
    decision_note = models.TextField(_("lý do trả lại"), blank=True)

    class Meta:
        verbose_name = _("dự thảo trả lời PAKN")
        verbose_name_plural = _("dự thảo trả lời PAKN")
        ordering = ["complaint", "drafted_at", "id"]

    def __str__(self):
        return f"{self.complaint_id} — {self.get_state_display()}"


class ComplaintCodeSequence(models.Model):
    """The daily sequence of the complaints a unit records at its counter or hotline."""

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="complaint_code_sequence_unique")]

    def __str__(self):
        return f"{self.unit_id} {self.day}: {self.last_value}"


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
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("đơn vị xử lý"), on_delete=models.PROTECT, related_name="rating_follow_ups"
    )
    reason = models.TextField(_("lý do không hài lòng"), blank=True)
    source = models.CharField(_("nguồn đánh giá"), max_length=32, blank=True, help_text="web, kiosk, portal …")
    opened_at = models.DateTimeField(_("ngày mở"))
    due_at = models.DateTimeField(_("hạn xử lý"))
    state = models.CharField(_("tình trạng"), max_length=8, choices=State.choices, default=State.OPEN)
    closed_at = models.DateTimeField(_("ngày đóng"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đóng"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    note = models.TextField(_("kết quả xử lý"), blank=True)

    class Meta:
        verbose_name = _("theo dõi đánh giá không hài lòng")
        verbose_name_plural = _("theo dõi đánh giá không hài lòng")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["unit", "state", "due_at"], name="rating_followup_unit_open")]
        constraints = [
            models.UniqueConstraint(
                fields=["rating"], condition=models.Q(state="open"), name="rating_followup_one_open"
            ),
        ]

    #: Where the rating came from, as the leaders' list says it.
    SOURCE_LABELS = {"web": _("trang tra cứu"), "kiosk": _("tại quầy"), "portal": _("Cổng DVCQG")}

    def __str__(self):
        return f"{self.rating.dossier_id} — {self.get_state_display()}"

    @property
    def source_label(self) -> str:
        return str(self.SOURCE_LABELS.get(self.source, self.source))
