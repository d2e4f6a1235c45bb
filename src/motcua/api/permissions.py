"""Who may call the 766 API: the same access policy as the scoreboard pages (motcua.access.policy).

Scores are aggregates every official with a position reads; lists of dossiers (explanations,
points at risk) only for the units the official's positions cover; recomputation on demand only
for control officers and administrators.
"""

from __future__ import annotations

from rest_framework.permissions import BasePermission
from rest_framework.serializers import BooleanField

from motcua.access import policy
from motcua.access.policy import Action
from motcua.org.models import Unit

#: The longest unit code the query serializers take (a longer one is their 400, not a lookup).
UNIT_CODE_MAX = 64


def requested_unit_id(request) -> int | None:
    """The pk of the ``?unit=`` unit; None when absent, malformed or unknown (the serializer says why)."""
    code = (request.query_params.get("unit") or "").strip()
    if not code or len(code) > UNIT_CODE_MAX or "\x00" in code:
        return None
    return Unit.objects.filter(code=code).values_list("pk", flat=True).first()


def wants_fresh(request) -> bool:
    return request.query_params.get("fresh") in BooleanField.TRUE_VALUES


class HasPosition(BasePermission):
    """Signed in with a position allowing the scoreboard (every role has it)."""

    message = "Tài khoản của bạn chưa được giao vai trò nào nên chưa dùng được API Bộ chỉ số 766."

    def has_permission(self, request, view) -> bool:
        return policy.can(request.user, Action.VIEW_SCOREBOARD)


class UnitInScope(BasePermission):
    """``?unit=`` is one of the units whose records the official may list (their unit and those below)."""

    message = "Bạn chỉ xem được danh sách hồ sơ của đơn vị mình và các đơn vị trực thuộc."

    def has_permission(self, request, view) -> bool:
        unit_id = requested_unit_id(request)
        return unit_id is None or unit_id in policy.units_for(request.user, Action.VIEW_SCOREBOARD)


class MayRecompute(BasePermission):
    """``fresh=1`` (a recomputation by the worker) only for those who may compute the scoreboard."""

    message = "Chỉ cán bộ đầu mối kiểm soát TTHC hoặc quản trị mới được yêu cầu tính lại (fresh=1)."

    def has_permission(self, request, view) -> bool:
        return not wants_fresh(request) or policy.may_compute_scores(request.user)
