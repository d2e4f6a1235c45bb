from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.feedback.models import ComplaintStatus


class ComplaintFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Trạng thái"), required=False,
                               choices=[("", _("Tất cả trạng thái")), *ComplaintStatus.choices],
                               widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
