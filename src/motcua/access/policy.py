"""The permission matrix: which role may do which action on which dossiers and complaints.

Every view and API call that changes a dossier or a complaint (PAKN) asks :func:`authorize` first;
the check is on the server, and a refusal is logged (English) and shown to the
user (Vietnamese) without changing anything. Scope is row-level: an official
acts on the dossiers handled or received by their unit (and units below it),
and on those sent to their unit for consultation; the TTHC control officer and
the administrator see everything in their subtree and change nothing. A
complaint is in scope where its competent unit is.

The matrix is data (:data:`ROLE_ACTIONS`) so it can be read, tested and shown.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Exists, OuterRef, Q, QuerySet

from motcua.core.errors import UserError
from motcua.org import tree
from motcua.org.models import Official, Role

logger = logging.getLogger("motcua.access")


class Action(StrEnum):
    """Business actions on dossiers (and the scoreboard) that permissions speak of."""

    VIEW = "view"
    RECEIVE = "receive"  # tiếp nhận
    REFUSE_RECEPTION = "refuse_reception"  # từ chối tiếp nhận
    REQUEST_SUPPLEMENT = "request_supplement"  # yêu cầu bổ sung
    COMPLETE_SUPPLEMENT = "complete_supplement"  # nhận hồ sơ bổ sung
    START_PROCESSING = "start_processing"  # chuyển bước đầu tiên
    APPRAISE = "appraise"  # thẩm định (ghi ý kiến thẩm định)
    HAND_OFF = "hand_off"  # chuyển bước, chuyển người xử lý
    CONSULT = "consult"  # lấy ý kiến đơn vị khác
    ANSWER_CONSULTATION = "answer_consultation"  # trả lời xin ý kiến
    PAUSE = "pause"  # tạm dừng
    RESUME = "resume"
    PROPOSE_RESULT = "propose_result"  # dự thảo kết quả, trình ký
    APPROVE_RESULT = "approve_result"  # phê duyệt, ký kết quả
    PROPOSE_APOLOGY = "propose_apology"  # dự thảo văn bản xin lỗi và gia hạn
    SIGN_APOLOGY = "sign_apology"  # ký văn bản xin lỗi và gia hạn
    REQUEST_FINANCIAL_OBLIGATION = "request_financial_obligation"
    RECORD_PAYMENT = "record_payment"
    RETURN_RESULT = "return_result"  # trả kết quả
    RECORD_WITHDRAWAL = "record_withdrawal"  # công dân rút hồ sơ
    STOP = "stop"  # dừng xử lý
    REFUSE_AFTER_APPRAISAL = "refuse_after_appraisal"  # từ chối giải quyết
    PRINT_FORMS = "print_forms"  # in biểu mẫu
    FOLLOW_UP_RATING = "follow_up_rating"  # xử lý đánh giá không hài lòng của người dân
    VIEW_SCOREBOARD = "view_scoreboard"
    EXPORT_SCOREBOARD = "export_scoreboard"
    # Complaints (phản ánh, kiến nghị — PAKN); reading them is VIEW.
    REGISTER_COMPLAINT = "register_complaint"  # ghi nhận PAKN tại quầy, qua đường dây nóng
    ACCEPT_COMPLAINT = "accept_complaint"  # tiếp nhận
    CLASSIFY_COMPLAINT = "classify_complaint"  # phân loại
    ASSIGN_COMPLAINT = "assign_complaint"  # phân công chuyên viên
    TRANSFER_COMPLAINT = "transfer_complaint"  # chuyển đơn vị xử lý
    REQUEST_COMPLAINT_INFORMATION = "request_complaint_information"  # yêu cầu bổ sung thông tin
    RECORD_COMPLAINT_INFORMATION = "record_complaint_information"  # nhận thông tin bổ sung
    REFUSE_COMPLAINT = "refuse_complaint"  # từ chối
    DRAFT_COMPLAINT_ANSWER = "draft_complaint_answer"  # dự thảo trả lời
    APPROVE_COMPLAINT_ANSWER = "approve_complaint_answer"  # phê duyệt hoặc trả lại dự thảo
    PUBLISH_COMPLAINT_ANSWER = "publish_complaint_answer"  # công khai trả lời


#: Actions that change nothing.
READ_ONLY = frozenset({Action.VIEW, Action.PRINT_FORMS, Action.VIEW_SCOREBOARD, Action.EXPORT_SCOREBOARD})

#: The complaint actions (their scope is the complaint's unit, not a dossier's).
COMPLAINT_ACTIONS = frozenset(
    {
        Action.REGISTER_COMPLAINT,
        Action.ACCEPT_COMPLAINT,
        Action.CLASSIFY_COMPLAINT,
        Action.ASSIGN_COMPLAINT,
        Action.TRANSFER_COMPLAINT,
        Action.REQUEST_COMPLAINT_INFORMATION,
        Action.RECORD_COMPLAINT_INFORMATION,
        Action.REFUSE_COMPLAINT,
        Action.DRAFT_COMPLAINT_ANSWER,
        Action.APPROVE_COMPLAINT_ANSWER,
        Action.PUBLISH_COMPLAINT_ANSWER,
    }
)

_READ = set(READ_ONLY)
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    # The desk records complaints from the counter and the hotline, takes them in, asks the sender for
    # more information and records it, and publishes the approved answers.
    Role.DESK_OFFICER: frozenset(
        _READ
        | {
            Action.RECEIVE,
            Action.REFUSE_RECEPTION,
            Action.REQUEST_SUPPLEMENT,
            Action.COMPLETE_SUPPLEMENT,
            Action.START_PROCESSING,
            Action.RECORD_PAYMENT,
            Action.RETURN_RESULT,
            Action.RECORD_WITHDRAWAL,
            Action.REGISTER_COMPLAINT,
            Action.ACCEPT_COMPLAINT,
            Action.CLASSIFY_COMPLAINT,
            Action.REQUEST_COMPLAINT_INFORMATION,
            Action.RECORD_COMPLAINT_INFORMATION,
            Action.PUBLISH_COMPLAINT_ANSWER,
        }
    ),
    # The specialist drafts the answer.
    Role.SPECIALIST: frozenset(
        _READ
        | {
            Action.APPRAISE,
            Action.HAND_OFF,
            Action.CONSULT,
            Action.ANSWER_CONSULTATION,
            Action.REQUEST_SUPPLEMENT,
            Action.COMPLETE_SUPPLEMENT,
            Action.PAUSE,
            Action.RESUME,
            Action.PROPOSE_RESULT,
            Action.PROPOSE_APOLOGY,
            Action.REQUEST_FINANCIAL_OBLIGATION,
            Action.CLASSIFY_COMPLAINT,
            Action.REQUEST_COMPLAINT_INFORMATION,
            Action.RECORD_COMPLAINT_INFORMATION,
            Action.DRAFT_COMPLAINT_ANSWER,
        }
    ),
    # The leader decides: assigns, transfers, refuses, approves (or returns) and publishes.
    Role.LEADER: frozenset(
        _READ
        | {
            Action.HAND_OFF,
            Action.ANSWER_CONSULTATION,
            Action.PAUSE,
            Action.RESUME,
            Action.APPROVE_RESULT,
            Action.PROPOSE_APOLOGY,
            Action.SIGN_APOLOGY,
            Action.STOP,
            Action.REFUSE_AFTER_APPRAISAL,
            Action.FOLLOW_UP_RATING,
            Action.ACCEPT_COMPLAINT,
            Action.CLASSIFY_COMPLAINT,
            Action.ASSIGN_COMPLAINT,
            Action.TRANSFER_COMPLAINT,
            Action.REQUEST_COMPLAINT_INFORMATION,
            Action.REFUSE_COMPLAINT,
            Action.APPROVE_COMPLAINT_ANSWER,
            Action.PUBLISH_COMPLAINT_ANSWER,
        }
    ),
    Role.CONTROL_OFFICER: frozenset(_READ),
    Role.ADMINISTRATOR: frozenset(_READ),
}

#: What a unit consulted on a dossier may do with it (not the dossier's own unit).
CONSULTED_ACTIONS = frozenset({Action.VIEW, Action.PRINT_FORMS, Action.ANSWER_CONSULTATION})
CONSULTED_ROLES = frozenset({Role.SPECIALIST, Role.LEADER})
#: Roles whose scope is their whole subtree for reading, whatever the dossier's unit kind.
OVERSIGHT_ROLES = frozenset({Role.CONTROL_OFFICER, Role.ADMINISTRATOR})
#: Who may have the 766 scores recomputed on demand (the scoreboard's button, the API's ``fresh=1``).
SCORE_COMPUTE_ROLES = frozenset({Role.CONTROL_OFFICER, Role.ADMINISTRATOR})


class AccessDenied(UserError):
    """The signed-in official may not do this here."""


@dataclass(frozen=True)
class Position:
    unit_id: int
    role: str
    units: frozenset[int]  # the unit and its subtree


def positions(user) -> tuple[Position, ...]:
    """The user's active positions, each with the units it covers (cached on the user object)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ()
    cached = getattr(user, "_motcua_positions", None)
    if cached is None:
        rows = Official.objects.filter(user=user, is_active=True).values_list("unit_id", "role")
        cached = tuple(Position(unit_id, role, tree.subtree_ids(unit_id)) for unit_id, role in rows)
        user._motcua_positions = cached
    return cached


def roles(user) -> set[str]:
    return {p.role for p in positions(user)}


def covers_all_units(user) -> bool:
    """A position at the root (the province) covers every unit."""
    return any(not tree.ancestor_ids(p.unit_id) for p in positions(user))


def may_compute_scores(user) -> bool:
    return bool(roles(user) & SCORE_COMPUTE_ROLES)


def units_for(user, action: Action) -> set[int]:
    """Units in which ``user`` may do ``action`` (on their own dossiers)."""
    return {u for p in positions(user) if action in ROLE_ACTIONS.get(p.role, ()) for u in p.units}


def home_units(user, action: Action) -> list[int]:
    """The units of the positions that allow ``action`` (not their subtrees): e.g. where a desk officer receives."""
    return sorted({p.unit_id for p in positions(user) if action in ROLE_ACTIONS.get(p.role, ())})


def _dossier_units(dossier) -> set[int]:
    return {u for u in (dossier.handling_unit_id, dossier.receiving_unit_id) if u is not None}


def _consulted_units(dossier) -> set[int]:
    return set(dossier.consultations.values_list("unit_id", flat=True))


def can(user, action: Action, dossier=None, *, unit=None, consultation=None, complaint=None) -> bool:
    """May ``user`` do ``action``: on ``dossier``, in ``unit`` (reception), answer ``consultation``, or on
    ``complaint`` (in its competent unit)."""
    action = Action(action)
    if complaint is not None:
        return any(action in ROLE_ACTIONS.get(p.role, ()) and complaint.unit_id in p.units for p in positions(user))
    if consultation is not None:
        return action in CONSULTED_ACTIONS and any(
            p.role in CONSULTED_ROLES and consultation.unit_id in p.units for p in positions(user)
        )
    if dossier is None:
        if unit is None:
            return any(action in ROLE_ACTIONS.get(p.role, ()) for p in positions(user))
        unit_id = getattr(unit, "pk", unit)
        return unit_id in units_for(user, action)
    touched = _dossier_units(dossier)
    if any(action in ROLE_ACTIONS.get(p.role, ()) and touched & p.units for p in positions(user)):
        return True
    if action in CONSULTED_ACTIONS:
        consulted = None
        for p in positions(user):
            if p.role in CONSULTED_ROLES:
                consulted = _consulted_units(dossier) if consulted is None else consulted
                if consulted & p.units:
                    return True
    return False


def authorize(user, action: Action, dossier=None, *, unit=None, consultation=None, complaint=None) -> None:
    """Raise :class:`AccessDenied` unless :func:`can`; every refusal is logged."""
    if can(user, action, dossier, unit=unit, consultation=consultation, complaint=complaint):
        return
    target = (
        getattr(dossier, "code", None)
        or getattr(complaint, "code", None)
        or getattr(unit, "code", unit)
        or getattr(consultation, "pk", "")
    )
    logger.warning("access denied: user=%s action=%s target=%s", getattr(user, "pk", None), action, target)
    raise AccessDenied(
        "Tài khoản của bạn không có quyền thực hiện thao tác này trên phản ánh, kiến nghị này."
        if complaint is not None
        else "Tài khoản của bạn không có quyền thực hiện thao tác này trên hồ sơ này.",
        f"user {getattr(user, 'pk', None)} may not {action} on {target}",
        code="forbidden",
    )


def visible_dossiers(user, queryset: QuerySet | None = None) -> QuerySet:
    """Dossiers ``user`` may see: their units' own, and those their unit is consulted on."""
    from motcua.dossiers.models import Consultation, Dossier

    queryset = Dossier.objects.all() if queryset is None else queryset
    if covers_all_units(user):
        return queryset
    own = set().union(*(p.units for p in positions(user))) if positions(user) else set()
    consulted = (
        set().union(*(p.units for p in positions(user) if p.role in CONSULTED_ROLES))
        if any(p.role in CONSULTED_ROLES for p in positions(user))
        else set()
    )
    if not own:
        return queryset.none()
    condition = Q(handling_unit_id__in=own) | Q(receiving_unit_id__in=own)
    if consulted:
        condition |= Q(Exists(Consultation.objects.filter(dossier=OuterRef("pk"), unit_id__in=consulted)))
    return queryset.filter(condition)


def visible_complaints(user, queryset: QuerySet | None = None) -> QuerySet:
    """Complaints ``user`` may see: those whose competent unit one of their positions covers."""
    from motcua.feedback.models import Complaint

    queryset = Complaint.objects.all() if queryset is None else queryset
    if any(not tree.ancestor_ids(p.unit_id) for p in positions(user)):
        return queryset  # a position at the root (the province) covers every complaint
    own = set().union(*(p.units for p in positions(user))) if positions(user) else set()
    return queryset.filter(unit_id__in=own) if own else queryset.none()


def matrix() -> list[tuple[str, str, list[bool]]]:
    """The matrix as rows (action, label, allowed per role in Role order) for display and tests."""
    order = list(Role)
    return [(a.value, a.name, [a in ROLE_ACTIONS.get(r, ()) for r in order]) for a in Action]
