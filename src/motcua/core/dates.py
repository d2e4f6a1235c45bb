"""Dates and instants typed by users (forms, query strings, API parameters), parsed and bounded here.

Python's dates run from 0001-01-01 to 9999-12-31, so a search "received until 9999-12-31" overflows
when it adds the day, and 0001-01-01 at +07:00 has no UTC form. No dossier, deadline or period of
this system lies outside [:data:`EARLIEST`, :data:`LATEST`]: anything outside is refused with a
Vietnamese message (a 400 or a form error, never a 500), and every later computation has room.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import overload
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError

from .errors import UserError

EARLIEST = date(1990, 1, 1)
LATEST = date(2099, 12, 31)
#: Instants without an offset are local time (Asia/Ho_Chi_Minh), as everywhere in the system.
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def range_message() -> str:
    return f"Ngày phải trong khoảng từ {EARLIEST:%d/%m/%Y} đến {LATEST:%d/%m/%Y}."


def in_range(day: date) -> bool:
    return EARLIEST <= day <= LATEST


def check_day(day: date) -> date:
    """``day`` itself, or a :class:`UserError` when it lies outside the range."""
    if not in_range(day):
        raise UserError(range_message(), f"date {day.isoformat()} outside {EARLIEST}..{LATEST}")
    return day


@overload
def parse_day(text: str | None, *, default: date) -> date: ...
@overload
def parse_day(text: str | None, *, default: None = None) -> date | None: ...
def parse_day(text: str | None, *, default: date | None = None) -> date | None:
    """A ``YYYY-MM-DD`` text as a date in the range; ``default`` when empty."""
    text = (text or "").strip()
    if not text:
        return default
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise UserError(f"Ngày không hợp lệ: «{text[:40]}» (định dạng YYYY-MM-DD).", f"bad date {text[:40]!r}")
    return check_day(day)


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant (a date alone is its local midnight; no offset means +07:00), aware, whose
    local date lies in the range."""
    text = str(text).strip()
    try:
        if len(text) == 10:
            parsed = datetime.combine(date.fromisoformat(text), time.min)
        else:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise UserError(
            f"Thời điểm không hợp lệ: «{text[:40]}» (cần dạng ISO 8601, ví dụ 2026-08-15T17:00:00+07:00).",
            f"invalid instant {text[:40]!r}: {exc}",
        ) from exc
    # The date as written first (converting year 1 or 9999 may overflow), then the local date.
    check_day(parsed.date())
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=LOCAL)
    check_day(parsed.astimezone(LOCAL).date())
    return parsed


def _validate_day(value: date) -> None:
    if value is not None and not in_range(value):
        raise ValidationError(range_message(), code="date_range")


def _validate_instant(value: datetime) -> None:
    if value is not None:
        _validate_day(value.date())


class DateField(forms.DateField):
    """A form date in the range."""

    default_validators = [_validate_day]


class DateTimeField(forms.DateTimeField):
    """A form date-time whose date lies in the range."""

    default_validators = [_validate_instant]
