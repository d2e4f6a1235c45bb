"""The complaint (PAKN) state machine: one table of actions over the statuses, and why an action cannot be done.

Every status change of a complaint goes through :func:`check` (called by the services in
``services.py``); nothing else writes ``Complaint.status``. Actions that keep the status
(classification, a draft returned to the specialist) are listed with ``target=None``.

``why_not_<action>(complaint, at)`` says, in Vietnamese, why ``action`` cannot be done on the
complaint at ``at`` — the transition table, the legal windows (a refusal within 2 working days of the
clock start, a request for more information within 5) and the state of the drafts — or returns None.
The staff pages use it to show or hide a button, the forms to refuse a submission, and the services
check it again under the row lock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from motcua.core.errors import TransitionError

from .deadlines import CLOSED_STATUSES
from .models import Complaint, ComplaintAnswer, ComplaintStatus

S = ComplaintStatus
#: Still being handled (a deadline runs).
OPEN_STATUSES = frozenset(s for s in S if s not in CLOSED_STATUSES)
#: Received by the competent unit and not yet answered.
HANDLING = frozenset({S.ACCEPTED, S.PROCESSING})


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset
    target: str | None
    label: str  # Vietnamese, shown to users and in the complaint's timeline


def _t(action, sources, target, label):
    return action, Transition(action, frozenset(sources), target, label)


TRANSITIONS: dict[str, Transition] = dict(
    [
        # From the portal, the counter or the hotline: a complaint with no status yet (None).
        _t("register", {None}, S.AWAITING, "Ghi nhận phản ánh, kiến nghị"),
        _t("accept", {S.AWAITING, S.TRANSFERRED}, S.ACCEPTED, "Tiếp nhận"),
        _t("classify", {S.AWAITING, S.ACCEPTED, S.PROCESSING, S.SUPPLEMENT}, None, "Phân loại"),
        _t("assign", HANDLING, S.PROCESSING, "Phân công chuyên viên xử lý"),
        # The receiving unit restarts the clock (interchange.md §4); it accepts the complaint again.
        _t("transfer", {S.AWAITING, S.ACCEPTED, S.PROCESSING, S.TRANSFERRED}, S.TRANSFERRED, "Chuyển đơn vị xử lý"),
        _t("request_information", HANDLING, S.SUPPLEMENT, "Yêu cầu bổ sung thông tin"),
        _t("record_information", {S.SUPPLEMENT}, S.PROCESSING, "Nhận thông tin bổ sung"),
        _t("refuse", {S.AWAITING, S.ACCEPTED, S.PROCESSING, S.SUPPLEMENT, S.TRANSFERRED}, S.REFUSED, "Từ chối"),
        _t("draft_answer", HANDLING, S.PROCESSING, "Dự thảo trả lời"),
        _t("return_answer", {S.PROCESSING}, None, "Trả lại dự thảo trả lời"),
        _t("approve_answer", {S.PROCESSING}, S.AWAITING_PUBLICATION, "Phê duyệt trả lời"),
        _t("publish", {S.AWAITING_PUBLICATION}, S.PUBLISHED, "Công khai trả lời"),
    ]
)


def status_label(status: str | None) -> str:
    return "chưa có" if not status else str(S(status).label)


def check(status: str | None, action: str) -> Transition:
    """The transition for ``action`` from ``status``, or :class:`TransitionError`."""
    try:
        transition = TRANSITIONS[action]
    except KeyError:
        raise TransitionError(f"Thao tác không tồn tại: {action}.", f"unknown complaint action {action!r}") from None
    if (status or None) not in transition.sources:
        raise TransitionError(
            f"Không thể «{transition.label}» khi phản ánh, kiến nghị đang ở trạng thái «{status_label(status)}».",
            f"complaint action {action!r} not allowed from status {status!r}",
            code="illegal_transition",
        )
    return transition


def allowed_actions(status: str | None) -> list[str]:
    return [name for name, t in TRANSITIONS.items() if (status or None) in t.sources]


# --- why an action cannot be done now ---------------------------------------------------------------------------


def _when(at: datetime) -> str:
    return timezone.localtime(at).strftime("%H:%M %d/%m/%Y")


def pending_answer(complaint: Complaint) -> ComplaintAnswer | None:
    """The draft awaiting the leader (read from a prefetch of ``answers`` when there is one)."""
    return next((a for a in complaint.answers.all() if a.state == ComplaintAnswer.State.PENDING), None)


def deadlines(complaint: Complaint):
    """The complaint's deadlines (services.deadlines_of, from its log)."""
    from .services import deadlines_of

    return deadlines_of(complaint)


def _no_draft_pending(complaint: Complaint) -> str | None:
    return "Phản ánh đã có dự thảo trả lời chờ phê duyệt." if pending_answer(complaint) is not None else None


def _table(action: str, complaint: Complaint) -> str | None:
    try:
        check(complaint.status, action)
    except TransitionError as error:
        return error.message
    return None


def why_not_accept(complaint: Complaint, at: datetime) -> str | None:
    return _table("accept", complaint)


def why_not_classify(complaint: Complaint, at: datetime) -> str | None:
    return _table("classify", complaint)


def why_not_assign(complaint: Complaint, at: datetime) -> str | None:
    return _table("assign", complaint)


def why_not_transfer(complaint: Complaint, at: datetime) -> str | None:
    """Not with a draft pending: the leader returns it first (the other unit writes its own answer)."""
    return _table("transfer", complaint) or _no_draft_pending(complaint)


def why_not_request_information(complaint: Complaint, at: datetime) -> str | None:
    """Within 5 working days of the clock start (the first request; interchange.md §4), no draft pending."""
    refusal = _table("request_information", complaint) or _no_draft_pending(complaint)
    if refusal:
        return refusal
    by = deadlines(complaint).supplement_by
    if at > by:
        return (
            f"Đã quá thời hạn yêu cầu bổ sung thông tin ({_when(by)}, 5 ngày làm việc); phải xử lý và trả lời phản ánh."
        )
    return None


def why_not_record_information(complaint: Complaint, at: datetime) -> str | None:
    return _table("record_information", complaint)


def why_not_refuse(complaint: Complaint, at: datetime) -> str | None:
    """Within 2 working days of the clock start."""
    refusal = _table("refuse", complaint)
    if refusal:
        return refusal
    by = deadlines(complaint).refuse_by
    if at > by:
        return f"Đã quá thời hạn từ chối ({_when(by)}, 2 ngày làm việc); phải xử lý và trả lời phản ánh."
    return None


def why_not_draft_answer(complaint: Complaint, at: datetime) -> str | None:
    return _table("draft_answer", complaint) or _no_draft_pending(complaint)


def _awaiting_approval(complaint: Complaint) -> str | None:
    return None if pending_answer(complaint) is not None else "Không có dự thảo trả lời nào chờ phê duyệt."


def why_not_return_answer(complaint: Complaint, at: datetime) -> str | None:
    return _table("return_answer", complaint) or _awaiting_approval(complaint)


def why_not_approve_answer(complaint: Complaint, at: datetime) -> str | None:
    return _table("approve_answer", complaint) or _awaiting_approval(complaint)


def why_not_publish(complaint: Complaint, at: datetime) -> str | None:
    return _table("publish", complaint)


#: action → its check, for the pages and the services.
WHY_NOT: dict[str, Callable[[Complaint, datetime], str | None]] = {
    "accept": why_not_accept,
    "classify": why_not_classify,
    "assign": why_not_assign,
    "transfer": why_not_transfer,
    "request_information": why_not_request_information,
    "record_information": why_not_record_information,
    "refuse": why_not_refuse,
    "draft_answer": why_not_draft_answer,
    "return_answer": why_not_return_answer,
    "approve_answer": why_not_approve_answer,
    "publish": why_not_publish,
}
assert set(WHY_NOT) == set(TRANSITIONS) - {"register"}


def why_not(action: str, complaint: Complaint, at: datetime) -> str | None:
    return WHY_NOT[action](complaint, at)
