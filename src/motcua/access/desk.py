"""The counters (Bộ phận Một cửa) a desk officer works at, from their positions.

Above ``dossiers`` in the layers: the desk pages and the kiosk ask here, the reception
services take the units they are given.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from motcua.core.errors import UserError
from motcua.dossiers.intake import reception_scope
from motcua.org import tree
from motcua.org.models import Unit

from . import policy


def desk_units(user) -> list[Unit]:
    """The units where ``user`` receives dossiers (their desk positions), valid today."""
    today = timezone.localdate()
    ids = policy.home_units(user, policy.Action.RECEIVE)
    return list(Unit.objects.filter(pk__in=ids).exclude(valid_to__lt=today).order_by("code"))


def handling_units(user) -> QuerySet[Unit]:
    """Units a desk officer may route a dossier to: for a public-service centre every unit in force in its
    province (NĐ 118/2025, reception regardless of administrative boundary), else the desk's unit and the units
    below it; :func:`motcua.dossiers.intake.competent_units` narrows it per procedure."""
    desks = desk_units(user)
    ids = set().union(*(tree.subtree_ids(reception_scope(u).pk) for u in desks)) if desks else set()
    return Unit.objects.filter(pk__in=ids).exclude(valid_to__lt=timezone.localdate()).order_by("code")


def counter_for(user, handling_unit: Unit) -> Unit:
    """The officer's desk whose subtree holds ``handling_unit`` (the đơn vị tiếp nhận)."""
    units = desk_units(user)
    for unit in units:
        if handling_unit.pk in tree.subtree_ids(unit.pk):
            return unit
    if units:
        return units[0]
    raise UserError("Tài khoản không thuộc Bộ phận Một cửa nào.", f"user {getattr(user, 'pk', None)} has no desk")
