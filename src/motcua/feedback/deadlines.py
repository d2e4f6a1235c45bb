"""Deadlines of a complaint (phản ánh, kiến nghị): one definition for the 766 engine and the staff pages.

interchange.md §4, from Nghị định 20/2008 as the national portal applies it: the clock starts at
the latest transfer to another unit (``chuyen_xu_ly``), else at submission, and counts working
hours on the legal calendar without a cut-off (15 working days = 120 hours). The answer must be
refused within 2 working days, more information requested within 5, the answer ready for
publication (``cho_cong_khai``) within 15, and published within 2 after that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

REFUSE_HOURS = 16  # 2 WD
SUPPLEMENT_HOURS = 40  # 5 WD
HANDLE_HOURS = 120  # 15 WD, to reach cho_cong_khai
PUBLISH_HOURS = 16  # 2 WD after cho_cong_khai


@dataclass(frozen=True)
class ComplaintDeadlines:
    clock_start: datetime
    refuse_by: datetime
    supplement_by: datetime
    answer_by: datetime
    publish_by: datetime | None  # once the answer awaits publication


def clock_start(submitted_at: datetime, transfers: list[datetime]) -> datetime:
    """The latest transfer to another unit restarts the clock."""
    return max([submitted_at, *transfers])


def complaint_deadlines(
    submitted_at: datetime, *, transfers=(), awaiting_publication_at: datetime | None = None, calendar=None
) -> ComplaintDeadlines:
    if calendar is None:
        from motcua.workdays.services import get_calendar

        calendar = get_calendar()
    start = clock_start(submitted_at, list(transfers))
    return ComplaintDeadlines(
        clock_start=start,
        refuse_by=calendar.add_working_hours(start, REFUSE_HOURS),
        supplement_by=calendar.add_working_hours(start, SUPPLEMENT_HOURS),
        answer_by=calendar.add_working_hours(start, HANDLE_HOURS),
        publish_by=calendar.add_working_hours(awaiting_publication_at, PUBLISH_HOURS)
        if awaiting_publication_at
        else None,
    )


#: Statuses in which no deadline runs any more (refused, published, returned to the sender).
CLOSED_STATUSES = frozenset({"tu_choi", "da_cong_khai", "tra_lai"})


def running_deadline(status: str, deadlines: ComplaintDeadlines) -> datetime | None:
    """The instant at which the complaint turns late if nothing more happens (the engine's ``flip_at``).

    Awaiting publication, it is the publication deadline; otherwise the answer deadline (a request for
    more information does not stop the clock); none once the complaint is closed. The refusal and
    information-request deadlines only close those options: missing them makes nothing late.
    """
    if status in CLOSED_STATUSES:
        return None
    if status == "cho_cong_khai" and deadlines.publish_by is not None:
        return deadlines.publish_by
    return deadlines.answer_by
