"""Phân công: the unit's leader gives a dossier that waits for no one to one of the unit's specialists.

Kept apart from ``services.py`` (one function, its own rule); it writes like every other service: one
transaction, the dossier row locked, the transition checked against the table (the ``transfer``
transition: the status stays), one ``DossierEvent``, one audit entry.
"""

from __future__ import annotations

from django.db import transaction

from motcua.core.audit import audit_context
from motcua.core.errors import UserError
from motcua.dossiers.models import DossierEvent

from . import services

ASSIGN_REASON = "Lãnh đạo phân công xử lý"


def assign(dossier, *, assignee, actor=None, at=None, source="web") -> DossierEvent:
    """Phân công xử lý: a dossier without an assignee goes to ``assignee`` (same step, same step deadline).

    The assignee must hold the current step's role in the unit doing it; at no step (imported dossiers,
    procedures without an internal workflow) a specialist of the handling unit.
    """
    from motcua.org import tree
    from motcua.org.models import Official, Role

    at = services._instant(at)
    if assignee is None:
        raise UserError("Phải chọn cán bộ được phân công.", "assignment without an assignee")
    with transaction.atomic(), audit_context(actor, source):
        dossier = services._locked(dossier)
        if dossier.current_assignee_id is not None:
            raise UserError(
                f"Hồ sơ đã được phân công cho {services._user_label(dossier.current_assignee)}; "
                "hãy dùng «Chuyển người xử lý».",
                f"assignment of {dossier.code}, already with user {dossier.current_assignee_id}",
                code="assigned",
            )
        if dossier.current_step_id:
            services.check_assignee(dossier, dossier.current_step, assignee)
        elif (
            not assignee.is_active
            or not Official.objects.filter(
                user=assignee,
                is_active=True,
                role=Role.SPECIALIST,
                unit_id__in=tree.subtree_ids(dossier.handling_unit_id),
            ).exists()
        ):
            raise UserError(
                f"{services._user_label(assignee)} không phải chuyên viên của đơn vị xử lý.",
                f"user {assignee.pk} is no specialist of unit {dossier.handling_unit_id}",
                code="bad_assignee",
            )
        dossier.current_assignee = assignee
        step = services._step_label(dossier)
        return services._apply(
            dossier,
            "transfer",
            at,
            actor=actor,
            source=source,
            reason=ASSIGN_REASON,
            step_due_at=dossier.step_due_at,
            data={
                "step": step,
                "to_step": step,
                "from_assignee": None,
                "to_assignee": services._user_label(assignee),
                "assignment": True,
            },
        )
