"""Forms of the complaints desk: the queue's filters, the intake at the counter or the hotline, one form per action.

Forms only shape input; who may and when is checked by :mod:`motcua.access.policy`, the action's
``why_not`` rule (feedback.lifecycle) and the service again under the row lock.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import Dossier
from motcua.feedback import lifecycle
from motcua.feedback.models import (
    ComplaintAnswer,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintStatus,
)
from motcua.org.models import Role, Unit

from ..processing.forms import BootstrapForm, OfficialChoiceField, officials
from .queries import View


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit):
        return f"{unit.name} ({unit.code})"


class QueueFilterForm(forms.Form):
    view = forms.ChoiceField(
        label=_("Hiển thị"),
        required=False,
        initial=View.OPEN,
        choices=[(View.OPEN, _("Đang xử lý")), (View.CLOSED, _("Đã kết thúc")), (View.ALL, _("Tất cả"))],
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"), required=False, choices=[("", _("Mọi trạng thái")), *ComplaintStatus.choices]
    )
    category = forms.ChoiceField(
        label=_("Phân loại"), required=False, choices=[("", _("Mọi phân loại")), *ComplaintCategory.choices]
    )
    q = forms.CharField(label=_("Mã, tiêu đề, người gửi"), required=False, max_length=200)
    mine = forms.BooleanField(label=_("Được giao cho tôi"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = (
                "form-check-input"
                if name == "mine"
                else (
                    "form-select form-select-sm"
                    if isinstance(field.widget, forms.Select)
                    else "form-control form-control-sm"
                )
            )
            field.widget.attrs["class"] = css


class IntakeForm(BootstrapForm):
    """Ghi nhận PAKN: what the citizen says at the counter or on the hotline, for the competent unit."""

    channel = forms.ChoiceField(
        label=_("Kênh tiếp nhận"),
        initial=ComplaintChannel.COUNTER,
        choices=[
            (ComplaintChannel.COUNTER, ComplaintChannel.COUNTER.label),
            (ComplaintChannel.HOTLINE, ComplaintChannel.HOTLINE.label),
        ],
    )
    unit = UnitChoiceField(label=_("Đơn vị có thẩm quyền"), queryset=Unit.objects.none())
    category = forms.ChoiceField(label=_("Phân loại"), choices=ComplaintCategory.choices)
    title = forms.CharField(label=_("Tiêu đề"), max_length=500)
    content = forms.CharField(label=_("Nội dung phản ánh, kiến nghị"), widget=forms.Textarea(attrs={"rows": 5}))
    sender_name = forms.CharField(
        label=_("Họ tên người gửi"),
        max_length=255,
        required=False,
        help_text=_("Để trống nếu người gửi không nêu tên."),
    )
    sender_phone = forms.CharField(label=_("Điện thoại"), max_length=32, required=False)
    sender_email = forms.EmailField(label=_("Thư điện tử"), max_length=254, required=False)
    sender_address = forms.CharField(label=_("Địa chỉ"), max_length=500, required=False)
    dossier_code = forms.CharField(label=_("Mã hồ sơ liên quan"), max_length=64, required=False)

    def __init__(self, *args, units=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()
        if units is not None and units.count() == 1:
            self.fields["unit"].initial = units.first()
        self.user = user

    def clean_dossier_code(self):
        from motcua.access import policy

        code = self.cleaned_data["dossier_code"].strip()
        if not code:
            return None
        dossier = Dossier.objects.filter(code=code).first()
        if dossier is None or not policy.can(self.user, policy.Action.VIEW, dossier):
            raise forms.ValidationError(_("Không tìm thấy hồ sơ %(code)s.") % {"code": code})
        return dossier


# --- one form per action --------------------------------------------------------------------------------------


class ComplaintActionForm(BootstrapForm):
    """An action's input; invalid while the action's rule (feedback.lifecycle.why_not) refuses it at ``at``."""

    def __init__(self, *args, complaint=None, transition: str = "", at=None, **kwargs):
        self.complaint, self.transition, self.at = complaint, transition, at
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if self.complaint is not None and self.transition and self.at is not None:
            reason = lifecycle.why_not(self.transition, self.complaint, self.at)
            if reason:
                raise forms.ValidationError(reason, code="refused")
        return data


class ConfirmForm(ComplaintActionForm):
    pass


class ClassifyForm(ComplaintActionForm):
    category = forms.ChoiceField(label=_("Phân loại"), choices=ComplaintCategory.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.complaint.category if self.complaint is not None else ""
        self.fields["category"].choices = [(v, label) for v, label in ComplaintCategory.choices if v != current]


class AssignForm(ComplaintActionForm):
    assignee = OfficialChoiceField(label=_("Chuyên viên xử lý"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = officials(self.complaint.unit_id, [Role.SPECIALIST])
        if self.complaint.assignee_id:
            people = people.exclude(pk=self.complaint.assignee_id)
        self.fields["assignee"].queryset = people


class TransferForm(ComplaintActionForm):
    unit = UnitChoiceField(label=_("Chuyển đến đơn vị"), queryset=Unit.objects.none())
    reason = forms.CharField(label=_("Lý do chuyển"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (
            Unit.objects.exclude(pk=self.complaint.unit_id).filter(valid_to__isnull=True).order_by("kind", "code")
        )


class RequestInformationForm(ComplaintActionForm):
    request = forms.CharField(label=_("Thông tin cần người gửi bổ sung"), widget=forms.Textarea(attrs={"rows": 3}))


class RecordInformationForm(ComplaintActionForm):
    information = forms.CharField(label=_("Nội dung người gửi đã bổ sung"), widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(ComplaintActionForm):
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 3}))


class DraftAnswerForm(ComplaintActionForm):
    text = forms.CharField(label=_("Nội dung trả lời"), widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        returned = (
            self.complaint.answers.filter(state=ComplaintAnswer.State.RETURNED).order_by("-drafted_at", "-pk").first()
        )
        if returned is not None:  # start from the draft the leader sent back
            self.fields["text"].initial = returned.text
