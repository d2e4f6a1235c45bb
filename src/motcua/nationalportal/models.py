"""The sync outbox towards Cổng Dịch vụ công quốc gia and the relay's bookkeeping.

Two tables carry delivery state, so that any number of relays (threads, processes, machines)
share it through the database and a killed relay loses nothing:

- :class:`OutboxMessage`: what must be sent, written in the same transaction as the dossier
  change (portal-sync.md §1.5). An *upsert* says "send this dossier's current state"; the state
  is read when it is sent, so several pending upserts of a dossier collapse into its latest
  state. A *progress* message is one entry of the dossier's status history
  (CapNhatTienDoHoSoMC), its payload fixed when the change was committed.
- :class:`PortalDossier`: one row per dossier that ever had something to send: whether work is
  pending (``ready_at``), which relay holds it (lease), what the portal holds
  (``on_portal``, the hash of the last acknowledged object) and dead letters (``blocked``).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    class Kind(models.TextChoices):
        UPSERT = "upsert", _("Đồng bộ hồ sơ (DongBoHoSoMC)")
        PROGRESS = "progress", _("Cập nhật tiến độ (CapNhatTienDoHoSoMC)")

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    #: Progress messages: the item sent (portal-sync.md §1.3), identified by (MaHoSo, TrangThai, ThoiDiemXuLy).
    payload = models.JSONField(_("nội dung"), default=dict, blank=True)
    status = models.PositiveSmallIntegerField(_("trạng thái"), null=True, blank=True, help_text="TrangThai (progress)")
    occurred_at = models.DateTimeField(_("thời điểm xử lý"), null=True, blank=True, help_text="ThoiDiemXuLy (progress)")
    created_at = models.DateTimeField(_("ghi nhận lúc"))
    #: Set before a progress item is sent: the portal may have applied it even if no answer came back
    #: (timeout, 5xx, relay killed), so it is checked with TraCuuHoSo before being sent again.
    maybe_applied = models.BooleanField(_("có thể đã gửi"), default=False)
    attempts = models.PositiveIntegerField(_("số lần gửi"), default=0)
    delivered_at = models.DateTimeField(_("Cổng xác nhận lúc"), null=True, blank=True)
    dead_at = models.DateTimeField(_("bị từ chối lúc"), null=True, blank=True)
    error = models.TextField(_("thông báo của Cổng"), blank=True)

    class Meta:
        verbose_name = _("thông điệp chờ đồng bộ")
        verbose_name_plural = _("thông điệp chờ đồng bộ")
        ordering = ["id"]
        indexes = [
            # The relay reads a dossier's undelivered messages in order; delivered ones are most rows.
            models.Index(
                fields=["dossier", "id"], name="outbox_pending_by_dossier", condition=Q(delivered_at__isnull=True)
            ),
            models.Index(fields=["dossier", "kind"], name="outbox_by_dossier_kind"),
            models.Index(
                fields=["created_at"],
                name="outbox_pending_age",
                condition=Q(delivered_at__isnull=True, dead_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"


class PortalDossier(models.Model):
    """The sync state of one dossier (what the relay knows of it on the portal)."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.CASCADE, primary_key=True, related_name="portal_sync"
    )
    #: When pending work may next be tried; null when nothing is pending.
    ready_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    pending_since = models.DateTimeField(_("chờ từ"), null=True, blank=True)
    lease_owner = models.CharField(_("tiến trình giữ"), max_length=64, blank=True)
    lease_until = models.DateTimeField(_("giữ đến"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("số lần lỗi liên tiếp"), default=0)
    on_portal = models.BooleanField(_("Cổng đã có hồ sơ"), default=False)
    acked_hash = models.CharField(_("dấu của bản Cổng đã nhận"), max_length=64, blank=True)
    first_acked_at = models.DateTimeField(_("Cổng xác nhận lần đầu"), null=True, blank=True)
    last_acked_at = models.DateTimeField(_("Cổng xác nhận lần cuối"), null=True, blank=True)
    #: A dead letter (answer 02) stops this dossier until someone resends it.
    blocked = models.BooleanField(_("bị Cổng từ chối"), default=False)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)

    class Meta:
        verbose_name = _("tình trạng đồng bộ hồ sơ")
        verbose_name_plural = _("tình trạng đồng bộ hồ sơ")
        indexes = [
            models.Index(
                fields=["ready_at"], name="portal_dossier_ready", condition=Q(ready_at__isnull=False, blocked=False)
            ),
            models.Index(fields=["blocked"], name="portal_dossier_blocked", condition=Q(blocked=True)),
        ]

    def __str__(self):
        return str(self.dossier_id)


class RelayStatus(models.Model):
    """One row: the last success and error of any relay (``motcua portal status``, the admin page)."""

    last_success_at = models.DateTimeField(_("gửi thành công lần cuối"), null=True, blank=True)
    last_error_at = models.DateTimeField(_("lỗi lần cuối"), null=True, blank=True)
    last_error = models.TextField(_("lỗi"), blank=True)

    class Meta:
        verbose_name = _("tình trạng gửi lên Cổng")
        verbose_name_plural = _("tình trạng gửi lên Cổng")

    def __str__(self):
        return f"relay status ({self.last_success_at})"
