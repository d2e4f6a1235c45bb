"""The files app's housekeeping in the worker."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import sweep_orphaned_objects


# huey's clock is UTC: 19:45 UTC is 02:45 in Vietnam, when no office uploads.
@db_periodic_task(crontab(hour="19", minute="45"))
def sweep_orphaned_objects_daily():
    sweep_orphaned_objects()
