"""Background work of the scoreboard (run by ``motcua worker``)."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

logger = logging.getLogger("motcua.scoreboard")


@db_periodic_task(crontab(minute="*/5"))
@lock_task("motcua-scoreboard-warm")
def warm_scoreboard_lists():
    """Keep the costly drill-down lists of the current month in the shared cache."""
    from . import services

    try:
        services.warm_current_lists()
    except services.LiveDataUnavailable:
        logger.info("766 facts not built yet; nothing to warm")


#: Cache key of a period computed on request: {"state": "running"|"done"|"failed", "started": iso, "rows": n}.
COMPUTING_KEY = "scoreboard:computing:{period}"
#: A request that never finished (a worker killed mid-run) is offered again after this many seconds.
COMPUTING_TTL = 30 * 60


def computing_state(period: str) -> dict | None:
    from django.core.cache import cache

    return cache.get(COMPUTING_KEY.format(period=period))


def request_period(period: str) -> bool:
    """Queue the scoring of ``period`` for the worker unless it is already queued or running; True if queued."""
    from django.core.cache import cache
    from django.utils import timezone

    state = {"state": "running", "started": timezone.now().isoformat()}
    if not cache.add(COMPUTING_KEY.format(period=period), state, COMPUTING_TTL):
        current = computing_state(period) or {}
        if current.get("state") == "running":
            return False
        cache.set(COMPUTING_KEY.format(period=period), state, COMPUTING_TTL)
    compute_period(period)
    return True


@db_task()
def compute_period(period: str):
    """Score and store one period asked for on the scoreboard page (never inside the request)."""
    from django.core.cache import cache

    from . import services

    key = COMPUTING_KEY.format(period=period)
    started = (cache.get(key) or {}).get("started")
    try:
        stored = services.compute_snapshots([period])
    except Exception:
        logger.exception("766 snapshots for %s failed", period)
        cache.set(key, {"state": "failed", "started": started}, COMPUTING_TTL)
        raise
    cache.set(key, {"state": "done", "started": started, "rows": stored.get(period, 0)}, COMPUTING_TTL)
