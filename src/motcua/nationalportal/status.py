"""What the sync looks like now: for ``motcua portal status`` and the administrators' page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone

from .models import OutboxMessage, PortalDossier, RelayStatus


@dataclass
class SyncStatus:
    enabled: bool
    queued: int
    delivered: int
    dead_letters: int
    dead_dossiers: int
    oldest_queued_at: datetime | None
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error: str

    @property
    def lag(self) -> timedelta | None:
        return timezone.now() - self.oldest_queued_at if self.oldest_queued_at else None


def sync_status() -> SyncStatus:
    counts = OutboxMessage.objects.aggregate(
        queued=Count("pk", filter=Q(delivered_at__isnull=True, dead_at__isnull=True)),
        delivered=Count("pk", filter=Q(delivered_at__isnull=False)),
        dead=Count("pk", filter=Q(dead_at__isnull=False, delivered_at__isnull=True)),
    )
    oldest = OutboxMessage.objects.filter(delivered_at__isnull=True, dead_at__isnull=True).aggregate(
        oldest=Min("created_at")
    )["oldest"]
    relay = RelayStatus.objects.filter(pk=1).first()
    return SyncStatus(
        enabled=bool(settings.MOTCUA_PORTAL_URL),
        queued=counts["queued"],
        delivered=counts["delivered"],
        dead_letters=counts["dead"],
        dead_dossiers=PortalDossier.objects.filter(blocked=True).count(),
        oldest_queued_at=oldest,
        last_success_at=relay.last_success_at if relay else None,
        last_error_at=relay.last_error_at if relay else None,
        last_error=relay.last_error if relay else "",
    )
