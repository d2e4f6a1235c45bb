"""The application's working-day calendar: the database table over the official data.

``get_calendar()`` is what the rest of motcua calls. It is built once per process from the
``CalendarDay`` table (dates outside the table come from ``official.py``) and the active
``OfficeHours`` row (else ``settings.MOTCUA_OFFICE_HOURS``), cached, and dropped when a day or the
office hours are saved or deleted in this process (signals in models.py). Other processes pick an
edit up after ``MOTCUA_CALENDAR_TTL`` seconds (default 300). Before ``migrate`` (no table yet) it
is ``WorkCalendar.official()``; a table that exists but cannot be read raises
:class:`CalendarUnavailable`: deadlines computed on the built-in calendar instead of the one the
administrator edited would be wrong without anyone noticing.
"""

from __future__ import annotations

import logging
import threading
import time as _time
from dataclasses import dataclass
from datetime import date, time

from django.conf import settings
from django.db import DatabaseError, connection

from motcua.core.errors import UserError
from motcua.workdays import official
from motcua.workdays.calendar import (
    DEFAULT_FIRST_YEAR,
    DEFAULT_LAST_YEAR,
    DEFAULT_OFFICE_HOURS,
    WorkCalendar,
)

logger = logging.getLogger("motcua.workdays")

_lock = threading.Lock()
_cached: tuple[WorkCalendar, float] | None = None

STATUS_OFF = "nghi"
STATUS_MAKEUP = "lam_bu"


class CalendarUnavailable(UserError):
    """The working-day table (lịch ngày làm việc) exists but cannot be read: no deadline is computed."""

    def __init__(self, exc: Exception):
        super().__init__(
            "Không đọc được lịch ngày làm việc trong cơ sở dữ liệu nên không tính được thời hạn. "
            "Đề nghị quản trị hệ thống kiểm tra cơ sở dữ liệu (bảng lịch ngày làm việc).",
            f"working-day calendar table not readable: {exc}",
            code="calendar_unavailable",
        )


def parse_office_hours(text: str) -> tuple[tuple[time, time], ...]:
    """``"07:00-11:30,13:30-17:00"`` → ((07:00, 11:30), (13:30, 17:00))."""
    out = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        a, sep, b = part.partition("-")
        if not sep:
            raise ValueError(f"office hours {text!r}: expected HH:MM-HH:MM pairs separated by commas")
        out.append((time.fromisoformat(a.strip()), time.fromisoformat(b.strip())))
    return tuple(out)


def _settings_office_hours() -> tuple[tuple[time, time], ...]:
    text = getattr(settings, "MOTCUA_OFFICE_HOURS", "")
    return parse_office_hours(text) if text else DEFAULT_OFFICE_HOURS


def _table_ready() -> bool:
    from motcua.workdays.models import CalendarDay

    ready = CalendarDay._meta.db_table in connection.introspection.table_names()
    if not ready:
        logger.warning("working-day table not created yet (run migrate): using the official calendar")
    return ready


def current_office_hours() -> tuple[tuple[time, time], ...]:
    from motcua.workdays.models import OfficeHours

    if OfficeHours._meta.db_table in connection.introspection.table_names():
        row = OfficeHours.objects.filter(is_active=True).first()
        if row is not None:
            return row.as_intervals()
    return _settings_office_hours()


def _build() -> WorkCalendar:
    from motcua.workdays.models import CalendarDay

    if not _table_ready():
        return WorkCalendar.official(_settings_office_hours())
    office_hours = current_office_hours()
    rows = list(CalendarDay.objects.values_list("date", "is_working"))
    if not rows:
        return WorkCalendar.official(office_hours)
    first = min(DEFAULT_FIRST_YEAR, min(r[0] for r in rows).year)
    last = max(DEFAULT_LAST_YEAR, max(r[0] for r in rows).year)
    off, work = official.non_working_and_makeup(first, last)
    # Table rows override the official data date by date; dates not in the table keep it.
    for day, is_working in rows:
        weekend = day.weekday() >= 5
        if is_working:
            off.discard(day)
            if weekend:
                work.add(day)
        else:
            work.discard(day)
            if not weekend:
                off.add(day)
    return WorkCalendar(off, work, office_hours, first, last)


def get_calendar() -> WorkCalendar:
    """The working-day calendar of this installation (cached in-process)."""
    global _cached
    cached = _cached
    ttl = getattr(settings, "MOTCUA_CALENDAR_TTL", 300)
    if cached is not None and _time.monotonic() - cached[1] < ttl:
        return cached[0]
    with _lock:
        if _cached is not None and _cached is not cached:
            return _cached[0]
        try:
            cal = _build()
        except DatabaseError as exc:
            error = CalendarUnavailable(exc)
            logger.error(error.log_message)
            raise error from exc
        _cached = (cal, _time.monotonic())
        return cal


def invalidate_calendar() -> None:
    """Drop the cached calendar (after bulk edits that send no signals, e.g. ``update()``)."""
    global _cached
    _cached = None


@dataclass(frozen=True)
class YearListing:
    """What ``motcua calendar YEAR`` prints."""

    year: int
    official: bool
    # (date, "nghi" | "lam_bu", name, legal basis)
    lines: list[tuple[date, str, str, str]]


def year_listing(year: int) -> YearListing:
    """Non-working weekdays and working weekend days of a year, from the table if it covers it."""
    from motcua.workdays.models import CalendarDay

    if _table_ready():
        rows = list(CalendarDay.objects.filter(date__year=year).order_by("date"))
        if rows:
            lines = []
            special = [r for r in rows if r.kind not in (official.WEEKDAY, official.WEEKEND)]
            for r in rows:
                weekend = r.date.weekday() >= 5
                if r.is_working == weekend:  # a weekday off or a weekend day worked
                    status = STATUS_MAKEUP if r.is_working else STATUS_OFF
                    lines.append((r.date, status, r.name or r.get_kind_display(), r.legal_basis))
            is_official = bool(special) and all(r.official_schedule for r in special)
            return YearListing(year, is_official, lines)
    lines = []
    for e in official.entries_for_year(year):
        weekend = e.date.weekday() >= 5
        if e.is_working == weekend:
            lines.append((e.date, STATUS_MAKEUP if e.is_working else STATUS_OFF, e.name, e.legal_basis))
    return YearListing(year, official.has_official_schedule(year), lines)
