"""Background recomputation of the stored 766 tuples (run by ``motcua worker``).

Every few minutes the database facts are refreshed and the current month,
quarter and year are scored for every unit and stored, so the scoreboard reads
snapshots instead of scanning dossiers. (A dossier event is reflected at the
next run; per-event recomputation is not built yet.)
"""

from __future__ import annotations

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

logger = logging.getLogger("motcua.index766")

RECOMPUTE_MINUTES = 5


def current_periods(today=None) -> list[str]:
    """The month, quarter and year that contain ``today`` (Asia/Ho_Chi_Minh)."""
    today = today or timezone.localdate()
    return [f"{today:%Y-%m}", f"{today.year}-Q{(today.month - 1) // 3 + 1}", str(today.year)]


def recompute_current_snapshots(today=None) -> dict[str, int]:
    """Refresh the facts once, then score and store each current period; rows stored per period."""
    from .database import refresh_database_facts, score_database
    from .snapshots import store

    refresh_database_facts()
    stored = {}
    for period in current_periods(today):
        stored[period] = store(score_database(period, refresh=False))
    logger.info("766 snapshots stored: %s", stored)
    return stored


@db_periodic_task(crontab(minute=f"*/{RECOMPUTE_MINUTES}"))
@lock_task("motcua-766-recompute")  # a slow run is never overlapped by the next one
def recompute_periodically():
    recompute_current_snapshots()
