"""Text folding for searches and comparisons that ignore Vietnamese diacritics and case."""

from __future__ import annotations

import re
import unicodedata

_PUNCTUATION = re.compile(r"[^\w\s]+")


def normalize(text: str) -> str:
    """Lower case without Vietnamese diacritics: "Lý lịch tư pháp" → "ly lich tu phap"."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


def fold_key(text: str) -> str:
    """:func:`normalize` without punctuation, for matching two spellings of one thing.

    "Thủ tục cấp phép: chậm!" and "thu tuc cap phep cham" give the same key.
    """
    return " ".join(_PUNCTUATION.sub(" ", normalize(text)).replace("_", " ").split())


def phone_key(text: str) -> str:
    """A Vietnamese phone number in one spelling: "+84 912.345.678" and "0912345678" give "0912345678"."""
    digits = "".join(c for c in (text or "") if c.isdigit())
    if digits.startswith("84") and len(digits) >= 11:
        digits = "0" + digits[2:]
    return digits


def email_key(text: str) -> str:
    """An e-mail address in one spelling (trimmed, lower case)."""
    return (text or "").strip().lower()
