"""Which dossiers an official's queue and search show: built from their positions, filtered by indexes."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from motcua.access import policy
from motcua.dossiers.models import ApologyLetter, Consultation, Dossier, Proposal, Status
from motcua.org.models import Role

#: The statuses of dossiers waiting for an official (not the desk, not the applicant) by default.
QUEUE_STATUSES = (Status.PROCESSING, Status.FINANCIAL_OBLIGATION, Status.WITHDRAWAL_REQUESTED)
#: What the queue's status filter offers (adds dossiers waiting for the applicant's supplement).
QUEUE_FILTER_STATUSES = (
    Status.PROCESSING,
    Status.SUPPLEMENT_REQUESTED,
    Status.FINANCIAL_OBLIGATION,
    Status.WITHDRAWAL_REQUESTED,
)
QUEUE_ROLES = frozenset({Role.SPECIALIST, Role.LEADER})

ROW_RELATIONS = ("procedure", "handling_unit", "current_step", "current_assignee")


def _units(user, roles) -> set[int]:
    return {u for p in policy.positions(user) if p.role in roles for u in p.units}


def queue_condition(user) -> Q | None:
    """Việc của tôi: only what is mine — assigned to me; consultations my unit must answer; for leaders, drafts
    awaiting signature. Dossiers waiting for no one are the unit's, listed apart (:func:`unassigned`, the
    leader's phân công screen). None when the user has no queue."""
    positions = [p for p in policy.positions(user) if p.role in QUEUE_ROLES]
    if not positions:
        return None
    condition = Q(current_assignee=user)
    consulted = _units(user, policy.CONSULTED_ROLES)
    condition |= Q(
        pk__in=Consultation.objects.filter(unit_id__in=consulted, answered_at__isnull=True).values("dossier_id")
    )
    signing = _units(user, {Role.LEADER})
    if signing:
        condition |= Q(
            pk__in=Proposal.objects.filter(state=Proposal.State.PENDING, dossier__handling_unit_id__in=signing).values(
                "dossier_id"
            )
        )
    return condition


def unassigned_condition(units: set[int]) -> Q:
    """Waiting for no one in ``units``: at a step of theirs (or of the handling unit when the step names no
    unit), or in processing at no step at all (imported, or no internal workflow)."""
    at_step = Q(current_step__unit__isnull=True, handling_unit_id__in=units) | Q(current_step__unit_id__in=units)
    return Q(current_assignee__isnull=True) & (at_step | Q(current_step__isnull=True, handling_unit_id__in=units))


def unassigned(user) -> QuerySet:
    """Hồ sơ chưa phân công: the unit's dossiers in processing that no official holds, for its leaders and
    specialists to see apart from their own work."""
    units = _units(user, QUEUE_ROLES)
    if not units:
        return Dossier.objects.none()
    return Dossier.objects.filter(status__in=QUEUE_STATUSES).filter(unassigned_condition(units))


def row_annotations(queryset: QuerySet, user) -> QuerySet:
    """Flags each row shows: a letter issued, drafts awaiting signature, a consultation for my unit."""
    pending = Proposal.objects.filter(dossier=OuterRef("pk"), state=Proposal.State.PENDING)
    consulted = _units(user, policy.CONSULTED_ROLES)
    return queryset.annotate(
        has_apology=Exists(ApologyLetter.objects.filter(dossier=OuterRef("pk"))),
        pending_result=Exists(pending.filter(kind=Proposal.Kind.RESULT)),
        pending_apology=Exists(pending.filter(kind=Proposal.Kind.APOLOGY)),
        consultation_for_me=Exists(
            Consultation.objects.filter(dossier=OuterRef("pk"), unit_id__in=consulted, answered_at__isnull=True)
        ),
    )


def queue(user, statuses=QUEUE_STATUSES) -> QuerySet:
    condition = queue_condition(user)
    if condition is None:
        return Dossier.objects.none()
    return Dossier.objects.filter(status__in=statuses).filter(condition)


def signatures(user) -> QuerySet:
    """Trình ký: drafts awaiting this leader's signature, in the units where they may sign that kind."""
    results = policy.units_for(user, policy.Action.APPROVE_RESULT)
    apologies = policy.units_for(user, policy.Action.SIGN_APOLOGY)
    return Proposal.objects.filter(state=Proposal.State.PENDING).filter(
        Q(kind=Proposal.Kind.RESULT, dossier__handling_unit_id__in=results)
        | Q(kind=Proposal.Kind.APOLOGY, dossier__handling_unit_id__in=apologies)
    )
