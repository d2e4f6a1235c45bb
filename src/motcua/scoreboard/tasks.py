"""Background work of the scoreboard (run by ``motcua worker``)."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

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
