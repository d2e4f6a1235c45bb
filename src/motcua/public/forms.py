"""The forms of the public pages (labels in Vietnamese; values checked on the server)."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from motcua.feedback.reasons import DISSATISFACTION_REASONS

from . import catalogue


class PlainSelect(forms.Select):
    """A ``<select>`` of flat choices rendered in Python.

    Django renders every option through a template: with the province's units and fields in the
    catalogue's filters that was about half of a search's server time (≈ 60 ms of 120 on 5,000 dossiers).
    """

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((key, mark_safe(" selected") if str(key) in selected else "", label) for key, label in self.choices),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)), options
        )


SELECT = PlainSelect(attrs={"class": "form-select"})


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    """``form.fields[name]``, a choice field whose choices are set per request (``fields`` holds any field)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField), name
    return field


class CatalogueForm(forms.Form):
    """Search and filters of the catalogue (GET: a result page can be bookmarked and shared)."""

    q = forms.CharField(
        label=_("Tên hoặc mã thủ tục"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Ví dụ: ly lich tu phap")}),
    )
    unit = forms.ChoiceField(label=_("Đơn vị"), required=False, widget=SELECT)
    field = forms.ChoiceField(label=_("Lĩnh vực"), required=False, widget=SELECT)
    level = forms.ChoiceField(
        label=_("Cấp thực hiện"), required=False, widget=SELECT, choices=[("", _("Tất cả các cấp")), *catalogue.LEVELS]
    )

    def __init__(self, *args, unit=None, fingerprint=None, **kwargs):
        """``unit``: the embed's, whose procedures alone are searched (no unit or level filter then)."""
        super().__init__(*args, **kwargs)
        _choice_field(self, "field").choices = [("", _("Tất cả lĩnh vực")), *catalogue.fields(unit, fingerprint)]
        if unit is None:
            _choice_field(self, "unit").choices = [("", _("Tất cả đơn vị")), *catalogue.public_units()]
        else:
            del self.fields["unit"], self.fields["level"]


class TrackingForm(forms.Form):
    code = forms.CharField(
        label=_("Mã hồ sơ"),
        max_length=64,
        help_text=_("In trên giấy tiếp nhận hồ sơ và hẹn trả kết quả."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    factor = forms.CharField(
        label=_("4 số cuối số định danh cá nhân hoặc số điện thoại"),
        min_length=4,
        max_length=4,
        validators=[RegexValidator(r"^\d{4}$", _("Nhập đúng 4 chữ số."))],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": r"\d{4}"}),
    )


class RatingForm(forms.Form):
    satisfied = forms.TypedChoiceField(
        label=_("Ông/bà có hài lòng với việc giải quyết hồ sơ?"),
        coerce=lambda v: v == "1",
        choices=[("1", _("Hài lòng")), ("0", _("Không hài lòng"))],
        widget=forms.RadioSelect,
    )
    reason = forms.ChoiceField(
        label=_("Lý do không hài lòng"),
        required=False,
        widget=SELECT,
        choices=[("", _("— Chọn lý do —")), *DISSATISFACTION_REASONS],
    )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("satisfied") is False and not data.get("reason"):
            self.add_error("reason", _("Vui lòng chọn lý do không hài lòng."))
        if data.get("satisfied"):
            data["reason"] = ""
        return data


class ComplaintSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Từ khóa"), required=False, max_length=200, widget=forms.TextInput(attrs={"type": "search"})
    )
    unit = forms.ChoiceField(label=_("Đơn vị trả lời"), required=False, widget=SELECT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _choice_field(self, "unit").choices = [("", _("Tất cả đơn vị")), *catalogue.public_units()]


class CloseFollowUpForm(forms.Form):
    note = forms.CharField(
        label=_("Kết quả xử lý"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Đã liên hệ người dân, khắc phục, kiểm điểm… — ghi rõ để lưu vết."),
    )
