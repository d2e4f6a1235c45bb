"""Which dossiers an official's queue and search show: built from their positions, filtered by indexes."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from motcua.access import policy
from motcua.dossiers.models import ApologyLetter, Consultation, Dossier, Proposal, Status
from motcua.org.models import Role

#: The statuses of dossiers waiting for an official (not the desk, not the applicant) by default.
QUEUE_STATUSES = (Status.PROCESSING, Status.FINANCIAL_OBLIGATION, Status.WITHDRAWAL_REQUESTED)
#: What the queue's status filter offers (adds dossiers waiting for the applicant's supplement).
QUEUE_FILTER_STATUSES = (Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.FINANCIAL_OBLIGATION,
                         Status.WITHDRAWAL_REQUESTED)
QUEUE_ROLES = frozenset({Role.SPECIALIST, Role.LEADER})

ROW_RELATIONS = ("procedure", "handling_unit", "current_step", "current_assignee")


def _units(user, roles) -> set[int]:
    return {u for p in policy.positions(user) if p.role in roles for u in p.units}


def queue_condition(user) -> Q | None:
    """Việc của tôi: assigned to me; waiting unassigned at a step of my role in my units (or, for specialists, at
    no step at all); consultations my unit must answer; for leaders, drafts awaiting signature. None when the
    user has no queue."""
    positions = [p for p in policy.positions(user) if p.role in QUEUE_ROLES]
    if not positions:
        return None
    condition = Q(current_assignee=user)
    for role in {p.role for p in positions}:
        units = _units(user, {role})
        at_step = Q(current_step__unit__isnull=True, handling_unit_id__in=units) | Q(current_step__unit_id__in=units)
        condition |= Q(current_assignee__isnull=True, current_step__role=role) & at_step
        if role == Role.SPECIALIST:
            # Dossiers in processing at no step (imported, or no internal workflow): the unit's specialists' work.
            condition |= Q(current_assignee__isnull=True, current_step__isnull=True, handling_unit_id__in=units)
    consulted = _units(user, policy.CONSULTED_ROLES)
    condition |= Q(pk__in=Consultation.objects.filter(unit_id__in=consulted, answered_at__isnull=True)
                   .values("dossier_id"))
    signing = _units(user, {Role.LEADER})
    if signing:
        condition |= Q(pk__in=Proposal.objects.filter(state=Proposal.State.PENDING, dossier__handling_unit_id__in=signing)
                       .values("dossier_id"))
    return condition


def row_annotations(queryset: QuerySet, user) -> QuerySet:
    """Flags each row shows: a letter issued, drafts awaiting signature, a consultation for my unit."""
    pending = Proposal.objects.filter(dossier=OuterRef("pk"), state=Proposal.State.PENDING)
    consulted = _units(user, policy.CONSULTED_ROLES)
    return queryset.annotate(
        has_apology=Exists(ApologyLetter.objects.filter(dossier=OuterRef("pk"))),
        pending_result=Exists(pending.filter(kind=Proposal.Kind.RESULT)),
        pending_apology=Exists(pending.filter(kind=Proposal.Kind.APOLOGY)),
        consultation_for_me=Exists(Consultation.objects.filter(
            dossier=OuterRef("pk"), unit_id__in=consulted, answered_at__isnull=True)),
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
