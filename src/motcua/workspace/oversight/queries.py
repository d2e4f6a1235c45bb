"""What the follow-up pages read: who may open them, their rows in the official's scope, a dossier's sync state.

Scope is row-level like the dossiers' (:mod:`motcua.access.policy`): a position covers its unit and the
units below it; a position at the root of the tree (the province) covers everything, so no thousand-id
``IN`` list is built for it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from motcua.access import policy
from motcua.dossiers.models import Payment
from motcua.nationalportal.models import OutboxMessage, PortalDossier
from motcua.nationalportal.relay import resend
from motcua.org import tree
from motcua.org.models import Role

logger = logging.getLogger("motcua.workspace")

#: The sync page: the administrator acts on it, the TTHC control officer reads it.
SYNC_ROLES = frozenset({Role.ADMINISTRATOR, Role.CONTROL_OFFICER})
RESEND_ROLES = frozenset({Role.ADMINISTRATOR})
PAYMENT_ROLES = frozenset({Role.LEADER, Role.DESK_OFFICER, Role.CONTROL_OFFICER, Role.ADMINISTRATOR})


# --- scope ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The units covered by a user's positions in some roles; ``everything`` when one of them is at the root."""

    units: frozenset[int]
    everything: bool

    def covers(self, *unit_ids: int | None) -> bool:
        return self.everything or any(u in self.units for u in unit_ids if u is not None)

    def filter(self, queryset: QuerySet, *fields: str) -> QuerySet:
        """Rows whose unit (any of ``fields``) is covered."""
        if self.everything:
            return queryset
        condition = Q()
        for name in fields:
            condition |= Q(**{f"{name}__in": self.units})
        return queryset.filter(condition)


def scope(user, roles: frozenset[str], refusal: str) -> Scope:
    """The user's scope through their positions in ``roles``; :class:`AccessDenied` (403) if they hold none."""
    held = [p for p in policy.positions(user) if p.role in roles]
    if not held:
        logger.warning(
            "access denied: user=%s roles=%s needed=%s",
            getattr(user, "pk", None),
            sorted(policy.roles(user)),
            sorted(roles),
        )
        raise policy.AccessDenied(
            refusal, f"user {getattr(user, 'pk', None)} holds none of {sorted(roles)}", code="forbidden"
        )
    return Scope(frozenset().union(*(p.units for p in held)), any(not tree.ancestor_ids(p.unit_id) for p in held))


def holds(user, roles: frozenset[str]) -> bool:
    return bool(policy.roles(user) & roles)


def optional_scope(user, roles: frozenset[str]) -> Scope | None:
    """The scope through ``roles``, or None when the user holds none of them (no refusal)."""
    return scope(user, roles, "") if holds(user, roles) else None


# --- the national portal sync --------------------------------------------------------------------------------


def dead_letters(where: Scope) -> QuerySet:
    """Dossiers the portal refused (answer 02) in scope, the latest refusal first, with ``refused_at``."""
    refused_at = (
        OutboxMessage.objects.filter(dossier_id=OuterRef("pk"), dead_at__isnull=False)
        .order_by("-dead_at")
        .values("dead_at")[:1]
    )
    rows = PortalDossier.objects.filter(blocked=True).annotate(refused_at=Subquery(refused_at))
    rows = where.filter(rows, "dossier__handling_unit_id", "dossier__receiving_unit_id")
    return rows.select_related("dossier", "dossier__handling_unit").order_by(
        F("refused_at").desc(nulls_last=True), "pk"
    )


def resend_dead_letters(user, where: Scope, dossier_ids: list[int] | None = None) -> int:
    """Put the dead letters of ``where`` (those of ``dossier_ids``, else all) back in the queue; how many."""
    states = where.filter(
        PortalDossier.objects.filter(blocked=True), "dossier__handling_unit_id", "dossier__receiving_unit_id"
    )
    if dossier_ids is not None:
        states = states.filter(pk__in=dossier_ids)
    count = resend(list(states.values_list("pk", flat=True)), actor=user, source="web")
    logger.info("user %s put %d dead letter(s) back in the portal queue", user.pk, count)
    return count


@dataclass(frozen=True)
class SyncState:
    """Where a dossier stands with the portal, as the dossier page tells it."""

    acknowledged_at: datetime | None  # the portal's first acknowledgement (NgayDongBo)
    pending: bool  # a change waits to be sent, or is retried after a temporary failure
    refused: str  # the portal's message when it refused the dossier (a dead letter)
    retry_error: str  # the last temporary failure while it is retried
    queued: bool  # the outbox knows the dossier at all


def dossier_sync_state(dossier) -> SyncState:
    """Read from the dossier and its ``portal_sync`` row (select it with the dossier to save a query)."""
    try:
        state = dossier.portal_sync
    except PortalDossier.DoesNotExist:
        state = None
    acknowledged_at = dossier.synced_at or (state.first_acked_at if state else None)
    if state is None:
        return SyncState(acknowledged_at, False, "", "", False)
    pending = state.ready_at is not None and not state.blocked
    return SyncState(
        acknowledged_at, pending, state.last_error if state.blocked else "", state.last_error if pending else "", True
    )


# --- payments ------------------------------------------------------------------------------------------------


def payment_mismatches(where: Scope) -> QuerySet:
    """Payments whose amount differs from the fees due when they were recorded, newest first."""
    rows = Payment.objects.filter(~Q(amount=F("amount_due")), amount_due__isnull=False)
    rows = where.filter(rows, "dossier__handling_unit_id", "dossier__receiving_unit_id")
    return (
        rows.select_related("dossier", "dossier__handling_unit")
        .annotate(difference=F("amount") - F("amount_due"))
        .order_by("-paid_at", "-pk")
    )
