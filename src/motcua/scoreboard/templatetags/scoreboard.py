"""Small formatting helpers of the scoreboard pages."""

from django import template
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html_join
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def dossier_url(code: str) -> str:
    """The staff page of a dossier (workspace:dossier)."""
    return reverse("workspace:dossier", args=[code])


@register.filter
def complaint_url(code: str) -> str:
    """The staff page of a complaint (workspace:complaint)."""
    return reverse("workspace:complaint", args=[code])


@register.filter
def pct(value, digits: int = 2) -> str:
    """A fraction as a Vietnamese percentage: 0.797 → 79,70 %."""
    if value is None or value == "":
        return "—"
    return f"{number_format(float(value) * 100, digits)} %"


@register.filter
def num(value, digits: int = 2) -> str:
    """A number with Vietnamese decimals, integers without them; — for none."""
    if value is None or value == "":
        return "—"
    value = float(value)
    if value.is_integer() and int(digits) >= 0 and abs(value) < 1e15:
        return number_format(int(value), 0, force_grouping=True)
    return number_format(value, int(digits), force_grouping=True)


@register.filter
def working_hours(value) -> str:
    """Working hours left (positive) or late (negative): «còn 6,5 giờ làm việc» / «quá hạn 3 giờ làm việc»."""
    if value is None or value == "":
        return "—"
    value = float(value)
    text = number_format(round(abs(value), 1), 1 if not float(round(abs(value), 1)).is_integer() else 0)
    if value < 0:
        return _("quá hạn %(h)s giờ làm việc") % {"h": text}
    return _("còn %(h)s giờ làm việc") % {"h": text}


#: Working hours in one working day (Quyết định 1202/QĐ-TTg office hours: 8 hours a day).
HOURS_PER_DAY = 8


def _amount(value: float) -> str:
    value = round(value, 1)
    return number_format(value, 0 if float(value).is_integer() else 1)


@register.filter
def hours_late(value) -> str:
    """Lateness in working days and hours as offices count it: «2 ngày 3,5 giờ làm việc», «5 giờ làm việc»."""
    if value is None or value == "":
        return "—"
    value = round(max(float(value), 0.0), 1)
    days, hours = divmod(value, HOURS_PER_DAY)
    days, hours = int(days), round(hours, 1)
    if days and hours:
        return _("%(d)s ngày %(h)s giờ làm việc") % {"d": days, "h": _amount(hours)}
    if days:
        return _("%(d)s ngày làm việc") % {"d": days}
    return _("%(h)s giờ làm việc") % {"h": _amount(hours)}


@register.filter
def working_days(value) -> str:
    """Working days left before a deadline: «còn 3 ngày làm việc» / «quá hạn 2 ngày làm việc»."""
    if value is None or value == "":
        return "—"
    value = float(value)
    text = number_format(abs(value), 0 if float(abs(value)).is_integer() else 1)
    if value < 0:
        return _("quá hạn %(d)s ngày làm việc") % {"d": text}
    return _("còn %(d)s ngày làm việc") % {"d": text}


@register.filter
def get(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.simple_tag(takes_context=True)
def with_params(context, *pairs, **params):
    """The current query string with some parameters replaced (``None`` or "" removes one).

    Positional pairs allow computed names: ``{% with_params "page_XA" 3 %}``; replacing
    anything but a page number also resets the pages.
    """
    query = context["request"].GET.copy()
    updates = dict(zip(pairs[::2], pairs[1::2], strict=True))
    updates.update(params)
    if any(not str(k).startswith(("page", "rpage", "fpage")) for k in updates):
        for key in [k for k in query if k.startswith("page")]:
            del query[key]
    for key, value in updates.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = str(value)
    query.pop("format", None)
    return "?" + query.urlencode()


@register.simple_tag
def unit_options(options, scope=None):
    """``<option>``s of the unit filter, written directly: a province lists about a thousand units."""
    chosen = getattr(scope, "code", None)
    return format_html_join(
        "",
        '<option value="{}"{}>{} — {}</option>',
        ((code, " selected" if code == chosen else "", code, name) for code, name in options),
    )
