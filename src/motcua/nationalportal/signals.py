"""Connects the outbox to the one place dossier changes happen (the lifecycle services' events)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save


def _dossier_event(sender, instance, created, raw=False, **kwargs):
    # Runs inside the service's transaction: the outbox rows commit or roll back with the change.
    if created and not raw:
        from .outbox import record_event

        record_event(instance)
        if instance.action == "finish" and settings.MOTCUA_CITIZEN_STORE:
            # After commit, in the worker: the signed result goes to the applicant's data store (4.4).
            from .tasks import push_results

            dossier_id = instance.dossier_id
            transaction.on_commit(lambda: push_results(dossier_id))


def connect() -> None:
    from motcua.dossiers.models import DossierEvent

    post_save.connect(_dossier_event, sender=DossierEvent, dispatch_uid="nationalportal_outbox")
