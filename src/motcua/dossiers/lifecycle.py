"""The dossier state machine: one table of allowed actions over the national statuses.

Every status change in motcua goes through :func:`check`; nothing else writes
``Dossier.status``. Internal steps (hand-offs between officials, consultations,
pauses) keep the national status and are listed with ``target=None``.
"""

from __future__ import annotations

from dataclasses import dataclass

from motcua.core.errors import TransitionError

from .models import Status

S = Status
OPEN_STATUSES = frozenset({S.SUBMITTED, S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.FINANCIAL_OBLIGATION})
IN_PROCESS = frozenset({S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.FINANCIAL_OBLIGATION})
TERMINAL_STATUSES = frozenset({S.NOT_RECEIVED, S.STOPPED, S.RETURNED})


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset
    target: int | None
    label: str  # Vietnamese, shown to users and in the event log


def _t(action, sources, target, label):
    return action, Transition(action, frozenset(sources), target, label)


TRANSITIONS: dict[str, Transition] = dict(
    [
        # Reception (tiếp nhận): a new paper dossier has no status yet (None).
        _t("register_online", {None}, S.SUBMITTED, "Đăng ký trực tuyến"),
        _t("receive", {None, S.SUBMITTED}, S.RECEIVED, "Tiếp nhận hồ sơ"),
        _t("refuse_reception", {None, S.SUBMITTED, S.SUPPLEMENT_REQUESTED}, S.NOT_RECEIVED, "Từ chối tiếp nhận"),
        _t(
            "request_supplement",
            {None, S.SUBMITTED, S.RECEIVED, S.PROCESSING},
            S.SUPPLEMENT_REQUESTED,
            "Yêu cầu bổ sung hồ sơ",
        ),
        # complete_supplement returns to 4 once received, else to 1 (decided in the service).
        _t("complete_supplement", {S.SUPPLEMENT_REQUESTED}, S.PROCESSING, "Bổ sung hồ sơ"),
        _t("start_processing", {S.RECEIVED}, S.PROCESSING, "Chuyển xử lý"),
        _t(
            "request_financial_obligation",
            {S.PROCESSING},
            S.FINANCIAL_OBLIGATION,
            "Yêu cầu thực hiện nghĩa vụ tài chính",
        ),
        _t("fulfil_financial_obligation", {S.FINANCIAL_OBLIGATION}, S.PROCESSING, "Đã thực hiện nghĩa vụ tài chính"),
        _t("finish", {S.PROCESSING, S.FINANCIAL_OBLIGATION}, S.DONE, "Có kết quả giải quyết"),
        _t("refuse_after_appraisal", {S.PROCESSING}, S.STOPPED, "Từ chối giải quyết"),
        _t("return_result", {S.DONE}, S.RETURNED, "Trả kết quả"),
        _t("request_withdrawal", OPEN_STATUSES, S.WITHDRAWAL_REQUESTED, "Công dân yêu cầu rút hồ sơ"),
        _t("stop", IN_PROCESS | {S.WITHDRAWAL_REQUESTED}, S.STOPPED, "Dừng xử lý"),
        # Internal steps: the national status stays as it is.
        _t("hand_off", {S.PROCESSING}, None, "Chuyển bước xử lý"),
        _t("consult", {S.PROCESSING}, None, "Lấy ý kiến đơn vị khác"),
        _t(
            "answer_consultation",
            {S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.FINANCIAL_OBLIGATION},
            None,
            "Trả lời xin ý kiến",
        ),
        _t("pause", {S.PROCESSING}, None, "Tạm dừng xử lý"),
        _t("resume", {S.PROCESSING}, None, "Tiếp tục xử lý"),
        _t("issue_apology", IN_PROCESS, None, "Phát hành văn bản xin lỗi và đề nghị gia hạn"),
        _t("record_payment", OPEN_STATUSES | {S.DONE}, None, "Ghi nhận thanh toán"),
        _t("push_result", {S.DONE, S.RETURNED}, None, "Đẩy kết quả vào kho dữ liệu của tổ chức, cá nhân"),
        # Specialists' and leaders' step actions (their drafts are Proposal rows; signing uses finish/issue_apology).
        _t("appraise", {S.PROCESSING}, None, "Ghi ý kiến thẩm định"),
        _t("transfer", {S.PROCESSING}, None, "Chuyển người xử lý"),
        _t("propose_result", {S.PROCESSING}, None, "Trình ký dự thảo kết quả"),
        _t("reject_result", {S.PROCESSING}, None, "Trả lại dự thảo kết quả"),
        _t("propose_apology", IN_PROCESS, None, "Trình ký văn bản xin lỗi và đề nghị gia hạn"),
        _t("reject_apology", IN_PROCESS, None, "Trả lại dự thảo văn bản xin lỗi"),
    ]
)


def status_label(status: int | None) -> str:
    """The status as staff know it, by its name («Đang giải quyết»), never by the national code number."""
    from django.utils import translation

    if status is None:
        return "chưa có"
    with translation.override("vi"):
        return f"«{Status(status).label}»"


def check(status: int | None, action: str) -> Transition:
    """Return the transition for ``action`` from ``status`` or raise :class:`TransitionError`."""
    try:
        transition = TRANSITIONS[action]
    except KeyError:
        raise TransitionError(f"Thao tác không tồn tại: {action}.", f"unknown action {action!r}") from None
    if status not in transition.sources:
        raise TransitionError(
            f"Không thể «{transition.label}» khi hồ sơ đang ở trạng thái {status_label(status)}.",
            f"action {action!r} not allowed from status {status}",
            code="illegal_transition",
        )
    return transition


def allowed_actions(status: int | None) -> list[str]:
    return [name for name, t in TRANSITIONS.items() if status in t.sources]
