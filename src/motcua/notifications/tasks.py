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
