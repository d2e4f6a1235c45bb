"""Deadline risk (nguy cơ trễ hạn) in working hours, for the queue and the dossier page.

A dossier's risk is the working time left before the earlier of its effective
due instant (:func:`motcua.dossiers.rules.effective_due_at`, stored on the row:
NgayHenTra moved by completed supplements, or an apology letter's new
appointment) and its current step's own deadline. Working time from *now* to an instant never
decreases as the instant moves later, so ordering by that earlier instant in SQL
is ordering by working hours left: the database sorts and pages, and the
calendar is asked only about the rows of one page, in one vectorised call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce, Least
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from motcua.dossiers import rules
from motcua.workdays.services import get_calendar

#: Working hours left at which the queue proposes the apology-and-extension letter (MOTCUA_APOLOGY_WARNING_HOURS).
apology_warning_hours = rules.apology_warning_hours


def now() -> datetime:
    """The current instant; one seam for the views and their tests."""
    return timezone.now()


def with_risk(queryset: QuerySet) -> QuerySet:
    """Annotate ``risk_at``: the earlier of the stored effective due instant and the step's deadline.
    Coalesce on both sides because SQLite's MIN() is NULL if any argument is."""
    effective = F("effective_due_at")
    return queryset.annotate(
        risk_at=Least(Coalesce(effective, F("step_due_at")), Coalesce(F("step_due_at"), effective)),
    )


def order_by_risk(queryset: QuerySet) -> QuerySet:
    return queryset.order_by(F("risk_at").asc(nulls_last=True), "pk")


@dataclass(frozen=True)
class Countdown:
    """Working hours left before an instant (negative: overdue), ready to show."""

    hours: float | None

    @property
    def known(self) -> bool:
        return self.hours is not None

    @property
    def late(self) -> bool:
        return self.hours is not None and self.hours < 0

    @property
    def at_risk(self) -> bool:
        return self.hours is not None and 0 <= self.hours <= apology_warning_hours()

    @property
    def css(self) -> str:
        if self.late:
            return "countdown-late"
        return "countdown-risk" if self.at_risk else "countdown-ok"

    @property
    def text(self) -> str:
        if self.hours is None:
            return "—"
        amount = _hours_text(abs(self.hours))
        if self.late:
            return _("quá hạn %(hours)s giờ") % {"hours": amount}
        return _("còn %(hours)s giờ làm việc") % {"hours": amount}

    def __str__(self) -> str:
        return self.text


def _hours_text(hours: float) -> str:
    """6.5 → "6,5", 3.0 → "3" (localised decimal separator, one decimal)."""
    rounded = round(hours, 1)
    if math.isclose(rounded, round(rounded)):
        return formats.number_format(int(round(rounded)), use_l10n=True, force_grouping=True)
    return formats.number_format(rounded, 1, use_l10n=True, force_grouping=True)


def hours_left(instants: list[datetime | None], at: datetime) -> list[float | None]:
    """Working hours from ``at`` to each instant, in one vectorised calendar call (None stays None)."""
    known = [i for i, value in enumerate(instants) if value is not None]
    out: list[float | None] = [None] * len(instants)
    if not known:
        return out
    ends = np.array([value.timestamp() for value in instants if value is not None], dtype=np.float64)
    starts = np.full(ends.shape, at.timestamp(), dtype=np.float64)
    try:
        values = get_calendar().working_hours_between_batch(starts, ends)
    except ValueError:  # an instant outside the calendar's years: shown as unknown, not as an error
        return out
    for i, value in zip(known, values.tolist(), strict=True):
        out[i] = round(value, 2)
    return out


def attach(rows, at: datetime) -> list:
    """Set ``due_countdown``, ``step_countdown`` and ``propose_apology`` on each dossier of one page.

    ``propose_apology``: no letter yet nor one awaiting signature, and at most
    MOTCUA_APOLOGY_WARNING_HOURS left or already late (R1.27: the letter comes at
    least one working day before the due instant; a late one is still allowed once).
    Rows may carry ``has_apology`` and ``pending_apology`` (``Exists`` annotations).
    """
    rows = list(rows)
    values = hours_left([r.effective_due_at for r in rows] + [r.step_due_at for r in rows], at)
    for i, row in enumerate(rows):
        row.due_countdown = Countdown(values[i])
        row.step_countdown = Countdown(values[len(rows) + i])
        left = values[i]
        row.propose_apology = row.due_at is not None and rules.should_propose_apology(
            left,
            has_letter=bool(getattr(row, "has_apology", False)) or row.extended_due_at is not None,
            pending=bool(getattr(row, "pending_apology", False)),
        )
    return rows
