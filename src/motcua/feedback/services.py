"""Ratings and complaints (phản ánh, kiến nghị — PAKN): the only way to record or change them.

Each public function is one business action: one transaction under the audit context of its source
(``web``, ``portal``), the complaint's row locked, the action checked against the transition table
and its ``why_not_`` rule (:mod:`.lifecycle`), one append-only :class:`ComplaintStatusLog` row and
the complaint's running deadline (``due_at``) brought up to date. A refused action raises
:class:`~motcua.core.errors.UserError` (``TransitionError``) and leaves the database as it was.

A replay of a record that carries its own key (a rating, a complaint from the portal) changes
nothing and returns what the first call stored.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from motcua.core.audit import audit_context
from motcua.core.errors import TransitionError, UserError
from motcua.core.text import email_key, fold_key, phone_key
from motcua.workdays.services import get_calendar

from . import lifecycle
from .deadlines import ComplaintDeadlines, complaint_deadlines, running_deadline
from .models import (
    Complaint,
    ComplaintAnswer,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintStatus,
    ComplaintStatusLog,
    Rating,
    RatingFollowUp,
)

logger = logging.getLogger("motcua.feedback")

#: A complaint from the same sender about the same subject within this many days repeats the earlier one.
REPEAT_WINDOW = timedelta(days=90)


def _instant(at: datetime | None) -> datetime:
    if at is None:
        return timezone.now()
    if timezone.is_naive(at):
        raise UserError("Thời điểm phải có múi giờ.", "naive datetime passed to a complaint action")
    return at


def _person(user):
    return user if getattr(user, "is_authenticated", False) else None


def _required(value: str, message: str, log: str) -> str:
    value = (value or "").strip()
    if not value:
        raise UserError(message, log)
    return value


# --- ratings ------------------------------------------------------------------------------------------------


def record_rating(
    dossier, *, satisfied: bool, reason: str = "", rated_at: datetime, source: str = "portal", actor=None
) -> Rating:
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
            current = Rating.objects.create(
                dossier=dossier, dissatisfied=not satisfied, rated_at=rated_at, comment=reason
            )
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
    return RatingFollowUp.objects.create(
        rating=rating,
        unit_id=dossier.handling_unit_id,
        reason=rating.comment,
        source=source,
        opened_at=at,
        due_at=due_at,
    )


def close_follow_up(
    task: RatingFollowUp, *, note: str, actor, at: datetime | None = None, source: str = "web"
) -> RatingFollowUp:
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


# --- deadlines ----------------------------------------------------------------------------------------------


def deadlines_of(complaint: Complaint) -> ComplaintDeadlines:
    """The complaint's deadlines (feedback.deadlines), from its log's transfers and publication wait.

    Reads ``complaint.status_log`` (a prefetch when the caller made one).
    """
    log = [(row.status, row.occurred_at) for row in complaint.status_log.all()]
    log.sort(key=lambda item: item[1])
    transfers = [at for status, at in log if status == ComplaintStatus.TRANSFERRED]
    waiting = [at for status, at in log if status == ComplaintStatus.AWAITING_PUBLICATION]
    return complaint_deadlines(
        complaint.submitted_at, transfers=transfers, awaiting_publication_at=waiting[-1] if waiting else None
    )


def _running_due(complaint: Complaint) -> datetime | None:
    if complaint.submitted_at is None:
        return None
    try:
        return running_deadline(complaint.status, deadlines_of(complaint))
    except ValueError:  # an instant outside the calendar's years: no deadline shown
        logger.warning("complaint %s: deadline outside the working-day calendar", complaint.code)
        return None


def refresh_due_instants(complaints) -> int:
    """Store the running deadline of complaints written without the services (an import); how many changed."""
    changed = []
    for complaint in complaints.prefetch_related("status_log"):
        due = _running_due(complaint)
        if due != complaint.due_at:
            complaint.due_at = due
            changed.append(complaint)
    Complaint.objects.bulk_update(changed, ["due_at"], batch_size=1000)
    return len(changed)


# --- registration -------------------------------------------------------------------------------------------


def allocate_complaint_code(unit, at: datetime) -> str:
    """Next local complaint code ``<unit>-PAKN-YYMMDD-NNNN``: one atomic upsert of the day's sequence."""
    day = timezone.localtime(at).date()
    table = connection.ops.quote_name("feedback_complaintcodesequence")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (unit_id, day, last_value) VALUES (%s, %s, 1) "
            f"ON CONFLICT (unit_id, day) DO UPDATE SET last_value = {table}.last_value + 1 RETURNING last_value",
            [unit.pk, day],
        )
        (value,) = cursor.fetchone()
    return f"{unit.dossier_code_prefix}-PAKN-{day:%y%m%d}-{value:04d}"


def _contacts_agree(earlier: Complaint, phone: str, email: str) -> bool:
    """Two complaints under one name are from one sender unless their phones or e-mails differ."""
    if phone and earlier.sender_phone and phone_key(earlier.sender_phone) != phone:
        return False
    return not (email and earlier.sender_email and email_key(earlier.sender_email) != email)


def find_repeated(
    *, sender_key: str, subject_key: str, submitted_at: datetime, phone: str = "", email: str = "", exclude=None
) -> Complaint | None:
    """The latest complaint by the same sender about the same subject in the 90 days before ``submitted_at``.

    Sender and subject are compared accent-free and case-insensitively (``core.text.fold_key``); an
    anonymous complaint or one without a title repeats nothing.
    """
    if not sender_key or not subject_key:
        return None
    candidates = Complaint.objects.filter(
        sender_key=sender_key,
        subject_key=subject_key,
        submitted_at__gte=submitted_at - REPEAT_WINDOW,
        submitted_at__lte=submitted_at,
    ).order_by("-submitted_at", "-pk")
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    phone, email = phone_key(phone), email_key(email)
    return next((c for c in candidates[:20] if _contacts_agree(c, phone, email)), None)


def register_complaint(
    *,
    unit,
    category: str,
    title: str,
    content: str,
    submitted_at: datetime,
    code: str | None = None,
    sender: str = "",
    sender_phone: str = "",
    sender_email: str = "",
    sender_address: str = "",
    channel: str = ComplaintChannel.PORTAL,
    dossier=None,
    dossier_code: str = "",
    source: str = "portal",
    actor=None,
) -> tuple[Complaint, bool]:
    """A new PAKN awaiting intake (``cho_tiep_nhan``), its clock started at submission; ``(complaint, created)``.

    From the portal with its own ``code`` (a replay returns the stored complaint), or from the counter
    and the hotline without one (a local code is allocated). A complaint by the same sender about the
    same subject within 90 days is linked to the earlier one (``repeats``, MaPAKNTruoc).
    """
    if category not in ComplaintCategory.values:
        raise UserError(f"Phân loại phản ánh không hợp lệ: {category!r}.", f"bad complaint category {category!r}")
    if channel not in ComplaintChannel.values:
        raise UserError(f"Kênh tiếp nhận không hợp lệ: {channel!r}.", f"bad complaint channel {channel!r}")
    submitted_at = _instant(submitted_at)
    with transaction.atomic(), audit_context(actor, source):
        if code:
            existing = Complaint.objects.filter(code=code).first()
            if existing is not None:
                return existing, False
        else:
            code = allocate_complaint_code(unit, submitted_at)
        complaint = Complaint(
            code=code,
            unit=unit,
            category=category,
            title=title.strip(),
            content=content.strip(),
            submitted_at=submitted_at,
            dossier=dossier,
            dossier_code=dossier_code or getattr(dossier, "code", ""),
            status=ComplaintStatus.AWAITING,
            channel=channel,
            sender_name=sender.strip(),
            sender_phone=sender_phone.strip(),
            sender_email=sender_email.strip(),
            sender_address=sender_address.strip(),
            sender_key=fold_key(sender)[:255],
            subject_key=fold_key(title)[:500],
            # NguoiGui is also a field of the exchange format's extra (exported as it came).
            extra={"NguoiGui": sender} if sender else {},
        )
        complaint.repeats = find_repeated(
            sender_key=complaint.sender_key,
            subject_key=complaint.subject_key,
            submitted_at=submitted_at,
            phone=sender_phone,
            email=sender_email,
        )
        try:  # a new complaint's clock starts at submission: no log to read yet
            complaint.due_at = running_deadline(complaint.status, complaint_deadlines(submitted_at))
        except ValueError:  # outside the calendar's years
            complaint.due_at = None
        complaint.save()
        ComplaintStatusLog.objects.create(
            complaint=complaint,
            status=ComplaintStatus.AWAITING,
            occurred_at=submitted_at,
            action="register",
            actor=_person(actor),
            extra={"source": source},
        )
        if complaint.repeats_id:
            logger.info(
                "complaint %s repeats %s (same sender and subject within 90 days)",
                complaint.code,
                complaint.repeats.code,
            )
        return complaint, True


# --- the desk's actions -------------------------------------------------------------------------------------


def _locked(complaint: Complaint, action: str, at: datetime) -> Complaint:
    """The complaint re-read under a row lock, once ``action`` is allowed on it at ``at``.

    The transition table and the action's rule (``lifecycle.why_not``) first, then the order of
    events: an action may not be dated before the complaint's last change.
    """
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    lifecycle.check(complaint.status, action)
    reason = lifecycle.why_not(action, complaint, at)
    if reason:
        raise TransitionError(
            reason, f"complaint {complaint.code}: {action} refused at {at.isoformat()}", code="refused"
        )
    last = complaint.status_log.aggregate(last=Max("occurred_at"))["last"]
    if last is not None and at < last:
        raise TransitionError(
            f"Thời điểm {timezone.localtime(at):%H:%M %d/%m/%Y} sớm hơn thao tác trước đó trên phản ánh.",
            f"complaint {complaint.code}: {action} at {at.isoformat()} precedes the last change {last.isoformat()}",
        )
    return complaint


def _change(
    complaint: Complaint, action: str, at: datetime, *, actor, source: str, note: str = "", extra: dict | None = None
) -> ComplaintStatusLog:
    """Move the status, append the log row, store the running deadline (the caller checked and locked)."""
    complaint.status = lifecycle.TRANSITIONS[action].target or complaint.status
    row = ComplaintStatusLog.objects.create(
        complaint=complaint,
        status=complaint.status,
        occurred_at=at,
        action=action,
        actor=_person(actor),
        note=note,
        extra={"source": source, **(extra or {})},
    )
    complaint.due_at = _running_due(complaint)
    complaint.save()
    return row


def accept(complaint: Complaint, *, actor=None, at=None, note: str = "", source="web") -> Complaint:
    """Tiếp nhận: the competent unit takes the complaint in (the first one counts for 5.3)."""
    at = _instant(at)
    with transaction.atomic(), audit_context(actor, source):
        complaint = _locked(complaint, "accept", at)
        _change(complaint, "accept", at, actor=actor, source=source, note=note.strip())
    return complaint


def classify(complaint: Complaint, *, category: str, actor=None, at=None, source="web") -> Complaint:
    """Phân loại: about regulations and procedures (quy_dinh) or about officials' conduct (hanh_vi)."""
    at = _instant(at)
    if category not in ComplaintCategory.values:
        raise UserError("Phân loại phản ánh không hợp lệ.", f"bad complaint category {category!r}")
    with transaction.atomic(), audit_context(actor, source):
        complaint = _locked(complaint, "classify", at)
        if complaint.category == category:
            raise UserError("Phản ánh đã có phân loại này.", f"complaint {complaint.code} already {category}")
        previous = complaint.category
        complaint.category = category
        _change(
            complaint,
            "classify",
            at,
            actor=actor,
            source=source,
            note=str(ComplaintCategory(category).label),
            extra={"from": previous, "to": category},
        )
    return complaint


def check_specialist(complaint: Complaint, assignee) -> None:
    """The assignee must be an active specialist of the complaint's unit (or a unit below it)."""
    from motcua.org import tree
    from motcua.org.models import Official, Role

    holds = (
        assignee is not None
        and assignee.is_active
        and Official.objects.filter(
            user=assignee, is_active=True, role=Role.SPECIALIST, unit_id__in=tree.subtree_ids(complaint.unit_id)
        ).exists()
    )
    if not holds:
        raise UserError(
            "Người được phân công không phải chuyên viên của đơn vị xử lý phản ánh.",
            f"user {getattr(assignee, 'pk', None)} is no specialist of unit {complaint.unit_id}",
            code="bad_assignee",
        )


def assign(complaint: Complaint, *, assignee, actor=None, at=None, source="web") -> Complaint:
    """Phân công: a specialist of the unit handles the complaint."""
    at = _instant(at)
    with transaction.atomic(), audit_context(actor, source):
        complaint = _locked(complaint, "assign", at)
        check_specialist(complaint, assignee)
        if complaint.assignee_id == assignee.pk:
            raise UserError(
                "Chuyên viên này đang xử lý phản ánh.", f"{complaint.code} already assigned to {assignee.pk}"
            )
        complaint.assignee = assignee
        _change(
            complaint,
            "assign",
            at,
            actor=actor,
            source=source,
            note=assignee.get_full_name() or assignee.get_username(),
            extra={"assignee_id": assignee.pk},
        )
    return complaint


def transfer(complaint: Complaint, *, unit, reason: str, actor=None, at=None, source="web") -> Complaint:
    """Chuyển xử lý: another unit is competent; its clock restarts now (``chuyen_xu_ly``) and it accepts again."""
    at = _instant(at)
    reason = _required(reason, "Phải ghi lý do chuyển đơn vị xử lý.", "transfer without a reason")
    with transaction.atomic(), audit_context(actor, source):
        complaint = _locked(complaint, "transfer", at)
        if unit is None or unit.pk == complaint.unit_id:
            raise UserError(
                "Phải chọn một đơn vị khác để chuyển xử lý.", f"{complaint.code}: transfer to the same unit"
            )
        if unit.valid_to and timezone.localtime(at).date() > unit.valid_to:
            raise UserError(
                f"Đơn vị {unit.code} đã hết hiệu lực từ {unit.valid_to:%d/%m/%Y}.", f"unit {unit.code} no longer valid"
            )
        previous = complaint.unit
        complaint.unit, complaint.assignee = unit, None
        _change(
            complaint,
            "transfer",
            at,
            actor=actor,
            source=source,
            note=reason,
            extra={"from_unit": previous.code, "to_unit": unit.code},
        )
    return complaint


def request_information(complaint: Complaint, *, request: str, actor=None, at=None, source="web") -> Complaint:
    """Yêu cầu bổ sung thông tin: within 5 working days of the clock start (which keeps running)."""
    at = _instant(at)
    request = _required(request, "Phải ghi rõ thông tin cần bổ sung.", "information request without content")
    with transaction.atomic(), audit_context(actor, source):
        complaint = _locked(complaint, "request_information", at)
        _change(complaint, "request_information", at, actor=actor, source=source, note=request)
    return complaint


def record_information(complaint: Complaint, *, information: str, actor=None, at=None, source="web") -> Complaint:
    """The sender supplied what was asked: handling resumes."""
    at = _instant(at)
    information = _required(information, "Phải ghi nội dung người gửi đã bổ sung.", "information without content")
    with transaction.atomic(), audit_context(actor, source):
        complaint = _locked(complaint, "record_information", at)
        _change(complaint, "record_information", at, actor=actor, source=source, note=information)
    return complaint


def refuse(complaint: Complaint, *, reason: str, actor=None, at=None, source="web") -> Complaint:
    """Từ chối: not a PAKN the unit takes (ND 20/2008), within 2 working days of the clock start."""
    at = _instant(at)
    reason = _required(reason, "Phải ghi rõ lý do từ chối.", "complaint refused without a reason")
    with transaction.atomic(), audit_context(actor, source):
        complaint = _locked(complaint, "refuse", at)
        _change(complaint, "refuse", at, actor=actor, source=source, note=reason)
    return complaint


def _pending(complaint: Complaint) -> ComplaintAnswer:
    answer = complaint.answers.select_for_update().filter(state=ComplaintAnswer.State.PENDING).first()
    if answer is None:
        raise TransitionError("Không có dự thảo trả lời nào chờ phê duyệt.", f"{complaint.code}: no pending answer")
    return answer


def draft_answer(complaint: Complaint, *, text: str, actor=None, at=None, source="web") -> ComplaintAnswer:
    """Dự thảo trả lời: the specialist's answer, for the leader to approve."""
    at = _instant(at)
    text = _required(text, "Phải ghi nội dung dự thảo trả lời.", "answer draft without text")
    with transaction.atomic(), audit_context(actor, source):
        complaint = _locked(complaint, "draft_answer", at)
        _change(complaint, "draft_answer", at, actor=actor, source=source)
        return ComplaintAnswer.objects.create(complaint=complaint, text=text, drafted_by=_person(actor), drafted_at=at)


def return_answer(complaint: Complaint, *, reason: str, actor=None, at=None, source="web") -> ComplaintAnswer:
    """Trả lại dự thảo: back to the specialist with the leader's reason (the status stays ``dang_xu_ly``)."""
    at = _instant(at)
    reason = _required(reason, "Phải ghi lý do trả lại.", "answer returned without a reason")
    with transaction.atomic(), audit_context(actor, source):
        complaint = _locked(complaint, "return_answer", at)
        _change(complaint, "return_answer", at, actor=actor, source=source, note=reason)
        answer = _pending(complaint)
        answer.state, answer.decided_by, answer.decided_at = ComplaintAnswer.State.RETURNED, _person(actor), at
        answer.decision_note = reason
        answer.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        return answer


def approve_answer(complaint: Complaint, *, actor=None, at=None, source="web") -> ComplaintAnswer:
    """Phê duyệt: the answer awaits publication (``cho_cong_khai``), to be published within 2 working days."""
    at = _instant(at)
    with transaction.atomic(), audit_context(actor, source):
        complaint = _locked(complaint, "approve_answer", at)
        answer = _pending(complaint)
        complaint.answer = answer.text
        _change(complaint, "approve_answer", at, actor=actor, source=source)
        answer.state, answer.decided_by, answer.decided_at = ComplaintAnswer.State.APPROVED, _person(actor), at
        answer.save(update_fields=["state", "decided_by", "decided_at"])
        return answer


def publish(complaint: Complaint, *, actor=None, at=None, source="web") -> Complaint:
    """Công khai: the approved answer is public (``da_cong_khai``); no deadline runs any more."""
    at = _instant(at)
    with transaction.atomic(), audit_context(actor, source):
        complaint = _locked(complaint, "publish", at)
        complaint.published_at = at
        _change(complaint, "publish", at, actor=actor, source=source)
    return complaint
