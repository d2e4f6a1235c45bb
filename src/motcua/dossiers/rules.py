"""The dossier lifecycle rules, each written once.

``why_not_<action>(dossier, at) -> str | None`` says, in Vietnamese, why ``action``
cannot be done on ``dossier`` at ``at`` (None when it can). The dossier page calls it
to show or hide the button, the action's form to refuse a POST, and the service a last
time under the row lock: the three cannot disagree. The functions read the dossier's
related rows through ``.all()``, so a page that prefetched them asks the database
nothing more, while a service (fresh locked row, no prefetch) reads the current state.

:func:`effective_due_at` is the one computation of "when is this dossier due": the
queue, the countdowns, the dossier page, the forms, the scoreboard and the stored
column :attr:`Dossier.effective_due_at` all come from it, and it is the instant the
766 engine judges against (interchange.md §4, "On time").
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.errors import TransitionError

from . import lifecycle
from .due import due_instant
from .models import ApologyLetter, Dossier, Proposal, Status, SupplementRequest

#: R1.9 (NĐ 45/2020 Art. 11, as quoted by TT 87/2021/TT-BTC Art. 10): an online dossier is accepted, or the
#: applicant told what to supplement, within 8 working hours of its arrival.
ONLINE_ANSWER_HOURS = 8
#: R1.10 (NĐ 118/2025 Art. 17.2 pattern): a supplement not handed in within 15 working days closes the dossier.
SUPPLEMENT_ANSWER_DAYS = 15


class Reason(str):
    """A refusal sentence (Vietnamese) that also carries a stable code for the service's TransitionError."""

    code: str

    def __new__(cls, text: str, code: str):
        value = super().__new__(cls, text)
        value.code = code
        return value


def _calendar():
    from motcua.workdays.services import get_calendar

    return get_calendar()


def _one_to_one(dossier: Dossier, name: str):
    try:
        return getattr(dossier, name)
    except (ApologyLetter.DoesNotExist, AttributeError):
        return None


def apology_letter(dossier: Dossier) -> ApologyLetter | None:
    return _one_to_one(dossier, "apology_letter") if dossier.pk else None


def _transition(dossier: Dossier, action: str) -> Reason | None:
    try:
        lifecycle.check(dossier.status if dossier.pk else None, action)
    except TransitionError as error:
        return Reason(error.message, error.code or "illegal_transition")
    return None


# --- supplements (R1.20–R1.22) --------------------------------------------------------------------


def counted_supplements(dossier: Dossier) -> list[SupplementRequest]:
    """The supplement requests of the processing stage, oldest first: the ones the 766 index counts
    (DanhSachHoSoBoSung). Guidance at the counter before acceptance (hướng dẫn một lần, R1.5, stage
    ``reception``) is not a request of the agency handling the dossier and is not counted."""
    if not dossier.pk:
        return []
    rows = [s for s in dossier.supplement_requests.all() if s.stage != SupplementRequest.Stage.RECEPTION]
    return sorted(rows, key=lambda s: (s.requested_at, s.pk or 0))


def open_supplement(dossier: Dossier) -> SupplementRequest | None:
    if not dossier.pk:
        return None
    rows = [s for s in dossier.supplement_requests.all() if s.completed_at is None]
    return max(rows, key=lambda s: (s.requested_at, s.pk or 0), default=None)


def second_supplement_warning(dossier: Dossier) -> str | None:
    """Why a new request needs a written reason: the dossier already had its one lawful request of the same
    stage ("hướng dẫn một lần": at the counter, NĐ 61/2018 Art. 17.1(a), R1.5; in processing, R1.21). A second
    one in processing makes it late on the 766 index (interchange.md §4: "more than one supplement request:
    overdue"). Guidance at the counter before acceptance is not the processing stage's first request."""
    if not dossier.pk:
        return None
    if dossier.received_at is None:
        if not any(s.stage == SupplementRequest.Stage.RECEPTION for s in dossier.supplement_requests.all()):
            return None
        return _(
            "Hồ sơ đã được yêu cầu bổ sung một lần khi tiếp nhận (hướng dẫn một lần). Phải ghi lý do nếu vẫn yêu cầu."
        )
    if not counted_supplements(dossier):
        return None
    return _(
        "Hồ sơ đã được yêu cầu bổ sung một lần; yêu cầu lần hai làm hồ sơ bị tính quá hạn. "
        "Phải ghi lý do nếu vẫn yêu cầu."
    )


def why_not_request_supplement(dossier: Dossier, at: datetime) -> Reason | None:
    return _transition(dossier, "request_supplement")


def supplement_closing_at(dossier: Dossier) -> datetime | None:
    """When a dossier waiting for the applicant's supplement may be closed: 15 working days after the request."""
    request = open_supplement(dossier)
    if request is None:
        return None
    return _calendar().add(request.requested_at, SUPPLEMENT_ANSWER_DAYS, "ngay_lam_viec")


def why_not_close_unanswered_supplement(dossier: Dossier, at: datetime) -> Reason | None:
    """R1.10: the applicant did not hand in the supplement within 15 working days; the dossier is closed
    (not received → status 3; received → stopped, status 8)."""
    if dossier.status != Status.SUPPLEMENT_REQUESTED:
        return Reason(_("Hồ sơ không chờ công dân bổ sung."), "not_waiting_supplement")
    closing = supplement_closing_at(dossier)
    if closing is None:
        return Reason(_("Hồ sơ không có yêu cầu bổ sung đang chờ."), "no_open_supplement")
    if at < closing:
        return Reason(
            _("Chưa hết thời hạn bổ sung: công dân được bổ sung đến %(closing)s.")
            % {"closing": f"{timezone.localtime(closing):%H:%M %d/%m/%Y}"},
            "supplement_time_left",
        )
    return None


# --- reception and refusals (R1.5, R1.24–R1.26, R1.30) ---------------------------------------------


def why_not_refuse_reception(dossier: Dossier, at: datetime) -> Reason | None:
    """Phiếu từ chối tiếp nhận (Mẫu 03) is a reception outcome: once a dossier was received it can only
    be refused after appraisal (Từ chối giải quyết, R1.25) or stopped."""
    if dossier.pk and dossier.received_at is not None:
        return Reason(
            _(
                "Hồ sơ đã được tiếp nhận; không thể từ chối tiếp nhận. "
                "Hãy dùng «Từ chối giải quyết» sau thẩm định hoặc «Dừng xử lý»."
            ),
            "already_received",
        )
    return _transition(dossier, "refuse_reception")


def online_answer_due_at(dossier: Dossier) -> datetime | None:
    """R1.9: the instant by which an online dossier waiting for reception must be answered."""
    if dossier.status != Status.SUBMITTED or dossier.submitted_at is None:
        return None
    return _calendar().add_working_hours(dossier.submitted_at, ONLINE_ANSWER_HOURS)


# --- pauses and results -------------------------------------------------------------------------


def is_paused(dossier: Dossier) -> bool:
    return bool(dossier.pk) and any(p.ended_at is None for p in dossier.pauses.all())


def why_not_pause(dossier: Dossier, at: datetime) -> Reason | None:
    if is_paused(dossier):
        return Reason(_("Hồ sơ đang tạm dừng."), "already_paused")
    return _transition(dossier, "pause")


def why_not_resume(dossier: Dossier, at: datetime) -> Reason | None:
    if not is_paused(dossier):
        return Reason(_("Hồ sơ không ở trạng thái tạm dừng."), "not_paused")
    return _transition(dossier, "resume")


def why_not_finish(dossier: Dossier, at: datetime) -> Reason | None:
    if is_paused(dossier):
        return Reason(_("Hồ sơ đang tạm dừng; hãy tiếp tục xử lý trước."), "paused")
    return _transition(dossier, "finish")


# --- the apology-and-extension letter (R1.27–R1.29) ---------------------------------------------


def _pending(dossier: Dossier, kind: str) -> Proposal | None:
    if not dossier.pk:
        return None
    return next((p for p in dossier.proposals.all() if p.kind == kind and p.state == Proposal.State.PENDING), None)


def _apology_open(dossier: Dossier) -> Reason | None:
    """One letter per dossier (NĐ 61/2018 Art. 19.9, kept by NĐ 118/2025; R1.27: "only once"). A dossier
    already late may still get its letter, recorded as issued late (interchange.md §4, Deadlines)."""
    if apology_letter(dossier) is not None:
        return Reason(_("Hồ sơ đã có văn bản xin lỗi và gia hạn; chỉ được gia hạn một lần."), "second_apology")
    if dossier.due_at is None:
        return Reason(_("Hồ sơ chưa có ngày hẹn trả."), "no_due")
    return None


def why_not_propose_apology(dossier: Dossier, at: datetime) -> Reason | None:
    if _pending(dossier, Proposal.Kind.APOLOGY) is not None:
        return Reason(_("Văn bản xin lỗi và gia hạn của hồ sơ đang chờ lãnh đạo ký."), "apology_pending")
    return _apology_open(dossier) or _transition(dossier, "propose_apology")


def why_not_sign_apology(dossier: Dossier, at: datetime) -> Reason | None:
    if _pending(dossier, Proposal.Kind.APOLOGY) is None:
        return Reason(_("Không có dự thảo văn bản xin lỗi nào đang chờ ký."), "no_pending_apology")
    return _apology_open(dossier) or _transition(dossier, "issue_apology")


def why_not_issue_apology(dossier: Dossier, at: datetime) -> Reason | None:
    return _apology_open(dossier) or _transition(dossier, "issue_apology")


def apology_is_late(dossier: Dossier, at: datetime) -> bool:
    """A letter is timely only when sent at least one working day before the due instant (R1.27)."""
    due = effective_due_at(dossier, judged=True)
    return due is not None and _calendar().working_hours_between(at, due) < _calendar().hours_per_day


def apology_warning_hours() -> float:
    """Working hours before the due instant from which the queue proposes the letter (MOTCUA_APOLOGY_WARNING_HOURS;
    the default, one working day, is R1.27's "at least 1 day before the due date")."""
    from django.conf import settings

    return float(settings.MOTCUA_APOLOGY_WARNING_HOURS)


def should_propose_apology(hours_left: float | None, *, has_letter: bool, pending: bool) -> bool:
    """The queue's hint to propose the letter: none issued nor awaiting signature, and at most
    MOTCUA_APOLOGY_WARNING_HOURS of working time left before the effective due instant, or already late
    (a late letter is still allowed once). Takes flags, so a page of rows costs no query per row."""
    return hours_left is not None and hours_left <= apology_warning_hours() and not has_letter and not pending


# --- the effective due instant ------------------------------------------------------------------


def effective_due_at(dossier: Dossier, *, judged: bool = False) -> datetime | None:
    """Hạn trả hiệu lực: the instant the dossier must be finished by.

    NgayHenTra (``due_at``, never moved) plus the calendar time of every completed supplement of the
    processing stage: this is the instant the 766 engine judges "on time" against (interchange.md §4:
    end − completed supplement durations ≤ NgayHenTra). With ``judged=False`` (what staff and citizens
    see), an apology letter's new appointment (NgayHenTraMoi, TT 03/2025 Mẫu 04) replaces it, moved on by
    the supplements requested after the letter; R1.29 keeps NgayHenTra for the statistics.
    """
    spans = [(s.requested_at, s.completed_at) for s in counted_supplements(dossier)]
    if judged or dossier.extended_due_at is None:
        return due_instant(dossier.due_at, spans)
    letter = apology_letter(dossier)
    return due_instant(
        dossier.due_at,
        spans,
        new_appointment=dossier.extended_due_at,
        letter_issued_at=letter.issued_at if letter else None,
    )


def refresh_effective_due(dossier: Dossier) -> None:
    """Store :func:`effective_due_at` on the row (the queue sorts and filters on it in SQL). Caller holds the lock."""
    value = effective_due_at(dossier)
    if value != dossier.effective_due_at:
        dossier.effective_due_at = value
        Dossier.objects.filter(pk=dossier.pk).update(effective_due_at=value)


# --- one name per action, for the pages ---------------------------------------------------------

WHY_NOT = {
    "request_supplement": why_not_request_supplement,
    "close_unanswered_supplement": why_not_close_unanswered_supplement,
    "refuse_reception": why_not_refuse_reception,
    "pause": why_not_pause,
    "resume": why_not_resume,
    "finish": why_not_finish,
    "propose_apology": why_not_propose_apology,
    "sign_apology": why_not_sign_apology,
    "issue_apology": why_not_issue_apology,
}


def why_not(action: str, dossier: Dossier, at: datetime) -> Reason | None:
    """The rule of ``action`` if it has one, else the transition table's answer."""
    rule = WHY_NOT.get(action)
    return rule(dossier, at) if rule else _transition(dossier, action)


def refuse_unless_allowed(action: str, dossier: Dossier, at: datetime) -> None:
    """The service's last check, under the row lock: raise TransitionError with the rule's sentence and code."""
    reason = why_not(action, dossier, at)
    if reason:
        code = getattr(reason, "code", "") or f"{action}_refused"
        raise TransitionError(str(reason), f"{action} refused on {dossier.code or 'a new dossier'}: {code}", code=code)
