"""The relay in the worker (``motcua worker``): one continuous run per minute, never two at once."""

from __future__ import annotations

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task


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


@db_task(retries=5, retry_delay=120)
def push_results(dossier_id: int) -> int:
    """Push a finished dossier's signed results to the applicant's data store (4.4); retried on failure."""
    from .citizen_store import push_signed_results

    return push_signed_results(dossier_id)
