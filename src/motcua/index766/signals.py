"""Enqueue the live 766 recomputation after a dossier or complaint changes (live.py).

On a new dossier event (DossierEvent, created), a dossier's first acknowledgement by the national
portal (``dossiers.signals.first_synced``), a dossier's rating, a complaint (PAKN) or a step of its
log being saved, the changed record is added to the current transaction's batch;
when the transaction commits, one huey task ``recompute_after_event`` takes the whole batch
(many events in one transaction → one task). Nothing is sent if it rolls back.

Enqueueing never fails the user's action: it happens after the commit and any error is
logged. Imports are left to the periodic full recomputation: the importer writes in bulk
(no post_save), and the few rows it saves through the ORM run inside
``motcua.core.bulkflag.bulk_write``, which is skipped here. ``settings.MOTCUA_LIVE_766``
(default on) turns the whole hook off (the test suite does, except where it is exercised).
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save

from motcua.core.bulkflag import in_bulk_write

logger = logging.getLogger("motcua.index766")

_local = threading.local()


def enabled() -> bool:
    return bool(settings.MOTCUA_LIVE_766)


def _batch() -> dict[str, set[int]]:
    batch = getattr(_local, "batch", None)
    if batch is None:
        batch = _local.batch = {"units": set(), "dossiers": set(), "complaints": set()}
    return batch


def _flush() -> None:
    """Send the batch (the first on_commit callback of the transaction sends it; later ones find it empty)."""
    batch = getattr(_local, "batch", None)
    _local.batch = None
    if not batch or not any(batch.values()):
        return
    try:
        from motcua.index766.tasks import recompute_after_event

        recompute_after_event(sorted(batch["units"]), sorted(batch["dossiers"]), sorted(batch["complaints"]))
    except Exception:  # noqa: BLE001 - never fail the user's action; the periodic run catches up
        logger.exception("766 live: could not enqueue the recomputation of units %s", sorted(batch["units"]))


def note(*, units=(), dossiers=(), complaints=(), using: str = "default") -> None:
    """Add records to the transaction's batch and make sure it is sent on commit."""
    if not enabled() or in_bulk_write():
        return
    batch = _batch()
    batch["units"].update(u for u in units if u)
    batch["dossiers"].update(d for d in dossiers if d)
    batch["complaints"].update(c for c in complaints if c)
    try:
        transaction.on_commit(_flush, using=using)
    except Exception:  # noqa: BLE001
        logger.exception("766 live: could not register the commit hook")


def _dossier_event(sender, instance, created, using, **kwargs):
    if created:
        note(dossiers=[instance.dossier_id], using=using)


def _rating(sender, instance, using, **kwargs):
    note(dossiers=[instance.dossier_id], using=using)


def _complaint(sender, instance, using, **kwargs):
    note(units=[instance.unit_id], complaints=[instance.pk], dossiers=[instance.dossier_id], using=using)


def _complaint_step(sender, instance, using, **kwargs):
    note(complaints=[instance.complaint_id], using=using)


def _first_synced(sender, dossier_ids, **kwargs):
    note(dossiers=dossier_ids)  # 1.4 and 3.3 move when the portal first acknowledges a dossier


def _catalogue_changed(sender, using, **kwargs):
    """A service, procedure or unit saved or deleted: the in_den rows a full run stored may be
    stale, so live runs recompute them until the next full run (live.py, ``_den_reusable``).
    Counted in the same transaction, whatever MOTCUA_LIVE_766 says; bulk writes (imports) send no
    signal and are the periodic full run's, like their dossiers."""
    from django.db.models import F

    from motcua.index766.models import CatalogueRevision

    if not CatalogueRevision.objects.using(using).filter(pk=1).update(number=F("number") + 1):
        CatalogueRevision.objects.using(using).get_or_create(pk=1, defaults={"number": 1})


def connect() -> None:
    from django.db.models.signals import post_delete

    from motcua.catalog.models import OnlineService, Procedure
    from motcua.dossiers.models import DossierEvent
    from motcua.dossiers.signals import first_synced
    from motcua.feedback.models import Complaint, ComplaintStatusLog, Rating
    from motcua.org.models import Unit

    post_save.connect(_dossier_event, sender=DossierEvent, dispatch_uid="m766_live_event")
    post_save.connect(_rating, sender=Rating, dispatch_uid="m766_live_rating")
    post_save.connect(_complaint, sender=Complaint, dispatch_uid="m766_live_complaint")
    post_save.connect(_complaint_step, sender=ComplaintStatusLog, dispatch_uid="m766_live_complaint_step")
    first_synced.connect(_first_synced, dispatch_uid="m766_live_first_synced")
    for model in (OnlineService, Procedure, Unit):
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(_catalogue_changed, sender=model, dispatch_uid=f"m766_catalogue_{name}_{model.__name__}")
