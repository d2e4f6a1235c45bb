"""The relay in the worker (``motcua worker``): one continuous run per minute, never two at once."""

from __future__ import annotations

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task


@db_periodic_task(crontab(minute="*"))
@lock_task("motcua-portal-relay")
def relay_to_portal():
    """Deliver the outbox for ~58 s (polling every 0.2 s), so a change reaches the portal within seconds."""
    if not settings.MOTCUA_PORTAL_URL:
        return  # sync off: changes keep queueing until a portal is configured
    from .client import PortalClient
    from .relay import Relay

    client = PortalClient.from_settings()
    try:
        Relay(client).run(max_seconds=58)
    finally:
        client.close()
