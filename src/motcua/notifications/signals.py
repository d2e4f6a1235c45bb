"""Subscribes the citizens' notifications to the two append-only logs: dossier events and complaint steps.

Runs inside the service's transaction, in a savepoint of its own: a failure to write a notification
is logged and never undoes or fails the change it tells about. The rows commit with the event and
are queued for sending after the commit. Imports (inside ``core.bulkflag.bulk_write``) notify nobody.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_save

from motcua.core.bulkflag import in_bulk_write

logger = logging.getLogger("motcua.notifications")


def _safely(write, what: str, using: str) -> None:
    from .delivery import enqueue_on_commit

    try:
        with transaction.atomic(using=using):
            ids = write()
    except Exception:  # noqa: BLE001 - never fail the user's action for a notification
        logger.exception("could not write the notifications of %s", what)
        return
    enqueue_on_commit(ids, using)


def _dossier_event(sender, instance, created, raw=False, using="default", **kwargs):
    from .citizens import DOSSIER_KINDS, dossier_event

    if created and not raw and instance.action in DOSSIER_KINDS and not in_bulk_write():
        _safely(lambda: dossier_event(instance, using), f"dossier event {instance.pk}", using)


def _complaint_step(sender, instance, created, raw=False, using="default", **kwargs):
    from .citizens import COMPLAINT_KINDS, complaint_step

    if created and not raw and instance.status in COMPLAINT_KINDS and not in_bulk_write():
        _safely(lambda: complaint_step(instance, using), f"complaint step {instance.pk}", using)


def connect() -> None:
    from motcua.dossiers.models import DossierEvent
    from motcua.feedback.models import ComplaintStatusLog

    post_save.connect(_dossier_event, sender=DossierEvent, dispatch_uid="notifications_dossier_event")
    post_save.connect(_complaint_step, sender=ComplaintStatusLog, dispatch_uid="notifications_complaint_step")
