"""Amounts of money as Vietnamese write them: 1.250.000 đ (grouped by thousands whatever the locale's grouping)."""

from django import template
from django.utils import formats, numberformat

register = template.Library()


@register.filter
def dong(value) -> str:
    """An amount in đồng, grouped by thousands with the language's separator; — for none."""
    if value is None or value == "":
        return "—"
    grouped = numberformat.format(
        int(value),
        formats.get_format("DECIMAL_SEPARATOR"),
        0,
        grouping=3,
        thousand_sep=formats.get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )
    return f"{grouped} đ"
