"""The step actions of specialists and leaders, as data: who may, when, with which form, calling which service.

The dossier page shows only the actions :meth:`StepAction.refusal` lets through
for the signed-in official (policy matrix + lifecycle table + the state of
drafts, pauses and letters); the action view checks the same again on POST and
the service checks the business rule a third time under the row lock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.access import policy
from motcua.dossiers import lifecycle, rules, services
from motcua.dossiers.models import (
    ApologyLetter,
    Consultation,
    Dossier,
    Proposal,
    Status,
    StopNotice,
)

from . import forms

A = policy.Action


@dataclass
class Facts:
    """What the actions need to know about one dossier, loaded once (from prefetches when the page has them)."""

    dossier: Dossier
    user: object
    now: datetime
    paused: bool
    supplements: int
    has_apology: bool
    pending: dict[str, Proposal]
    answerable: list[Consultation] = field(default_factory=list)  # consultations this user may answer

    @classmethod
    def load(cls, dossier: Dossier, user, now: datetime) -> Facts:
        try:
            has_apology = dossier.apology_letter is not None
        except ApologyLetter.DoesNotExist:
            has_apology = False
        consultations = list(dossier.consultations.all())
        return cls(
            dossier=dossier,
            user=user,
            now=now,
            paused=rules.is_paused(dossier),
            supplements=len(dossier.supplement_requests.all()),
            has_apology=has_apology,
            pending={p.kind: p for p in dossier.proposals.all() if p.state == Proposal.State.PENDING},
            answerable=[c for c in consultations if policy.can(user, A.ANSWER_CONSULTATION, consultation=c)],
        )

    @property
    def late(self) -> bool:
        due = rules.effective_due_at(self.dossier)
        return due is not None and self.now > due


@dataclass(frozen=True)
class StepAction:
    slug: str
    label: str
    permission: policy.Action
    transition: str
    form_class: type
    run: Callable  # (facts, cleaned_data, user, at) -> success message
    precondition: Callable = lambda facts: None  # (facts) -> Vietnamese reason it cannot be done now, or None
    icon: str = "bi-arrow-right-circle"
    style: str = "outline-primary"
    submit: str = ""
    help: str = ""

    def permitted(self, facts: Facts) -> bool:
        if self.permission == A.ANSWER_CONSULTATION:
            return bool(facts.answerable)  # only the consulted unit answers, not the dossier's own
        return policy.can(facts.user, self.permission, facts.dossier)

    def authorize(self, facts: Facts) -> None:
        """Raise AccessDenied (→ 403) unless the user's role and unit allow this action on this dossier."""
        if self.permission == A.ANSWER_CONSULTATION:
            if facts.answerable:
                return
            consultation = next(iter(facts.dossier.consultations.all()), None)
            if consultation is not None:  # consulted, but not this user's unit: denied
                policy.authorize(facts.user, A.ANSWER_CONSULTATION, consultation=consultation)
        policy.authorize(facts.user, self.permission, facts.dossier)

    def refusal(self, facts: Facts) -> str | None:
        """Why this cannot be done now, in Vietnamese; None if it can. The rule is the dossiers app's
        (:func:`motcua.dossiers.rules.why_not`), the one its service checks again under the row lock."""
        reason = rules.why_not(self.transition, facts.dossier, facts.now)
        if reason:
            return str(reason)
        return self.precondition(facts)

    def available(self, facts: Facts) -> bool:
        return self.permitted(facts) and self.refusal(facts) is None

    def url(self, dossier: Dossier) -> str:
        return reverse("workspace:dossier-action", args=[dossier.code, self.slug])

    @property
    def button(self) -> str:
        return self.submit or self.label


def _name(user) -> str:
    return user.get_full_name() or user.get_username() if user else ""


def _when(at) -> str:
    return timezone.localtime(at).strftime("%d/%m/%Y %H:%M")


# --- runners: call one service, return the success message ---------------------------------------------


def _appraise(f, data, user, at):
    services.record_appraisal(f.dossier, opinion=data["opinion"], actor=user, at=at)
    return _("Đã ghi ý kiến thẩm định.")


def _hand_off(f, data, user, at):
    services.hand_off(
        f.dossier, step=data["step"], assignee=data.get("assignee"), actor=user, at=at, note=data.get("note", "")
    )
    return _("Đã chuyển hồ sơ đến bước «%(step)s».") % {"step": data["step"].name}


def _transfer(f, data, user, at):
    services.transfer(f.dossier, assignee=data["assignee"], actor=user, at=at, note=data.get("note", ""))
    return _("Đã chuyển hồ sơ cho %(name)s.") % {"name": _name(data["assignee"])}


def _consult(f, data, user, at):
    services.consult(f.dossier, unit=data["unit"], question=data["question"], due_at=data["due_at"], actor=user, at=at)
    return _("Đã gửi xin ý kiến %(unit)s, hạn trả lời %(due)s.") % {
        "unit": data["unit"].name,
        "due": _when(data["due_at"]),
    }


def _answer(f, data, user, at):
    consultation = data["consultation"]
    if consultation.pk not in {c.pk for c in f.answerable}:  # the form's choices are the only allowed ones
        policy.authorize(user, A.ANSWER_CONSULTATION, consultation=consultation)
    services.answer_consultation(consultation, answer=data["answer"], actor=user, at=at)
    return _("Đã trả lời xin ý kiến.")


def _supplement(f, data, user, at):
    services.request_supplement(
        f.dossier,
        items=data["items"],
        reason=data["reason"],
        actor=user,
        at=at,
        override_reason=data.get("override_reason", ""),
    )
    return _("Đã yêu cầu bổ sung hồ sơ; Bộ phận Một cửa sẽ thông báo cho người nộp.")


def _pause(f, data, user, at):
    services.pause(f.dossier, reason=data["reason"], actor=user, at=at)
    return _("Đã tạm dừng xử lý hồ sơ.")


def _resume(f, data, user, at):
    services.resume(f.dossier, actor=user, at=at)
    return _("Đã tiếp tục xử lý hồ sơ.")


def _financial(f, data, user, at):
    services.request_financial_obligation(f.dossier, reason=data["reason"], actor=user, at=at)
    return _("Đã yêu cầu thực hiện nghĩa vụ tài chính.")


def _propose_result(f, data, user, at):
    services.propose_result(
        f.dossier,
        title=data["title"],
        result_code=data.get("result_code", ""),
        file_url=data.get("file_url", ""),
        note=data.get("note", ""),
        draft=data.get("draft"),
        step=data.get("step"),
        assignee=data.get("assignee"),
        actor=user,
        at=at,
    )
    return _("Đã trình ký dự thảo kết quả.")


def _approve_result(f, data, user, at):
    result = services.approve_result(f.pending[Proposal.Kind.RESULT], signer=user, at=at)
    if result.stored_file_id:
        return _("Đã ký duyệt và ký số kết quả; hồ sơ đã xử lý xong, chuyển Bộ phận Một cửa trả kết quả.")
    return _("Đã ký duyệt kết quả; hồ sơ đã xử lý xong, chuyển Bộ phận Một cửa trả kết quả.")


def _reject_result(f, data, user, at):
    services.reject_result(f.pending[Proposal.Kind.RESULT], reason=data["reason"], actor=user, at=at)
    return _("Đã trả lại dự thảo kết quả cho chuyên viên.")


def _propose_apology(f, data, user, at):
    proposal = services.propose_apology(
        f.dossier, reason=data["reason"], extension_days=data["extension_days"], actor=user, at=at
    )
    return _("Đã trình ký văn bản xin lỗi và đề nghị gia hạn; ngày hẹn trả mới đề xuất %(due)s.") % {
        "due": _when(proposal.new_due_at)
    }


def _sign_apology(f, data, user, at):
    letter = services.sign_apology(f.pending[Proposal.Kind.APOLOGY], signer=user, at=at)
    return _("Đã ký văn bản xin lỗi và đề nghị gia hạn; ngày hẹn trả mới %(due)s.") % {"due": _when(letter.new_due_at)}


def _reject_apology(f, data, user, at):
    services.reject_apology(f.pending[Proposal.Kind.APOLOGY], reason=data["reason"], actor=user, at=at)
    return _("Đã trả lại dự thảo văn bản xin lỗi.")


def _stop(f, data, user, at):
    services.stop(f.dossier, reason=data["reason"], actor=user, at=at)
    return _("Đã dừng xử lý hồ sơ.")


def _close_unanswered(f, data, user, at):
    services.close_unanswered_supplement(f.dossier, actor=user, at=at)
    return _("Đã đóng hồ sơ do công dân không bổ sung trong thời hạn.")


def _refuse(f, data, user, at):
    services.refuse_after_appraisal(f.dossier, reason=data["reason"], actor=user, at=at)
    return _("Đã từ chối giải quyết hồ sơ; Bộ phận Một cửa sẽ trả phiếu từ chối cho người nộp.")


# --- preconditions -------------------------------------------------------------------------------------


def _has_step(f):
    return None if f.dossier.current_step_id else _("Hồ sơ chưa ở bước xử lý nào.")


def _has_workflow(f):
    return None if forms.workflow_steps(f.dossier).exists() else _("Thủ tục chưa có quy trình nội bộ để chuyển bước.")


def _open_consultation(f):
    if any(c.answered_at is None for c in f.answerable):
        return None
    return _("Không có yêu cầu xin ý kiến nào đang chờ đơn vị của bạn trả lời.")


def _no_pending_result(f):
    return _("Hồ sơ đã có dự thảo kết quả đang chờ ký duyệt.") if Proposal.Kind.RESULT in f.pending else None


def _pending_result(f):
    return None if Proposal.Kind.RESULT in f.pending else _("Không có dự thảo kết quả nào đang chờ ký duyệt.")


def _pending_apology(f):
    return None if Proposal.Kind.APOLOGY in f.pending else _("Không có dự thảo văn bản xin lỗi nào đang chờ ký.")


ACTIONS: dict[str, StepAction] = {
    a.slug: a
    for a in [
        StepAction(
            "tham-dinh",
            gettext_lazy("Ghi ý kiến thẩm định"),
            A.APPRAISE,
            "appraise",
            forms.AppraisalForm,
            _appraise,
            icon="bi-journal-check",
            style="outline-primary",
            submit=gettext_lazy("Ghi ý kiến"),
        ),
        StepAction(
            "chuyen-buoc",
            gettext_lazy("Chuyển bước xử lý"),
            A.HAND_OFF,
            "hand_off",
            forms.HandOffForm,
            _hand_off,
            _has_workflow,
            icon="bi-signpost-split",
            submit=gettext_lazy("Chuyển bước"),
        ),
        StepAction(
            "chuyen-nguoi",
            gettext_lazy("Chuyển người xử lý"),
            A.HAND_OFF,
            "transfer",
            forms.TransferForm,
            _transfer,
            _has_step,
            icon="bi-person-gear",
            submit=gettext_lazy("Chuyển"),
        ),
        StepAction(
            "lay-y-kien",
            gettext_lazy("Lấy ý kiến đơn vị khác"),
            A.CONSULT,
            "consult",
            forms.ConsultForm,
            _consult,
            icon="bi-people",
            submit=gettext_lazy("Gửi xin ý kiến"),
        ),
        StepAction(
            "tra-loi-y-kien",
            gettext_lazy("Trả lời xin ý kiến"),
            A.ANSWER_CONSULTATION,
            "answer_consultation",
            forms.AnswerConsultationForm,
            _answer,
            _open_consultation,
            icon="bi-reply",
            submit=gettext_lazy("Gửi trả lời"),
        ),
        StepAction(
            "yeu-cau-bo-sung",
            gettext_lazy("Yêu cầu bổ sung hồ sơ"),
            A.REQUEST_SUPPLEMENT,
            "request_supplement",
            forms.SupplementForm,
            _supplement,
            icon="bi-file-earmark-plus",
            style="outline-warning",
            submit=gettext_lazy("Yêu cầu bổ sung"),
        ),
        StepAction(
            "tam-dung",
            gettext_lazy("Tạm dừng xử lý"),
            A.PAUSE,
            "pause",
            forms.ReasonForm,
            _pause,
            icon="bi-pause-circle",
            style="outline-secondary",
            submit=gettext_lazy("Tạm dừng"),
        ),
        StepAction(
            "tiep-tuc",
            gettext_lazy("Tiếp tục xử lý"),
            A.RESUME,
            "resume",
            forms.ConfirmForm,
            _resume,
            icon="bi-play-circle",
            style="outline-success",
            submit=gettext_lazy("Tiếp tục xử lý"),
        ),
        StepAction(
            "nghia-vu-tai-chinh",
            gettext_lazy("Yêu cầu thực hiện nghĩa vụ tài chính"),
            A.REQUEST_FINANCIAL_OBLIGATION,
            "request_financial_obligation",
            forms.ReasonForm,
            _financial,
            icon="bi-cash-coin",
            style="outline-secondary",
            submit=gettext_lazy("Gửi yêu cầu"),
        ),
        StepAction(
            "trinh-ket-qua",
            gettext_lazy("Trình ký dự thảo kết quả"),
            A.PROPOSE_RESULT,
            "propose_result",
            forms.ProposeResultForm,
            _propose_result,
            _no_pending_result,
            icon="bi-send-check",
            style="primary",
            submit=gettext_lazy("Trình ký"),
        ),
        StepAction(
            "ky-ket-qua",
            gettext_lazy("Ký duyệt kết quả"),
            A.APPROVE_RESULT,
            "finish",
            forms.ConfirmForm,
            _approve_result,
            _pending_result,
            icon="bi-pen",
            style="success",
            submit=gettext_lazy("Ký duyệt kết quả"),
        ),
        StepAction(
            "tra-lai-ket-qua",
            gettext_lazy("Trả lại dự thảo kết quả"),
            A.APPROVE_RESULT,
            "reject_result",
            forms.ReasonForm,
            _reject_result,
            _pending_result,
            icon="bi-arrow-return-left",
            style="outline-danger",
            submit=gettext_lazy("Trả lại"),
        ),
        StepAction(
            "de-xuat-xin-loi",
            gettext_lazy("Đề xuất xin lỗi, gia hạn"),
            A.PROPOSE_APOLOGY,
            "propose_apology",
            forms.ProposeApologyForm,
            _propose_apology,
            icon="bi-hourglass-split",
            style="outline-warning",
            submit=gettext_lazy("Trình ký văn bản xin lỗi"),
        ),
        StepAction(
            "ky-xin-loi",
            gettext_lazy("Ký văn bản xin lỗi và gia hạn"),
            A.SIGN_APOLOGY,
            "sign_apology",
            forms.ConfirmForm,
            _sign_apology,
            icon="bi-pen",
            style="success",
            submit=gettext_lazy("Ký phiếu"),
        ),
        StepAction(
            "tra-lai-xin-loi",
            gettext_lazy("Trả lại dự thảo văn bản xin lỗi"),
            A.SIGN_APOLOGY,
            "reject_apology",
            forms.ReasonForm,
            _reject_apology,
            _pending_apology,
            icon="bi-arrow-return-left",
            style="outline-danger",
            submit=gettext_lazy("Trả lại"),
        ),
        StepAction(
            "dung-xu-ly",
            gettext_lazy("Dừng xử lý"),
            A.STOP,
            "stop",
            forms.ReasonForm,
            _stop,
            icon="bi-stop-circle",
            style="outline-danger",
            submit=gettext_lazy("Dừng xử lý"),
        ),
        StepAction(
            "dong-ho-so-khong-bo-sung",
            gettext_lazy("Đóng hồ sơ (không bổ sung đúng hạn)"),
            A.STOP,
            "close_unanswered_supplement",
            forms.ConfirmForm,
            _close_unanswered,
            icon="bi-archive",
            style="outline-danger",
            submit=gettext_lazy("Đóng hồ sơ"),
            help=gettext_lazy("Công dân không nộp hồ sơ bổ sung trong 15 ngày làm việc kể từ ngày yêu cầu."),
        ),
        StepAction(
            "tu-choi",
            gettext_lazy("Từ chối giải quyết"),
            A.REFUSE_AFTER_APPRAISAL,
            "refuse_after_appraisal",
            forms.ReasonForm,
            _refuse,
            icon="bi-x-octagon",
            style="outline-danger",
            submit=gettext_lazy("Từ chối giải quyết"),
        ),
    ]
}


def available(facts: Facts) -> list[StepAction]:
    """The actions the user may do on the dossier now, in panel order."""
    return [a for a in ACTIONS.values() if a.available(facts)]


# --- the one-stop desk's actions, built by the desk: linked when allowed -----------------------------


@dataclass(frozen=True)
class DeskLink:
    url_name: str
    label: str
    permission: policy.Action
    transition: str
    icon: str


DESK_LINKS = (
    DeskLink(
        "workspace:desk-start",
        gettext_lazy("Chuyển xử lý"),
        A.START_PROCESSING,
        "start_processing",
        "bi-box-arrow-in-right",
    ),
    DeskLink(
        "workspace:desk-complete-supplement",
        gettext_lazy("Nhận hồ sơ bổ sung"),
        A.COMPLETE_SUPPLEMENT,
        "complete_supplement",
        "bi-file-earmark-check",
    ),
    DeskLink(
        "workspace:desk-payment",
        gettext_lazy("Ghi nhận thanh toán"),
        A.RECORD_PAYMENT,
        "record_payment",
        "bi-credit-card",
    ),
    DeskLink(
        "workspace:desk-return", gettext_lazy("Trả kết quả"), A.RETURN_RESULT, "return_result", "bi-box-arrow-right"
    ),
    DeskLink(
        "workspace:desk-withdrawal",
        gettext_lazy("Công dân rút hồ sơ"),
        A.RECORD_WITHDRAWAL,
        "request_withdrawal",
        "bi-x-circle",
    ),
)


def desk_links(facts: Facts) -> list[tuple[DeskLink, str]]:
    """(link, url) for the desk actions the user may do now; links whose view does not exist yet are left out."""
    out = []
    for link in DESK_LINKS:
        if facts.dossier.status not in lifecycle.TRANSITIONS[link.transition].sources:
            continue
        if not policy.can(facts.user, link.permission, facts.dossier):
            continue
        try:
            out.append((link, reverse(link.url_name, args=[facts.dossier.code])))
        except NoReverseMatch:
            continue
    return out


def documents(dossier: Dossier, facts: Facts, stop_notice=None) -> list[tuple[str, str]]:
    """Forms of Thông tư 03/2025 that apply to the dossier (slug, label), from what it has; the control slip always."""
    out = []
    if dossier.received_at:
        out.append(("receipt", _("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")))
    if facts.supplements:
        out.append(("supplement", _("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")))
    refused_after_appraisal = getattr(stop_notice, "kind", None) == StopNotice.Kind.REFUSAL
    if dossier.status == Status.NOT_RECEIVED:
        out.append(("refusal", _("Phiếu từ chối tiếp nhận giải quyết hồ sơ")))
    if facts.has_apology:
        out.append(("apology", _("Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết")))
    if refused_after_appraisal:  # R1.25: the agency's written refusal, neither Mẫu 03 nor Mẫu 05
        out.append(("refusal-decision", _("Văn bản từ chối giải quyết hồ sơ")))
    elif stop_notice is not None:
        out.append(("stop", _("Thông báo dừng giải quyết hồ sơ")))
    out.append(("control", _("Phiếu kiểm soát quá trình giải quyết hồ sơ")))
    if _has_handover(dossier):
        out.append(("return", _("Phiếu trả kết quả giải quyết hồ sơ")))
    return out


def _has_handover(dossier: Dossier) -> bool:
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return dossier.handover is not None
    except ObjectDoesNotExist:
        return False
