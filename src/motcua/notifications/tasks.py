"""The notifications' background work (run by ``motcua worker``; inline with MOTCUA_HUEY_IMMEDIATE=1)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from .delivery import MAX_ATTEMPTS, deliver, resend_stalled

logger = logging.getLogger("motcua.notifications")

#: Seconds between two attempts at one notification.
RETRY_DELAY = 120


@db_task(retries=MAX_ATTEMPTS - 1, retry_delay=RETRY_DELAY)
def send_notification(notification_id: int) -> str:
    """Send one notification (delivery.deliver); a failed channel raises, and huey tries again later."""
    return deliver(notification_id)


@db_periodic_task(crontab(minute="*/10"))
@lock_task("motcua-notifications-resend")
def resend_stalled_notifications():
    resend_stalled()


# huey's clock is UTC: 23:30 UTC is 06:30 in Vietnam, before the offices open.
@db_periodic_task(crontab(hour="23", minute="30"))
@lock_task("motcua-notifications-digest")
def send_daily_digest():
    """Tell each official what turns late on the next working day (on working days only)."""
    from .digest import queue_digests

    report = queue_digests()
    if report is not None:
        logger.info("staff digest for %s queued: %s recipients", report.day, len(report.queued))
