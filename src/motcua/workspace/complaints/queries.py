"""What the complaints desk reads: the queue in the official's scope, ordered by the time left, with its warnings.

Each open complaint stores the instant it turns late if nothing more happens (``Complaint.due_at``:
the answer deadline, or the publication deadline once approved — feedback.deadlines), and working
time from now to an instant never decreases as the instant moves later: ordering by ``due_at`` in
SQL is ordering by working hours left. The database sorts and pages; the calendar is asked only about
the rows of one page, in one vectorised call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from motcua.access import policy
from motcua.core.text import fold_key
from motcua.feedback.lifecycle import OPEN_STATUSES
from motcua.feedback.models import Complaint, ComplaintStatus
from motcua.workdays.services import get_calendar

from ..processing import risk

logger = logging.getLogger("motcua.workspace")

#: A complaint is flagged one working day before it turns late.
WARNING_WORKING_DAYS = 1
CLOSED_STATUSES = frozenset(set(ComplaintStatus.values) - OPEN_STATUSES)


class View(StrEnum):
    OPEN = "dang-xu-ly"
    CLOSED = "da-ket-thuc"
    ALL = "tat-ca"


def warning_hours() -> float:
    return WARNING_WORKING_DAYS * get_calendar().hours_per_day


@dataclass(frozen=True)
class Countdown(risk.Countdown):
    """Working hours left before the complaint turns late; at risk under one working day."""

    @property
    def at_risk(self) -> bool:
        return self.hours is not None and 0 <= self.hours < warning_hours()


def require_position(user) -> None:
    """Every official reads the complaints of their units; someone without a position gets a 403."""
    if not policy.positions(user):
        logger.warning("access denied: user=%s holds no position (complaints)", getattr(user, "pk", None))
        raise policy.AccessDenied(
            _("Tài khoản của bạn không có quyền xem phản ánh, kiến nghị."),
            f"user {getattr(user, 'pk', None)} holds no position",
            code="forbidden",
        )


def queue(
    user, *, view: str = View.OPEN, status: str = "", category: str = "", text: str = "", mine: bool = False
) -> QuerySet:
    """Complaints ``user`` may see: open ones by time left (the nearest deadline first), closed ones newest first."""
    rows = policy.visible_complaints(user, Complaint.objects.select_related("unit", "assignee", "repeats"))
    if view == View.OPEN:
        rows = rows.filter(status__in=OPEN_STATUSES)
    elif view == View.CLOSED:
        rows = rows.filter(status__in=CLOSED_STATUSES)
    if status:
        rows = rows.filter(status=status)
    if category:
        rows = rows.filter(category=category)
    if mine:
        rows = rows.filter(assignee=user)
    words = text.strip()
    if words:
        key = fold_key(words)
        rows = rows.filter(
            Q(code__icontains=words)
            | Q(subject_key__contains=key)
            | Q(sender_key__contains=key)
            | Q(dossier_code__istartswith=words)
        )
    if view == View.CLOSED:
        return rows.order_by(F("submitted_at").desc(nulls_last=True), "-pk")
    return rows.order_by(F("due_at").asc(nulls_last=True), F("submitted_at").asc(nulls_last=True), "pk")


def attach_countdowns(rows, at: datetime) -> list:
    """Set ``countdown`` (working hours before ``due_at``) on each complaint of one page."""
    rows = list(rows)
    for row, hours in zip(rows, risk.hours_left([r.due_at for r in rows], at), strict=True):
        row.countdown = Countdown(hours)
    return rows


@dataclass(frozen=True)
class Warnings:
    overdue: int  # open, past the deadline that runs
    due_soon: int  # open, turning late within one working day


def warnings(user, at: datetime) -> Warnings:
    """How many open complaints in scope are late, and how many turn late within one working day."""
    rows = policy.visible_complaints(user, Complaint.objects.filter(status__in=OPEN_STATUSES, due_at__isnull=False))
    try:
        horizon = get_calendar().add_working_hours(at, warning_hours())
    except ValueError:  # outside the calendar's years
        return Warnings(rows.filter(due_at__lt=at).count(), 0)
    return Warnings(rows.filter(due_at__lt=at).count(), rows.filter(due_at__gte=at, due_at__lt=horizon).count())


# --- the complaint page's deadlines ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineLine:
    """One legal deadline of a complaint as its page shows it."""

    key: str  # refuse, supplement, answer, publish
    label: str
    limit: str  # "2 ngày làm việc" …
    due_at: datetime | None
    done_at: datetime | None  # when the step was taken (after the clock start)
    state: str  # running, met, missed, late (running and past), expired (an option no longer open), none
    countdown: Countdown | None = None

    @property
    def css(self) -> str:
        return {
            "met": "text-bg-success",
            "missed": "text-bg-danger",
            "late": "text-bg-danger",
            "expired": "text-bg-secondary",
        }.get(self.state, "")


def deadline_lines(complaint: Complaint, deadlines, at: datetime) -> list[DeadlineLine]:
    """The four deadlines (refuse, request information, answer, publish) with what happened to each.

    Read like the 766 engine reads the log: the first row of each status after the latest clock start.
    """
    from motcua.feedback import lifecycle

    log = sorted(complaint.status_log.all(), key=lambda row: (row.occurred_at, row.pk))
    after = [row for row in log if row.occurred_at >= deadlines.clock_start]

    def first(*statuses):
        return next((row.occurred_at for row in after if row.status in statuses), None)

    refused, asked = first(ComplaintStatus.REFUSED), first(ComplaintStatus.SUPPLEMENT)
    handled = first(ComplaintStatus.AWAITING_PUBLICATION, ComplaintStatus.PUBLISHED)
    published = first(ComplaintStatus.PUBLISHED)
    closed = complaint.status in CLOSED_STATUSES
    hours = dict(
        zip(
            ("refuse", "supplement", "answer", "publish"),
            risk.hours_left(
                [deadlines.refuse_by, deadlines.supplement_by, deadlines.answer_by, deadlines.publish_by], at
            ),
            strict=True,
        )
    )

    def option(key, label, limit, due, done, action):
        if done is not None:
            return DeadlineLine(key, label, limit, due, done, "met" if done <= due else "missed")
        possible = lifecycle.TRANSITIONS[action].sources
        if closed or at > due or complaint.status not in possible:
            return DeadlineLine(key, label, limit, due, None, "expired" if at > due and not closed else "none")
        return DeadlineLine(key, label, limit, due, None, "running", Countdown(hours[key]))

    def duty(key, label, limit, due, done):
        if due is None:
            return DeadlineLine(key, label, limit, None, None, "none")
        if done is not None:
            return DeadlineLine(key, label, limit, due, done, "met" if done <= due else "missed")
        if closed:
            return DeadlineLine(key, label, limit, due, None, "none")
        return DeadlineLine(key, label, limit, due, None, "late" if at > due else "running", Countdown(hours[key]))

    answer_label, answer_limit = _("Trả lời (chờ công khai)"), _("15 ngày làm việc")
    if refused is not None:  # a refusal ends the complaint: no answer is due
        answer = DeadlineLine("answer", answer_label, answer_limit, deadlines.answer_by, None, "none")
    else:
        answer = duty("answer", answer_label, answer_limit, deadlines.answer_by, handled)
    return [
        option("refuse", _("Từ chối"), _("2 ngày làm việc"), deadlines.refuse_by, refused, "refuse"),
        option(
            "supplement",
            _("Yêu cầu bổ sung thông tin"),
            _("5 ngày làm việc"),
            deadlines.supplement_by,
            asked,
            "request_information",
        ),
        answer,
        duty("publish", _("Công khai"), _("2 ngày làm việc sau khi phê duyệt"), deadlines.publish_by, published),
    ]
