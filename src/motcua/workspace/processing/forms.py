"""Forms of the officials' workspace: queue and search filters, and one form per step action.

Forms only shape input; every rule (who may, in which state, once only) is
checked again by :mod:`motcua.access.policy` and the dossier services.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import WorkflowStep
from motcua.core import dates
from motcua.core.errors import UserError
from motcua.core.weblinks import validate_web_url
from motcua.dossiers import rules, services
from motcua.dossiers.models import Consultation, Status
from motcua.org import tree
from motcua.org.models import Unit
from motcua.workdays.services import get_calendar

from .queries import QUEUE_FILTER_STATUSES

#: Default time a consulted unit has to answer (lấy ý kiến), in working days; the official may change it.
CONSULTATION_DEFAULT_DAYS = 3
#: Default extension proposed in an apology letter, in working days.
APOLOGY_DEFAULT_DAYS = 5

DATETIME_INPUT = "%Y-%m-%dT%H:%M"
DATETIME_FORMATS = [DATETIME_INPUT, "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M"]


def _autofocus(form: forms.Form) -> None:
    """Autofocus the first visible field; Bootstrap classes on every widget."""
    first = True
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        widget.attrs.setdefault("class", css)
        if first:
            widget.attrs["autofocus"] = True
            first = False


class BootstrapForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _autofocus(self)


def datetime_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT)


class OfficialChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.get_username()


def officials(unit_id: int, roles, exclude=None):
    """Active officials holding one of ``roles`` in the unit or below it (the people a step can go to)."""
    users = (
        get_user_model()
        .objects.filter(
            is_active=True,
            positions__is_active=True,
            positions__role__in=list(roles),
            positions__unit_id__in=tree.subtree_ids(unit_id),
        )
        .distinct()
        .order_by("first_name", "username")
    )
    return users.exclude(pk=exclude.pk) if exclude is not None else users


def workflow_steps(dossier):
    """The steps of the dossier's workflow (the current step's, else the one it would start with)."""
    step = dossier.current_step or services.first_step(dossier)
    if step is None:
        return WorkflowStep.objects.none()
    return WorkflowStep.objects.filter(workflow_id=step.workflow_id).select_related("unit").order_by("order")


class StepChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, step):
        return f"{step.order}. {step.name} ({step.get_role_display()}, {step.allotted_hours.normalize():f} giờ)"


# --- filters -------------------------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    # Selects whose options are what the queue holds; any value is accepted (a step no longer there finds nothing).
    procedure = forms.IntegerField(label=_("Thủ tục"), required=False, widget=forms.Select)
    step = forms.CharField(label=_("Bước"), required=False, max_length=255, widget=forms.Select)
    status = forms.TypedChoiceField(label=_("Trạng thái"), required=False, coerce=int, empty_value=None)
    overdue = forms.BooleanField(label=_("Chỉ hồ sơ quá hạn"), required=False)

    def __init__(self, *args, procedures=(), steps=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].widget.choices = [("", _("Tất cả thủ tục"))] + [
            (str(pk), f"{code} — {name[:80]}") for pk, code, name in procedures
        ]
        self.fields["step"].widget.choices = [("", _("Tất cả các bước"))] + [(name, name) for name in steps]
        self.fields["status"].choices = [("", _("Đang chờ xử lý"))] + [
            (int(s), Status(s).label) for s in QUEUE_FILTER_STATUSES
        ]
        for name, field in self.fields.items():
            css = "form-check-input" if name == "overdue" else "form-select form-select-sm"
            field.widget.attrs.setdefault("class", css)


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Mã hồ sơ, tên hoặc số định danh"),
        required=False,
        max_length=128,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autofocus": True,
                "placeholder": _("Nhập mã hồ sơ, tên chủ hồ sơ, số định danh cá nhân…"),
            }
        ),
    )
    status = forms.TypedChoiceField(
        label=_("Trạng thái"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Tất cả trạng thái"))] + list(Status.choices),
    )
    procedure = forms.CharField(label=_("Thủ tục (mã hoặc tên)"), required=False, max_length=128)
    unit = forms.ModelChoiceField(
        label=_("Đơn vị xử lý"), required=False, queryset=Unit.objects.none(), empty_label=_("Tất cả đơn vị")
    )
    received_from = dates.DateField(
        label=_("Tiếp nhận từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    received_to = dates.DateField(
        label=_("đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.all()
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return data


# --- step actions --------------------------------------------------------------------------------------


class ActionForm(BootstrapForm):
    """A step-action form; ``facts`` (see actions.Facts) gives the dossier and what may be picked."""

    def __init__(self, *args, facts=None, **kwargs):
        self.facts = facts
        super().__init__(*args, **kwargs)

    @property
    def dossier(self):
        return self.facts.dossier


class ConfirmForm(ActionForm):
    """An action without input (resume, sign): the button is the confirmation."""


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class AppraisalForm(ActionForm):
    opinion = forms.CharField(
        label=_("Ý kiến thẩm định"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=8000,
        help_text=_("Kết quả thẩm tra, xác minh và đề xuất của chuyên viên."),
    )


class AssigneeMixin:
    """Check the chosen official against the step on the server side too (the same rule as the service)."""

    def check_assignee(self, step, assignee, field="assignee"):
        if step is None or assignee is None:
            return
        try:
            services.check_assignee(self.dossier, step, assignee)
        except UserError as error:
            self.add_error(field, error.message)


class HandOffForm(AssigneeMixin, ActionForm):
    step = StepChoiceField(label=_("Chuyển đến bước"), queryset=WorkflowStep.objects.none(), empty_label=None)
    assignee = OfficialChoiceField(
        label=_("Cán bộ nhận"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("— Để đơn vị phân công —"),
    )
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        steps = workflow_steps(self.dossier)
        self.fields["step"].queryset = steps
        chosen = self._chosen_step(steps)
        if chosen is not None:
            self.initial.setdefault("step", chosen.pk)
            unit_id = chosen.unit_id or self.dossier.handling_unit_id
            self.fields["assignee"].queryset = officials(unit_id, [chosen.role])

    def _chosen_step(self, steps):
        value = self.data.get("step") if self.is_bound else self.initial.get("step")
        step_list = list(steps)
        if value:
            return next((s for s in step_list if str(s.pk) == str(value)), None)
        current = self.dossier.current_step
        later = [s for s in step_list if current is None or s.order > current.order]
        return later[0] if later else (step_list[0] if step_list else None)

    def clean(self):
        data = super().clean()
        self.check_assignee(data.get("step"), data.get("assignee"))
        return data


class TransferForm(AssigneeMixin, ActionForm):
    assignee = OfficialChoiceField(label=_("Chuyển cho cán bộ"), queryset=get_user_model().objects.none())
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        step = self.dossier.current_step
        if step is not None:
            self.fields["assignee"].queryset = officials(
                step.unit_id or self.dossier.handling_unit_id, [step.role], exclude=self.dossier.current_assignee
            )

    def clean(self):
        data = super().clean()
        self.check_assignee(self.dossier.current_step, data.get("assignee"))
        return data


class ConsultForm(ActionForm):
    unit = forms.ModelChoiceField(label=_("Đơn vị được hỏi ý kiến"), queryset=Unit.objects.none())
    question = forms.CharField(
        label=_("Nội dung xin ý kiến"), widget=forms.Textarea(attrs={"rows": 4}), max_length=8000
    )
    due_at = dates.DateTimeField(
        label=_("Hạn trả lời"),
        widget=datetime_widget(),
        input_formats=DATETIME_FORMATS,
        help_text=_("Mặc định %(days)s ngày làm việc kể từ bây giờ.") % {"days": CONSULTATION_DEFAULT_DAYS},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["unit"].queryset = (
            Unit.objects.exclude(pk=self.dossier.handling_unit_id).exclude(valid_to__lt=today).order_by("kind", "code")
        )
        if "due_at" not in self.initial:
            start = self.facts.now if self.facts else timezone.now()
            due = get_calendar().add_working_days(start, CONSULTATION_DEFAULT_DAYS)
            self.initial["due_at"] = timezone.localtime(due).replace(second=0, microsecond=0)


class AnswerConsultationForm(ActionForm):
    consultation = forms.ModelChoiceField(
        label=_("Yêu cầu xin ý kiến"), queryset=Consultation.objects.none(), empty_label=None
    )
    answer = forms.CharField(label=_("Ý kiến trả lời"), widget=forms.Textarea(attrs={"rows": 5}), max_length=8000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        pks = [c.pk for c in self.facts.answerable if c.answered_at is None]
        field = self.fields["consultation"]
        field.queryset = Consultation.objects.filter(pk__in=pks).select_related("unit")
        field.label_from_instance = lambda c: f"{c.unit.name}: {c.question[:80]}"


class SupplementForm(ActionForm):
    items = forms.CharField(
        label=_("Giấy tờ cần bổ sung, hoàn thiện (mỗi dòng một giấy tờ)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=8000,
    )
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
    override_reason = forms.CharField(
        label=_("Lý do yêu cầu bổ sung lần hai"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
        help_text=_(
            "Hồ sơ đã được yêu cầu bổ sung một lần. Yêu cầu lần hai làm hồ sơ bị tính là quá hạn "
            "theo Bộ chỉ số 766; chỉ thực hiện khi pháp luật chuyên ngành cho phép."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The rule is the service's (rules.second_supplement_warning): counter guidance is not a first request.
        self.second_request = rules.second_supplement_warning(self.facts.dossier) is not None
        if not self.second_request:
            del self.fields["override_reason"]

    def clean_items(self):
        items = [line.strip(" -•\t") for line in self.cleaned_data["items"].splitlines()]
        items = [item for item in items if item]
        if not items:
            raise ValidationError(_("Phải liệt kê ít nhất một giấy tờ cần bổ sung."))
        return items

    def clean_override_reason(self):
        value = self.cleaned_data.get("override_reason", "").strip()
        if self.second_request and not value:
            raise ValidationError(_("Phải ghi lý do khi yêu cầu bổ sung lần hai."))
        return value


class ProposeResultForm(AssigneeMixin, ActionForm):
    title = forms.CharField(label=_("Tên giấy tờ kết quả"), max_length=255)
    result_code = forms.CharField(label=_("Số, ký hiệu kết quả"), required=False, max_length=128)
    draft = forms.FileField(
        label=_("Tệp dự thảo kết quả (PDF hoặc ảnh quét)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.tif,.tiff"}),
        help_text=_("Lãnh đạo xem và ký số chính tệp này; không có tệp thì kết quả là bản giấy."),
    )
    file_url = forms.CharField(
        label=_("Đường dẫn tệp dự thảo (nếu có)"), required=False, max_length=1000, validators=[validate_web_url]
    )
    note = forms.CharField(
        label=_("Nội dung trình"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=8000
    )
    step = StepChoiceField(
        label=_("Trình bước"),
        queryset=WorkflowStep.objects.none(),
        required=False,
        empty_label=_("— Giữ ở bước hiện tại —"),
    )
    assignee = OfficialChoiceField(
        label=_("Lãnh đạo ký"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("— Để đơn vị phân công —"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        steps = list(workflow_steps(self.dossier))
        self.fields["step"].queryset = workflow_steps(self.dossier)
        signing = [s for s in steps if s.role == "leader"]
        if signing:
            self.initial.setdefault("step", signing[-1].pk)
            roles = {s.role for s in signing}
            self.fields["assignee"].queryset = officials(self.dossier.handling_unit_id, roles)

    def clean(self):
        data = super().clean()
        self.check_assignee(data.get("step"), data.get("assignee"))
        return data


class ProposeApologyForm(ActionForm):
    reason = forms.CharField(
        label=_("Lý do chậm giải quyết"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    extension_days = forms.DecimalField(
        label=_("Đề nghị gia hạn thêm (ngày làm việc)"),
        min_value=Decimal("0.5"),
        max_value=Decimal("60"),
        decimal_places=1,
        initial=APOLOGY_DEFAULT_DAYS,
        help_text=_("Ngày hẹn trả mới được tính theo lịch làm việc kể từ ngày hẹn trả hiện tại."),
    )
