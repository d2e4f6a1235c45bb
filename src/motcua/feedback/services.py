"""Recording ratings and complaints (from the national portal, the counter or the hotline).

Each function is one transaction under the audit context of its source; a replay of the same
record (same key) changes nothing and returns what the first call stored.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from motcua.core.audit import audit_context
from motcua.core.errors import UserError
from motcua.workdays.services import get_calendar

from .models import (
    Complaint,
    ComplaintCategory,
    ComplaintStatus,
    ComplaintStatusLog,
    Rating,
    RatingFollowUp,
)


def record_rating(dossier, *, satisfied: bool, reason: str = "", rated_at: datetime, source: str = "portal",
                  actor=None) -> Rating:
    """Đánh giá mức độ hài lòng (766 indicator 5.4): one per dossier, a later rating replaces an earlier one.

    A rating older than the one kept (a late delivery) changes nothing. A "not satisfied" opens a
    follow-up task for the handling unit's leaders (:class:`RatingFollowUp`), whatever its source.
    """
    with transaction.atomic(), audit_context(actor, source):
        ratings = list(Rating.objects.select_for_update().filter(dossier=dossier).order_by("-rated_at", "-pk"))
        current = ratings[0] if ratings else None
        if current is not None and current.rated_at is not None and rated_at <= current.rated_at:
            return current
        if current is None:
            current = Rating.objects.create(dossier=dossier, dissatisfied=not satisfied, rated_at=rated_at,
                                            comment=reason)
        else:
            current.dissatisfied, current.rated_at, current.comment = not satisfied, rated_at, reason
            current.save(update_fields=["dissatisfied", "rated_at", "comment"])
            for older in ratings[1:]:  # legacy duplicates: the latest stands alone
                older.delete()
        if not satisfied:
            _open_follow_up(current, dossier, source=source, at=rated_at)
        return current


#: Working days the unit's leaders have to follow a "not satisfied" rating up.
FOLLOW_UP_WORKING_DAYS = 2


def _open_follow_up(rating: Rating, dossier, *, source: str, at: datetime) -> RatingFollowUp:
    """The open follow-up task of ``rating``: a new one for the handling unit's leaders, or the one still
    open, which takes the latest reason (its deadline stays: the citizen is owed an answer already)."""
    task = RatingFollowUp.objects.filter(rating=rating, state=RatingFollowUp.State.OPEN).first()
    if task is not None:
        task.reason, task.source = rating.comment, source
        task.save(update_fields=["reason", "source"])
        return task
    due_at = get_calendar().add_working_days(at, FOLLOW_UP_WORKING_DAYS)
    return RatingFollowUp.objects.create(rating=rating, unit_id=dossier.handling_unit_id, reason=rating.comment,
                                         source=source, opened_at=at, due_at=due_at)


def close_follow_up(task: RatingFollowUp, *, note: str, actor, at: datetime | None = None,
                    source: str = "web") -> RatingFollowUp:
    """A leader closes the task with what was done (contacting the citizen, a correction, a sanction …)."""
    note = (note or "").strip()
    if not note:
        raise UserError("Phải ghi rõ kết quả xử lý trước khi đóng.", f"follow-up {task.pk} closed without a note")
    with transaction.atomic(), audit_context(actor, source):
        task = RatingFollowUp.objects.select_for_update().get(pk=task.pk)
        if task.state != RatingFollowUp.State.OPEN:
            raise UserError("Việc theo dõi này đã được đóng.", f"follow-up {task.pk} already closed")
        task.state, task.note = RatingFollowUp.State.CLOSED, note
        task.closed_at = at or timezone.now()
        task.closed_by = actor if getattr(actor, "is_authenticated", False) else None
        task.save(update_fields=["state", "note", "closed_at", "closed_by"])
        return task


def register_complaint(*, code: str, unit, category: str, title: str, content: str, submitted_at: datetime,
                       sender: str = "", dossier=None, dossier_code: str = "", source: str = "portal",
                       actor=None) -> tuple[Complaint, bool]:
    """A new PAKN awaiting intake (``cho_tiep_nhan``), its clock started at submission; ``(complaint, created)``."""
    if category not in ComplaintCategory.values:
        raise UserError(f"Phân loại phản ánh không hợp lệ: {category!r}.", f"bad complaint category {category!r}")
    with transaction.atomic(), audit_context(actor, source):
        existing = Complaint.objects.filter(code=code).first()
        if existing is not None:
            return existing, False
        complaint = Complaint.objects.create(
            code=code, unit=unit, category=category, title=title, content=content, submitted_at=submitted_at,
            dossier=dossier, dossier_code=dossier_code, status=ComplaintStatus.AWAITING,
            extra={"NguoiGui": sender} if sender else {},
        )
        ComplaintStatusLog.objects.create(complaint=complaint, status=ComplaintStatus.AWAITING,
                                          occurred_at=submitted_at, extra={"source": source})
        return complaint, True


def deadlines_of(complaint: Complaint):
    """The complaint's deadlines now (feedback.deadlines), from its log's transfers and publication wait."""
    from .deadlines import complaint_deadlines

    log = list(complaint.status_log.order_by("occurred_at", "pk").values_list("status", "occurred_at"))
    transfers = [at for status, at in log if status == ComplaintStatus.TRANSFERRED]
    waiting = [at for status, at in log if status == ComplaintStatus.AWAITING_PUBLICATION]
    return complaint_deadlines(complaint.submitted_at, transfers=transfers,
                               awaiting_publication_at=waiting[-1] if waiting else None)
