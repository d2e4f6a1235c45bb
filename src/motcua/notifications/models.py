"""What was (or is to be) sent to whom, once per event, and who asked not to be sent anything.

A :class:`Notification` row is written in the same transaction as the event it tells about, before
anything is sent; its uniqueness on (kind, object, channel, recipient) is what keeps an event from
being told twice, however often it is replayed or its sending retried.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    DOSSIER_RECEIVED = "dossier_received", _("Tiếp nhận hồ sơ")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung hồ sơ")
    RESULT_READY = "result_ready", _("Có kết quả giải quyết")
    APOLOGY_LETTER = "apology_letter", _("Thư xin lỗi và hẹn lại ngày trả kết quả")
    COMPLAINT_ANSWERED = "complaint_answered", _("Phản ánh, kiến nghị đã được trả lời")
    STAFF_DIGEST = "staff_digest", _("Tổng hợp hằng ngày cho cán bộ")


class ChannelName(models.TextChoices):
    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn SMS")
    ZALO = "zalo", _("Zalo")


class Notification(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Chờ gửi")
        SENDING = "sending", _("Đang gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Gửi lỗi")
        SKIPPED = "skipped", _("Không gửi (người nhận từ chối)")

    kind = models.CharField(_("loại"), max_length=32, choices=Kind.choices)
    object_id = models.CharField(
        _("sự kiện"),
        max_length=64,
        help_text="The event told about: a dossier event's or complaint log row's id, a digest's day",
    )
    channel = models.CharField(_("kênh"), max_length=16, choices=ChannelName.choices)
    recipient = models.CharField(_("người nhận"), max_length=254, help_text="Normalised e-mail address or phone number")
    reference = models.CharField(_("hồ sơ, PAKN"), max_length=64, blank=True)
    context = models.JSONField(default=dict, blank=True, help_text="What the template needs, taken at the event")
    state = models.CharField(_("trạng thái"), max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    subject = models.CharField(_("tiêu đề"), max_length=255, blank=True)
    body = models.TextField(_("nội dung đã gửi"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id", "channel", "recipient"], name="notification_once"),
        ]
        indexes = [models.Index(fields=["state", "updated_at"], name="notification_state")]

    def __str__(self):
        return f"{self.kind} {self.object_id} → {self.channel}:{self.recipient} ({self.state})"


class OptOut(models.Model):
    """A recipient who asked not to be notified (on one channel, or on every channel when ``channel`` is blank).

    Recorded from the link in every e-mail, or by staff in the admin when a citizen asks at the
    counter or by phone; honoured when notifications are written and again when they are sent.
    """

    recipient = models.CharField(_("người nhận"), max_length=254, help_text="Normalised e-mail address or phone number")
    channel = models.CharField(
        _("kênh"), max_length=16, choices=ChannelName.choices, blank=True, help_text=_("Để trống: mọi kênh")
    )
    created_at = models.DateTimeField(_("ghi nhận lúc"), auto_now_add=True)
    source = models.CharField(_("nguồn"), max_length=32, blank=True, help_text="link, admin …")

    class Meta:
        verbose_name = _("từ chối nhận thông báo")
        verbose_name_plural = _("từ chối nhận thông báo")
        constraints = [models.UniqueConstraint(fields=["recipient", "channel"], name="opt_out_once")]

    def __str__(self):
        return f"{self.recipient} ({self.channel or 'mọi kênh'})"

    def save(self, *args, **kwargs):
        from .channels import normalise

        kind = ChannelName.EMAIL if "@" in self.recipient else ChannelName.SMS  # a phone number for SMS and Zalo
        self.recipient = normalise(kind, self.recipient)
        super().save(*args, **kwargs)
