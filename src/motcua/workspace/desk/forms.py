"""Forms of the one-stop desk: reception, supplement, payment, withdrawal, result return.

Forms check what the officer typed (số định danh, phone, a reason where the law asks for one);
the business rules (completeness, once-only supplement, transitions) stay in
:mod:`motcua.dossiers.intake` and :mod:`motcua.dossiers.services`.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from motcua.access.desk import handling_units
from motcua.catalog.models import Procedure
from motcua.core.errors import UserError
from motcua.dossiers import intake
from motcua.dossiers.applicants import ApplicantKind, normalize_id
from motcua.dossiers.models import Channel, OnlinePayment

#: Free rows for papers the catalogue does not list (giấy tờ khác).
EXTRA_ROWS = 2
OUTCOMES = ("check", "receive", "supplement", "refuse")

phone_validator = RegexValidator(r"^(\+84|0)\d{9,10}$", _("Số điện thoại không hợp lệ (ví dụ 0912345678)."))


def _scan_validator(upload):
    try:
        intake.validate_scan(upload)
    except UserError as error:
        raise ValidationError(error.message) from None


class ScanField(forms.FileField):
    """An optional scan (PDF or image) of one component."""

    default_validators = [_scan_validator]

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ",".join(intake.SCAN_EXTENSIONS)}))
        super().__init__(**kwargs)


def style(form) -> None:
    """Bootstrap classes on every widget, and aria-invalid where the field has errors (idempotent)."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect)):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        classes = widget.attrs.get("class", "").split()
        if css not in classes:
            classes.append(css)
        if form.is_bound and form._errors and name in form._errors:
            widget.attrs["aria-invalid"] = "true"
            if "is-invalid" not in classes:
                classes.append("is-invalid")
        widget.attrs["class"] = " ".join(classes)


class StyledForm(forms.Form):
    """Styled when first rendered, and again after validation to mark the invalid fields."""

    def full_clean(self):
        super().full_clean()
        style(self)

    def __getitem__(self, name):
        if not getattr(self, "_styled", False):
            style(self)
            self._styled = True
        return super().__getitem__(name)


def split_items(text: str) -> list[str]:
    """One item per line; blank lines and list bullets dropped."""
    return [
        line.strip().lstrip("-•*").strip() for line in (text or "").splitlines() if line.strip().lstrip("-•*").strip()
    ]


class ComponentChecklist:
    """The checklist of declared components ("đã nộp" + optional scan each) and free rows."""

    specs: list = []

    def add_components(self, specs, present=frozenset()):
        self.specs, self.present = specs, set(present)
        for spec in specs:
            self.fields[f"c{spec.pk}"] = forms.BooleanField(
                required=False, label=spec.name, initial=spec.code in present
            )
            self.fields[f"f{spec.pk}"] = ScanField(label=_("Tệp quét của «%(name)s»") % {"name": spec.name[:80]})
        for i in range(EXTRA_ROWS):
            self.fields[f"extra{i}_name"] = forms.CharField(required=False, max_length=500, label=_("Giấy tờ khác"))
            self.fields[f"extra{i}_file"] = ScanField(label=_("Tệp quét giấy tờ khác"))

    def component_rows(self):
        return [(spec, self[f"c{spec.pk}"], self[f"f{spec.pk}"], spec.code in self.present) for spec in self.specs]

    def extra_rows(self):
        return [(self[f"extra{i}_name"], self[f"extra{i}_file"]) for i in range(EXTRA_ROWS)]

    def ticked_codes(self) -> set[str]:
        """Declared components marked as handed in, read from the raw data (for the live check)."""
        ticked = {spec.code for spec in self.specs if self.data.get(f"c{spec.pk}") not in (None, "", "off", "false")}
        ticked |= {spec.code for spec in self.specs if self.files.get(f"f{spec.pk}")}
        return ticked | self.present

    def completeness(self) -> intake.Completeness:
        return intake.check_completeness(self.specs, self.ticked_codes())

    def submissions(self, *, new_only: bool = False) -> list[intake.Submission]:
        """What was handed in now (validated data); ``new_only`` skips ticks of components already on file."""
        data, items = self.cleaned_data, []
        for spec in self.specs:
            upload = data.get(f"f{spec.pk}") or None
            ticked = data.get(f"c{spec.pk}")
            if upload or (ticked and not (new_only and spec.code in self.present)):
                items.append(intake.Submission(name=spec.name, code=spec.code, spec=spec, file=upload))
        for i in range(EXTRA_ROWS):
            name, upload = data.get(f"extra{i}_name", "").strip(), data.get(f"extra{i}_file") or None
            if name or upload:
                items.append(intake.Submission(name=name or upload.name, file=upload))
        return items


class OutcomeMixin:
    """Reason and itemised list for a supplement request or a refusal."""

    outcome = "check"

    def clean_outcome_fields(self, cleaned):
        if self.outcome == "refuse" and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Phải ghi rõ lý do từ chối tiếp nhận."))
        if self.outcome == "supplement":
            items = split_items(cleaned.get("supplement_items", "")) or self.completeness().missing_names
            if not items:
                self.add_error("supplement_items", _("Phải liệt kê các giấy tờ cần bổ sung, hoàn thiện."))
            cleaned["items"] = items
        return cleaned


def _reason_field():
    return forms.CharField(
        label=_("Lý do (bắt buộc khi từ chối)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _items_field():
    return forms.CharField(
        label=_("Danh sách giấy tờ cần bổ sung (mỗi dòng một mục)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReceptionForm(ComponentChecklist, OutcomeMixin, StyledForm):
    """Tiếp nhận hồ sơ giấy: procedure, case, channel, handling unit, applicant, checklist, outcome."""

    procedure = forms.ModelChoiceField(
        queryset=Procedure.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Hãy chọn thủ tục hành chính."),
            "invalid_choice": _("Thủ tục không thuộc danh mục của đơn vị."),
        },
    )
    case = forms.ModelChoiceField(
        queryset=Procedure.objects.none(),
        required=False,
        label=_("Trường hợp"),
        empty_label=_("— Không chọn trường hợp —"),
    )
    channel = forms.TypedChoiceField(
        label=_("Kênh nộp"),
        coerce=int,
        initial=Channel.IN_PERSON,
        widget=forms.RadioSelect,
        choices=[(Channel.IN_PERSON, _("Trực tiếp")), (Channel.POST, _("Bưu chính công ích"))],
    )
    handling_unit = forms.ModelChoiceField(queryset=Procedure.objects.none(), label=_("Đơn vị xử lý"), empty_label=None)
    applicant_kind = forms.ChoiceField(
        label=_("Chủ hồ sơ là"),
        choices=ApplicantKind.choices,
        initial=ApplicantKind.INDIVIDUAL,
        widget=forms.RadioSelect,
        required=False,
    )
    applicant_name = forms.CharField(
        label=_("Họ tên chủ hồ sơ / tên tổ chức"), max_length=255, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    applicant_id_number = forms.CharField(
        label=_("Số định danh cá nhân / mã số doanh nghiệp / số hộ chiếu"),
        max_length=14,
        help_text=_(
            "Cá nhân: 12 chữ số; tổ chức: mã số doanh nghiệp 10 hoặc 13 chữ số; người nước ngoài: số hộ chiếu."
        ),
    )
    submitter_name = forms.CharField(label=_("Người được ủy quyền nộp hồ sơ (nếu có)"), max_length=255, required=False)
    submitter_id_number = forms.CharField(
        label=_("Số định danh cá nhân / số hộ chiếu người được ủy quyền"), max_length=12, required=False
    )
    authorisation = forms.CharField(label=_("Giấy ủy quyền (số, ngày, nơi chứng thực)"), max_length=500, required=False)
    applicant_address = forms.CharField(label=_("Địa chỉ"), max_length=500)
    applicant_phone = forms.CharField(
        label=_("Điện thoại"),
        max_length=15,
        required=False,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    applicant_email = forms.EmailField(
        label=_("Thư điện tử"), required=False, error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ.")}
    )
    summary = forms.CharField(
        label=_("Trích yếu nội dung yêu cầu"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    sets_count = forms.IntegerField(label=_("Số bộ hồ sơ"), min_value=1, max_value=50, initial=1)
    result_delivery = forms.ChoiceField(
        label=_("Đăng ký nhận kết quả"), choices=intake.DeliveryMethod.CHOICES, initial=intake.DeliveryMethod.DESK
    )
    reason = _reason_field()
    supplement_items = _items_field()

    def __init__(self, *args, user, desk_unit, outcome: str = "check", **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome = outcome if outcome in OUTCOMES else "check"
        # NĐ 118/2025: any procedure of the province, routed to a competent unit (intake.receivable_procedures).
        self.desk_unit = desk_unit
        self.fields["procedure"].queryset = intake.receivable_procedures(desk_unit)
        self.fields["handling_unit"].queryset = handling_units(user)
        self.fields["handling_unit"].initial = desk_unit.pk
        self.chosen_procedure = self._pick(self.fields["procedure"].queryset, "procedure")
        if self.chosen_procedure is not None:
            competent = intake.competent_units(self.chosen_procedure, desk_unit)
            self.fields["handling_unit"].queryset = competent
            ids = list(competent.values_list("pk", flat=True)[:2])
            if desk_unit.pk not in set(competent.values_list("pk", flat=True)) and len(ids) == 1:
                self.fields["handling_unit"].initial = ids[0]
        cases = intake.cases_of(self.chosen_procedure)
        self.fields["case"].queryset = cases
        self.chosen_case = self._pick(cases, "case") if self.chosen_procedure else None
        self.add_components(intake.declared_components(self.chosen_procedure, self.chosen_case))
        self.fees = intake.declared_fees(self.chosen_procedure, self.chosen_case)  # recorded on the dossier at receipt
        if self.chosen_procedure is not None:  # else the procedure search box has the focus
            self.fields["applicant_name"].widget.attrs["autofocus"] = True

    def _pick(self, queryset, name):
        value = self.data.get(name) if self.is_bound else self.initial.get(name)
        value = getattr(value, "pk", value)
        try:
            return queryset.filter(pk=int(value)).first() if value not in (None, "") else None
        except (TypeError, ValueError):
            return None

    def clean(self):
        data = super().clean()
        kind = data["applicant_kind"] = data.get("applicant_kind") or ApplicantKind.INDIVIDUAL
        number = data.get("applicant_id_number")
        if number:
            try:
                data["applicant_id_number"] = normalize_id(kind, number)
            except UserError as error:
                self.add_error("applicant_id_number", error.message)
        submitter = [data.get(k, "").strip() for k in ("submitter_name", "submitter_id_number", "authorisation")]
        if any(submitter):
            if not all(submitter):
                self.add_error(
                    "authorisation",
                    _("Nộp thay theo ủy quyền: ghi đủ họ tên, số định danh của người được ủy quyền và giấy ủy quyền."),
                )
            elif not re.match(r"^(\d{12}|[A-Za-z0-9]{6,12})$", submitter[1]):
                self.add_error("submitter_id_number", _("Số định danh cá nhân gồm 12 chữ số (hoặc số hộ chiếu)."))
        if "handling_unit" in self.errors and self.chosen_procedure is not None:
            self.errors["handling_unit"] = self.error_class(
                [_("Đơn vị này không giải quyết thủ tục đã chọn; hãy chọn đơn vị có thẩm quyền.")]
            )
        return self.clean_outcome_fields(data)

    def counter_dossier(self, receiving_unit) -> intake.CounterDossier:
        data = self.cleaned_data
        return intake.CounterDossier(
            procedure=data["procedure"],
            handling_unit=data["handling_unit"],
            receiving_unit=receiving_unit,
            channel=data["channel"],
            case=data.get("case"),
            summary=data.get("summary", ""),
            sets_count=data["sets_count"],
            result_delivery=data["result_delivery"],
            applicant={
                k: data.get(k, "")
                for k in (
                    "applicant_kind",
                    "applicant_name",
                    "applicant_id_number",
                    "applicant_address",
                    "applicant_phone",
                    "applicant_email",
                    "submitter_name",
                    "submitter_id_number",
                    "authorisation",
                )
            },
        )


class IntakeForm(ComponentChecklist, OutcomeMixin, StyledForm):
    """Reception of a dossier already registered (online, or back after a supplement)."""

    sets_count = forms.IntegerField(label=_("Số bộ hồ sơ"), min_value=1, max_value=50, initial=1)
    result_delivery = forms.ChoiceField(label=_("Đăng ký nhận kết quả"), choices=intake.DeliveryMethod.CHOICES)
    reason = _reason_field()
    supplement_items = _items_field()

    def __init__(self, *args, dossier, outcome: str = "check", **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome = outcome if outcome in OUTCOMES else "check"
        self.fields["result_delivery"].initial = (
            intake.DeliveryMethod.ONLINE if dossier.channel == Channel.ONLINE else intake.DeliveryMethod.DESK
        )
        self.add_components(intake.declared_components(dossier.procedure, dossier.case), intake.present_codes(dossier))
        self.fields["sets_count"].widget.attrs["autofocus"] = True

    def clean(self):
        return self.clean_outcome_fields(super().clean())


class SupplementReceivedForm(ComponentChecklist, StyledForm):
    """Nhận hồ sơ bổ sung: the components the applicant brought back."""

    def __init__(self, *args, dossier, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_components(intake.declared_components(dossier.procedure, dossier.case), intake.present_codes(dossier))


class StartForm(StyledForm):
    """Chuyển xử lý: the first step, optionally to a named specialist."""

    assignee = forms.ModelChoiceField(
        queryset=Procedure.objects.none(),
        required=False,
        label=_("Chuyên viên thụ lý"),
        empty_label=_("— Để lãnh đạo phân công —"),
    )

    def __init__(self, *args, dossier, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = intake.specialists_of(dossier.handling_unit)
        self.fields["assignee"].label_from_instance = lambda u: u.get_full_name() or u.get_username()


class ReturnForm(StyledForm):
    """Trả kết quả: how, and at the counter who collected it (the applicant, or someone authorised)."""

    delivery_method = forms.ChoiceField(
        label=_("Hình thức trả kết quả"),
        choices=intake.DeliveryMethod.CHOICES,
        widget=forms.Select(attrs={"autofocus": True}),
    )
    collector_name = forms.CharField(label=_("Họ và tên người nhận kết quả"), required=False, max_length=255)
    collector_id_number = forms.CharField(label=_("Số định danh cá nhân của người nhận"), required=False, max_length=32)
    authorised = forms.BooleanField(label=_("Người nhận thay, theo giấy ủy quyền"), required=False)
    authorisation = forms.CharField(label=_("Giấy ủy quyền (số, ngày)"), required=False, max_length=255)

    def clean(self):
        data = super().clean()
        if data.get("delivery_method") == intake.DeliveryMethod.DESK:
            if not (data.get("collector_name") or "").strip():
                self.add_error("collector_name", _("Phải ghi họ tên người nhận kết quả."))
            if not (data.get("collector_id_number") or "").strip():
                self.add_error("collector_id_number", _("Phải ghi số định danh cá nhân của người nhận."))
            if data.get("authorised") and not (data.get("authorisation") or "").strip():
                self.add_error("authorisation", _("Người nhận thay phải có giấy ủy quyền; hãy ghi số, ngày."))
        return data


class PaymentForm(StyledForm):
    method = forms.TypedChoiceField(
        label=_("Hình thức thanh toán"),
        coerce=int,
        widget=forms.Select(attrs={"autofocus": True}),
        choices=[
            (OnlinePayment.NO, _("Nộp trực tiếp tại Bộ phận Một cửa")),
            (OnlinePayment.NATIONAL_PLATFORM, OnlinePayment.NATIONAL_PLATFORM.label),
            (OnlinePayment.LOCAL_GATEWAY, OnlinePayment.LOCAL_GATEWAY.label),
        ],
    )
    amount = forms.IntegerField(
        label=_("Số tiền (đồng)"), min_value=0, error_messages={"min_value": _("Số tiền không được âm.")}
    )
    transaction_id = forms.CharField(label=_("Mã giao dịch / số biên lai"), max_length=128, required=False)


class WithdrawalForm(StyledForm):
    reason = forms.CharField(
        label=_("Lý do công dân rút hồ sơ"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "autofocus": True}),
        error_messages={"required": _("Phải ghi rõ lý do rút hồ sơ.")},
    )
