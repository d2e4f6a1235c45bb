"""Links to files kept elsewhere (a result's DuongDanTepTinKetQua): only absolute http(s) URLs.

Such a URL is typed by an official or imported, then shown as a link to every role; a
``javascript:`` or ``data:`` URL would run in the reader's session. It is refused where it enters
(the draft-result form, the exchange-set validation) and never rendered as a link (the ``web_url``
template filter), so values stored before the rule are harmless too.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WEB_SCHEMES = frozenset({"http", "https"})


def is_web_url(value) -> bool:
    """``value`` is an absolute http(s) URL with a host.

    Whitespace and control characters anywhere are refused: browsers drop some of them
    (``java\\tscript:``), so the text would not be the URL they follow.
    """
    if not isinstance(value, str) or not value or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an invalid IPv6 host
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.hostname)


def validate_web_url(value: str) -> None:
    """Form validator: an empty value passes (the field is optional), anything else must be http(s)."""
    if value and not is_web_url(value):
        raise ValidationError(
            _("Đường dẫn tệp phải là địa chỉ web đầy đủ, bắt đầu bằng http:// hoặc https://."), code="url"
        )


def web_url(value) -> str:
    """``value`` when it may be used as a link, else an empty string."""
    return value if is_web_url(value) else ""
