"""Connects the outbox to the one place dossier changes happen (the lifecycle services' events)."""

from __future__ import annotations

from django.db.models.signals import post_save


def _dossier_event(sender, instance, created, raw=False, **kwargs):
    # Runs inside the service's transaction: the outbox rows commit or roll back with the change.
    if created and not raw:
        from .outbox import record_event

        record_event(instance)


def connect() -> None:
    from motcua.dossiers.models import DossierEvent

    post_save.connect(_dossier_event, sender=DossierEvent, dispatch_uid="nationalportal_outbox")
