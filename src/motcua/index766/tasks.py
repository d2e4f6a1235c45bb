"""Background recomputation of the stored 766 tuples (run by ``motcua worker``).

Every few minutes the database facts are refreshed and the current month,
quarter and year are scored for every unit and stored (with the per-unit partial
counts the live path pools), so the scoreboard reads snapshots instead of scanning
dossiers. In between, a dossier event recomputes its units and their ancestors
(``recompute_after_event``, enqueued by signals.py; live.py).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task, on_startup

logger = logging.getLogger("motcua.index766")

#: Minutes between full runs (1–60; settings.MOTCUA_766_RECOMPUTE_MINUTES). A full run rebuilds the derived
#: tables and every unit's tuples: ~2 minutes at 2 million dossiers, so a large province may space them.
RECOMPUTE_MINUTES = settings.MOTCUA_766_RECOMPUTE_MINUTES


def current_periods(today=None) -> list[str]:
    """The month, quarter and year that contain ``today`` (Asia/Ho_Chi_Minh)."""
    today = today or timezone.localdate()
    return [f"{today:%Y-%m}", f"{today.year}-Q{(today.month - 1) // 3 + 1}", str(today.year)]


def recompute_current_snapshots(today=None, *, now=None) -> dict[str, int]:
    """Refresh the facts once, then score and store each current period; tuples stored per period."""
    from .database import database_facts, refresh_database_facts
    from .live import (
        change_marks,
        changes_since,
        recompute_period,
        recompute_units,
        vacuum_partials,
    )

    marks = change_marks()
    refresh_database_facts()
    stored = {}
    facts = database_facts()
    try:
        for period in current_periods(today):
            report = recompute_period(facts, period, now=now)
            stored[period] = sum(len(u.indicators) for u in report.units)
    finally:
        facts.con.disconnect()
    vacuum_partials()
    # Events committed meanwhile: their live runs may have been overwritten by this run's older view.
    dossiers, complaints = changes_since(marks)
    if dossiers or complaints:
        recompute_units([], today, now=now, dossier_ids=dossiers, complaint_ids=complaints)
    logger.info("766 snapshots stored: %s", stored)
    return stored


@db_periodic_task(crontab(minute=f"*/{RECOMPUTE_MINUTES}"))
@lock_task("motcua-766-recompute")  # a slow run is never overlapped by the next one
def recompute_periodically():
    recompute_current_snapshots()


@db_task()
def refresh_and_store(period: str) -> dict:
    """On request (the API's ``fresh=1``, or a period nothing is stored for yet): rebuild the facts,
    then score ``period`` for every unit and store its tuples. Returns what the API's poll shows."""
    from . import database
    from .snapshots import store

    database.refresh_database_facts()
    stored = store(database.score_database(period, refresh=False))
    logger.info("766 facts refreshed and %s stored on request: %s tuples", period, stored)
    return {"period": period, "stored": stored, "finished_at": timezone.now().isoformat()}


@db_task()
def recompute_after_event(unit_ids, dossier_ids=(), complaint_ids=()):
    """Live path: the changed records' rows, then their units and ancestors, current periods."""
    from .live import recompute_units

    recompute_units(unit_ids, dossier_ids=dossier_ids, complaint_ids=complaint_ids)


@on_startup()
def compile_live_templates():
    """Each worker compiles the live recompute's SQL once when it starts (~5 s), not on the first event,
    so the first dossier event after a restart is reflected as fast as the others."""
    from motcua.org.models import Unit

    from .live import recompute_units

    root = (
        Unit.objects.filter(parent__isnull=True, valid_to__isnull=True)
        .order_by("code")
        .values_list("pk", flat=True)
        .first()
    )
    if root is None:
        return
    try:
        recompute_units([root])  # the province's own dossiers: small, and compiles the month/quarter/year SQL
    except Exception:  # noqa: BLE001 - a warm-up must never stop the worker; the periodic run rebuilds facts
        logger.warning("766 live templates not warmed at worker start", exc_info=True)
