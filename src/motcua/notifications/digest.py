"""The officials' daily digest: what turns late on the next working day, by e-mail.

Each active desk officer, specialist and leader with an e-mail address gets one message listing the
open dossiers whose due instant (the new one after an apology letter) or current step's deadline,
and the open complaints whose running deadline (answer, or publication), falls on the next working
day: a specialist those assigned to them, a desk officer or a leader those of their units. Nothing
to report, no message. One message per official and day (a Notification keyed on the day), however
often the digest is run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import F, Q
from django.utils import timezone

from motcua.dossiers.models import Dossier, Status
from motcua.feedback.lifecycle import OPEN_STATUSES
from motcua.feedback.models import Complaint
from motcua.org import tree
from motcua.org.models import Official, Role
from motcua.workdays.calendar import VN_TZ
from motcua.workdays.services import get_calendar

from . import delivery
from .citizens import when
from .models import ChannelName, Kind

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger("motcua.notifications")

#: Roles that get the digest (the overseers read the scoreboard instead).
DIGEST_ROLES = (Role.DESK_OFFICER, Role.SPECIALIST, Role.LEADER)
#: Dossiers whose due instant runs (supplement requests suspend it on the 766 index).
RUNNING = (Status.RECEIVED, Status.PROCESSING, Status.FINANCIAL_OBLIGATION)
#: At most this many lines of each kind in one message (the counts are exact).
MAX_LINES = 50


def next_working_day(today: date) -> date:
    calendar = get_calendar()
    day = today + timedelta(days=1)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def _window(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=VN_TZ)
    return start, start + timedelta(days=1)


@dataclass
class Digest:
    """One official's lines for one day."""

    user: User
    dossiers: list[dict] = field(default_factory=list)
    complaints: list[dict] = field(default_factory=list)
    dossier_count: int = 0
    complaint_count: int = 0

    @property
    def empty(self) -> bool:
        return not (self.dossier_count or self.complaint_count)


def digest_for(user, positions: list[Official], day: date) -> Digest:
    """What turns late on ``day`` in ``user``'s reach (see the module docstring)."""
    start, end = _window(day)
    overseeing = [p for p in positions if p.role != Role.SPECIALIST]
    everything = any(not tree.ancestor_ids(p.unit_id) for p in overseeing)  # at the province: no unit list
    units = set().union(*(tree.subtree_ids(p.unit_id) for p in overseeing))
    specialist = any(p.role == Role.SPECIALIST for p in positions)

    def within(field: str) -> Q:
        if everything:
            return Q()
        return Q(**{f"{field}__in": sorted(units)}) if units else Q(pk__in=[])

    reach = within("handling_unit_id")
    if specialist and not everything:
        reach |= Q(current_assignee=user)
    due = F("effective_due_at")  # dossiers.rules.effective_due_at, stored
    dossiers = (
        Dossier.objects.filter(reach, status__in=RUNNING)
        .annotate(effective_due=due)
        .filter(Q(effective_due__gte=start, effective_due__lt=end) | Q(step_due_at__gte=start, step_due_at__lt=end))
        .select_related("procedure", "current_step")
        .order_by("effective_due", "pk")
    )
    complaint_reach = within("unit_id")
    if specialist and not everything:
        complaint_reach |= Q(assignee=user)
    complaints = Complaint.objects.filter(
        complaint_reach, status__in=OPEN_STATUSES, due_at__gte=start, due_at__lt=end
    ).order_by("due_at", "pk")
    digest = Digest(user, dossier_count=dossiers.count(), complaint_count=complaints.count())
    for dossier in dossiers[:MAX_LINES]:
        by_due = dossier.effective_due is not None and start <= dossier.effective_due < end
        digest.dossiers.append(
            {
                "code": dossier.code,
                "procedure": dossier.procedure.name,
                "what": "hạn trả kết quả"
                if by_due
                else f"hạn bước «{dossier.current_step.name if dossier.current_step else ''}»",
                "due": when(dossier.effective_due if by_due else dossier.step_due_at),
            }
        )
    for complaint in complaints[:MAX_LINES]:
        digest.complaints.append(
            {
                "code": complaint.code,
                "title": complaint.title,
                "what": "hạn công khai" if complaint.status == "cho_cong_khai" else "hạn trả lời",
                "due": when(complaint.due_at),
            }
        )
    return digest


@dataclass
class DigestReport:
    day: date  # the working day the digest is about
    digests: list[Digest]
    queued: list[int]  # notification ids still to send (a digest sent earlier the same day is not sent again)


def queue_digests(
    today: date | None = None, *, enqueue: bool = True, dry_run: bool = False, only_working_days: bool = True
) -> DigestReport | None:
    """Write (and, with ``enqueue``, queue after commit) each official's digest about the next working day.

    With ``only_working_days`` nothing is done on a day off (the last working day's digest already
    told about the next one). ``dry_run`` computes the digests and writes nothing.
    """
    today = today or timezone.localdate()
    if only_working_days and not get_calendar().is_working_day(today):
        logger.info("staff digest: %s is not a working day, nothing sent", today)
        return None
    day = next_working_day(today)
    positions: dict[int, list[Official]] = {}
    for position in (
        Official.objects.filter(is_active=True, role__in=DIGEST_ROLES, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user_id", "pk")
    ):
        positions.setdefault(position.user_id, []).append(position)
    digests, queued = [], []
    for held in positions.values():
        digest = digest_for(held[0].user, held, day)
        if digest.empty:
            continue
        digests.append(digest)
        if dry_run:
            continue
        user = digest.user
        context = {
            "name": user.get_full_name() or user.get_username(),
            "day": day.strftime("%d/%m/%Y"),
            "dossiers": digest.dossiers,
            "complaints": digest.complaints,
            "dossier_count": digest.dossier_count,
            "complaint_count": digest.complaint_count,
            "more_dossiers": max(digest.dossier_count - len(digest.dossiers), 0),
            "more_complaints": max(digest.complaint_count - len(digest.complaints), 0),
        }
        queued += delivery.write(
            Kind.STAFF_DIGEST,
            day.isoformat(),
            addresses={"email": user.email},
            context=context,
            channels=[ChannelName.EMAIL],
        )
    if enqueue and queued:
        delivery.enqueue(queued)
    logger.info("staff digest about %s: %s officials with items, %s new messages", day, len(digests), len(queued))
    return DigestReport(day, digests, queued)
