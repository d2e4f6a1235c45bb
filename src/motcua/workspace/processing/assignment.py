"""Phân công xử lý: the unit's dossiers that wait for no one, and each specialist's workload.

Leaders assign (``dossiers.assignment.assign``); the unit's specialists see the same list, apart from their
own "Việc của tôi", without the assign buttons.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.access import policy
from motcua.dossiers import assignment
from motcua.dossiers.models import Dossier
from motcua.org import tree
from motcua.org.models import Role
from motcua.workdays.services import get_calendar

from ..shortcuts import dossier_for, run_action
from . import queries, risk
from .forms import officials

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PAGE_SIZE = 50


def leader_units(user) -> set[int]:
    return {u for p in policy.positions(user) if p.role == Role.LEADER for u in p.units}


@dataclass
class Load:
    official: User
    open: int = 0
    late: int = 0
    due_soon: int = 0


def workload(unit_ids: set[int], at) -> list[Load]:
    """Per specialist of the units: dossiers they hold in processing, of which late and due within one
    working day (one grouped query)."""
    people = list(officials_of(unit_ids, {Role.SPECIALIST}))
    loads = {u.pk: Load(u) for u in people}
    soon = get_calendar().add_working_hours(at, risk.apology_warning_hours())
    # The due instant the queue shows (an issued apology letter's new appointment first). When the one
    # effective-due-instant function of issue #10 item 2 lands, this should use it.
    due = Coalesce("extended_due_at", "due_at")
    counts = (
        Dossier.objects.filter(current_assignee_id__in=loads, status__in=queries.QUEUE_FILTER_STATUSES)
        .annotate(effective_due=due)
        .values("current_assignee_id")
        .annotate(
            n=Count("pk"),
            late=Count("pk", filter=Q(effective_due__lt=at)),
            soon=Count("pk", filter=Q(effective_due__gte=at, effective_due__lt=soon)),
        )
    )
    for row in counts:
        load = loads[row["current_assignee_id"]]
        load.open, load.late, load.due_soon = row["n"], row["late"], row["soon"]
    return sorted(loads.values(), key=lambda load: (load.open, load.official.get_full_name()))


def officials_of(unit_ids: set[int], roles):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            is_active=True, positions__is_active=True, positions__role__in=list(roles), positions__unit_id__in=unit_ids
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _choices(dossier) -> list:
    role = dossier.current_step.role if dossier.current_step_id and dossier.current_step.role else Role.SPECIALIST
    unit = (
        dossier.current_step.unit_id
        if dossier.current_step_id and dossier.current_step.unit_id
        else dossier.handling_unit_id
    )
    return list(officials(unit, {role}))


@login_required
def assignments(request):
    """The leader's phân công screen: unassigned dossiers of the unit, most at risk first, and the workload."""
    user, at = request.user, risk.now()
    if not policy.roles(user) & queries.QUEUE_ROLES:
        raise PermissionDenied
    may_assign = leader_units(user)
    rows = risk.order_by_risk(risk.with_risk(queries.unassigned(user)).select_related(*queries.ROW_RELATIONS))
    total = rows.count()
    shown = risk.attach(list(rows[:PAGE_SIZE]), at)
    for dossier in shown:
        dossier.assignable = (
            dossier.handling_unit_id in may_assign
            or dossier.current_step
            and dossier.current_step.unit_id in may_assign
        )
        dossier.choices = _choices(dossier) if dossier.assignable else []
    units = {u for p in policy.positions(user) if p.role in queries.QUEUE_ROLES for u in {p.unit_id}}
    context = {
        "rows": shown,
        "total": total,
        "more": max(0, total - len(shown)),
        "now": at,
        "loads": workload(set().union(*(tree.subtree_ids(u) for u in units)) if units else set(), at),
        "may_assign": bool(may_assign),
    }
    return render(request, "workspace/processing/assignments.html", context)


@login_required
@require_POST
def assign(request, code: str):
    dossier = dossier_for(request, code, policy.Action.HAND_OFF)
    units = leader_units(request.user)
    if dossier.handling_unit_id not in units and (
        dossier.current_step is None or dossier.current_step.unit_id not in units
    ):
        raise PermissionDenied
    from django.contrib.auth import get_user_model

    chosen = request.POST.get("assignee") or ""
    assignee = get_user_model().objects.filter(pk=chosen).first() if chosen.isdigit() else None
    event = run_action(request, lambda: assignment.assign(dossier, assignee=assignee, actor=request.user))
    if event is not None and assignee is not None:  # assign() refuses a missing assignee, so both or neither
        messages.success(
            request,
            _("Đã phân công hồ sơ %(code)s cho %(name)s.")
            % {"code": code, "name": assignee.get_full_name() or assignee.get_username()},
        )
    return redirect("workspace:assignments")
