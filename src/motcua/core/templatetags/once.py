"""``{% form_token %}``: the hidden one-time token of a state-changing form (motcua.core.once)."""

from django import template
from django.utils.html import format_html

from motcua.core.once import FIELD, new_token

register = template.Library()


@register.simple_tag
def form_token():
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_token())
