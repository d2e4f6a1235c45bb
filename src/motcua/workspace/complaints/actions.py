"""The complaints desk's actions, as data: who may, when, with which form, calling which service.

The complaint page shows only the actions the signed-in official may do now (the policy matrix in the
complaint's unit, and the action's ``why_not`` rule from feedback.lifecycle); the action view checks
the same on POST and the service checks the rule a third time under the row lock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.access import policy
from motcua.feedback import lifecycle, services
from motcua.feedback.models import Complaint, ComplaintCategory

from . import forms

A = policy.Action


@dataclass(frozen=True)
class ComplaintAction:
    slug: str
    label: str
    permission: policy.Action
    transition: str  # the feedback.lifecycle action
    form_class: type
    run: Callable  # (complaint, cleaned_data, user, at) -> success message
    icon: str = "bi-arrow-right-circle"
    style: str = "outline-primary"
    submit: str = ""

    def permitted(self, user, complaint: Complaint) -> bool:
        return policy.can(user, self.permission, complaint=complaint)

    def authorize(self, user, complaint: Complaint) -> None:
        policy.authorize(user, self.permission, complaint=complaint)

    def refusal(self, complaint: Complaint, at: datetime) -> str | None:
        """Why this cannot be done now (Vietnamese), or None."""
        return lifecycle.why_not(self.transition, complaint, at)

    def available(self, user, complaint: Complaint, at: datetime) -> bool:
        return self.permitted(user, complaint) and self.refusal(complaint, at) is None

    def url(self, complaint: Complaint) -> str:
        return reverse("workspace:complaint-action", args=[complaint.code, self.slug])

    @property
    def button(self) -> str:
        return self.submit or self.label

    @property
    def inline(self) -> bool:
        """Confirmed with one button on the complaint page (no input)."""
        return self.form_class is forms.ConfirmForm


def _when(at) -> str:
    return timezone.localtime(at).strftime("%H:%M %d/%m/%Y")


def _accept(c, data, user, at):
    services.accept(c, actor=user, at=at)
    return _("Đã tiếp nhận phản ánh, kiến nghị; hạn trả lời %(due)s.") % {
        "due": _when(services.deadlines_of(c).answer_by)
    }


def _classify(c, data, user, at):
    services.classify(c, category=data["category"], actor=user, at=at)
    return _("Đã phân loại: %(category)s.") % {"category": ComplaintCategory(data["category"]).label}


def _assign(c, data, user, at):
    services.assign(c, assignee=data["assignee"], actor=user, at=at)
    person = data["assignee"]
    return _("Đã phân công %(name)s xử lý.") % {"name": person.get_full_name() or person.get_username()}


def _transfer(c, data, user, at):
    services.transfer(c, unit=data["unit"], reason=data["reason"], actor=user, at=at)
    return _("Đã chuyển phản ánh đến %(unit)s; thời hạn xử lý tính lại từ bây giờ.") % {"unit": data["unit"].name}


def _request_information(c, data, user, at):
    services.request_information(c, request=data["request"], actor=user, at=at)
    return _("Đã yêu cầu người gửi bổ sung thông tin.")


def _record_information(c, data, user, at):
    services.record_information(c, information=data["information"], actor=user, at=at)
    return _("Đã ghi nhận thông tin bổ sung; tiếp tục xử lý.")


def _refuse(c, data, user, at):
    services.refuse(c, reason=data["reason"], actor=user, at=at)
    return _("Đã từ chối phản ánh, kiến nghị.")


def _draft_answer(c, data, user, at):
    services.draft_answer(c, text=data["text"], actor=user, at=at)
    return _("Đã trình lãnh đạo dự thảo trả lời.")


def _return_answer(c, data, user, at):
    services.return_answer(c, reason=data["reason"], actor=user, at=at)
    return _("Đã trả lại dự thảo trả lời cho chuyên viên.")


def _approve_answer(c, data, user, at):
    services.approve_answer(c, actor=user, at=at)
    fresh = Complaint.objects.get(pk=c.pk)
    return _("Đã phê duyệt trả lời; phải công khai trước %(due)s.") % {
        "due": _when(services.deadlines_of(fresh).publish_by)
    }


def _publish(c, data, user, at):
    services.publish(c, actor=user, at=at)
    return _("Đã công khai trả lời phản ánh, kiến nghị.")


ACTIONS: dict[str, ComplaintAction] = {
    a.slug: a
    for a in [
        ComplaintAction(
            "tiep-nhan",
            gettext_lazy("Tiếp nhận"),
            A.ACCEPT_COMPLAINT,
            "accept",
            forms.ConfirmForm,
            _accept,
            icon="bi-inbox",
            style="primary",
        ),
        ComplaintAction(
            "phan-loai",
            gettext_lazy("Phân loại lại"),
            A.CLASSIFY_COMPLAINT,
            "classify",
            forms.ClassifyForm,
            _classify,
            icon="bi-tags",
            submit=gettext_lazy("Ghi phân loại"),
        ),
        ComplaintAction(
            "phan-cong",
            gettext_lazy("Phân công chuyên viên"),
            A.ASSIGN_COMPLAINT,
            "assign",
            forms.AssignForm,
            _assign,
            icon="bi-person-check",
            submit=gettext_lazy("Phân công"),
        ),
        ComplaintAction(
            "chuyen-don-vi",
            gettext_lazy("Chuyển đơn vị xử lý"),
            A.TRANSFER_COMPLAINT,
            "transfer",
            forms.TransferForm,
            _transfer,
            icon="bi-signpost-split",
            submit=gettext_lazy("Chuyển"),
        ),
        ComplaintAction(
            "yeu-cau-bo-sung",
            gettext_lazy("Yêu cầu bổ sung thông tin"),
            A.REQUEST_COMPLAINT_INFORMATION,
            "request_information",
            forms.RequestInformationForm,
            _request_information,
            icon="bi-question-circle",
            style="outline-warning",
            submit=gettext_lazy("Gửi yêu cầu"),
        ),
        ComplaintAction(
            "nhan-bo-sung",
            gettext_lazy("Nhận thông tin bổ sung"),
            A.RECORD_COMPLAINT_INFORMATION,
            "record_information",
            forms.RecordInformationForm,
            _record_information,
            icon="bi-file-earmark-check",
            submit=gettext_lazy("Ghi nhận"),
        ),
        ComplaintAction(
            "du-thao",
            gettext_lazy("Dự thảo trả lời"),
            A.DRAFT_COMPLAINT_ANSWER,
            "draft_answer",
            forms.DraftAnswerForm,
            _draft_answer,
            icon="bi-pencil-square",
            style="primary",
            submit=gettext_lazy("Trình lãnh đạo"),
        ),
        ComplaintAction(
            "phe-duyet",
            gettext_lazy("Phê duyệt trả lời"),
            A.APPROVE_COMPLAINT_ANSWER,
            "approve_answer",
            forms.ConfirmForm,
            _approve_answer,
            icon="bi-pen",
            style="success",
        ),
        ComplaintAction(
            "tra-lai",
            gettext_lazy("Trả lại dự thảo"),
            A.APPROVE_COMPLAINT_ANSWER,
            "return_answer",
            forms.ReasonForm,
            _return_answer,
            icon="bi-arrow-return-left",
            style="outline-danger",
            submit=gettext_lazy("Trả lại"),
        ),
        ComplaintAction(
            "cong-khai",
            gettext_lazy("Công khai trả lời"),
            A.PUBLISH_COMPLAINT_ANSWER,
            "publish",
            forms.ConfirmForm,
            _publish,
            icon="bi-megaphone",
            style="success",
        ),
        ComplaintAction(
            "tu-choi",
            gettext_lazy("Từ chối"),
            A.REFUSE_COMPLAINT,
            "refuse",
            forms.ReasonForm,
            _refuse,
            icon="bi-x-octagon",
            style="outline-danger",
            submit=gettext_lazy("Từ chối"),
        ),
    ]
}


def available(user, complaint: Complaint, at: datetime) -> list[ComplaintAction]:
    """The actions ``user`` may do on ``complaint`` now, in panel order."""
    return [a for a in ACTIONS.values() if a.available(user, complaint, at)]
