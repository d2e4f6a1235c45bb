"""How instants, dates and amounts are written on official documents.

Every instant is shown in Asia/Ho_Chi_Minh. The place-and-date line follows Nghị định
30/2020/NĐ-CP (Phụ lục I): days below 10 and the months 1 and 2 carry a leading zero.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from motcua.workdays.calendar import VN_TZ

BLANK = "……"  # printed where a value is missing, so the officer can fill it by hand


def local(at: datetime) -> datetime:
    return at.astimezone(VN_TZ)


def instant(at: datetime | None) -> str:
    """``HH giờ MM phút, ngày DD/MM/YYYY`` (the receipt's and the letters' time format)."""
    if at is None:
        return BLANK
    at = local(at)
    return f"{at:%H} giờ {at:%M} phút, ngày {at:%d/%m/%Y}"


def short_instant(at: datetime | None) -> str:
    """``HH:MM DD/MM/YYYY`` for narrow table cells."""
    return f"{local(at):%H:%M %d/%m/%Y}" if at is not None else ""


def day(value: date | datetime | None) -> str:
    if value is None:
        return BLANK
    if isinstance(value, datetime):
        value = local(value).date()
    return f"{value:%d/%m/%Y}"


def place_and_date(place: str, at: datetime | date | None) -> str:
    """``Thử Nghiệm, ngày 02 tháng 3 năm 2026`` (ND 30/2020: ``tháng 01``, ``tháng 02``)."""
    if at is None:
        return f"{place}, ngày {BLANK} tháng {BLANK} năm {BLANK}"
    d = local(at).date() if isinstance(at, datetime) else at
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"{place}, ngày {d.day:02d} tháng {month} năm {d.year}"


def number(value: Decimal | float | int | str | None) -> str:
    """A legal quantity with the Vietnamese decimal comma: 5 → ``5``, 0.5 → ``0,5``."""
    if value is None or value == "":
        return BLANK
    text = format(Decimal(str(value)).normalize(), "f")
    return text.replace(".", ",")


def person(user) -> str:
    """Full name in Vietnamese order (họ, tên đệm, tên = last_name first_name), else the username."""
    if user is None:
        return ""
    return " ".join(part for part in (user.last_name.strip(), user.first_name.strip()) if part) or user.get_username()


def money(amount: int | None) -> str:
    """An amount in đồng as documents write it: ``200.000 đồng`` (thousands grouped by a dot)."""
    if amount is None:
        return BLANK
    return f"{int(amount):,} đồng".replace(",", ".")
