"""REST endpoints of the 766 engine: the same JSON as ``motcua score``, explanations and forecasts.

Access follows the scoreboard pages (permissions.py). No request rebuilds the 766 facts or the
stored tuples: reads use what the worker keeps (every few minutes, and per event); ``fresh=1``, or a
period nothing is stored for yet, enqueues the recomputation and answers 202 with where to poll
(jobs.py). Explanations, forecasts and ``as_of`` scores run the engine on the stored facts and are
kept in the shared cache as long as the scoreboard keeps its own (MOTCUA_SCOREBOARD_CACHE_SECONDS).
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.access import policy
from motcua.access.policy import Action
from motcua.core.errors import UserError
from motcua.org.models import Unit

from . import errors, jobs
from .permissions import HasPosition, MayRecompute, UnitInScope
from .serializers import (
    AcceptedOut,
    ErrorOut,
    ExplainOut,
    ExplainQuery,
    ForecastOut,
    ForecastQuery,
    ScoreQuery,
    ScoreReportOut,
    TaskOut,
)

ERRORS = {
    400: OpenApiResponse(ErrorOut, description="Tham số không hợp lệ (chi tiết theo tham số trong errors)"),
    403: OpenApiResponse(
        ErrorOut,
        description="Chưa đăng nhập, chưa được giao vai trò, đơn vị ngoài phạm vi, "
        "hoặc fresh=1 khi không được tính lại",
    ),
    404: OpenApiResponse(ErrorOut, description="Chưa có kết quả lưu của kỳ, và người gọi không được yêu cầu tính lại"),
}
ACCEPTED = OpenApiResponse(
    AcceptedOut,
    description="Đã xếp lịch tính lại (fresh=1, hoặc kỳ chưa có kết quả "
    "lưu, khi người gọi được yêu cầu tính lại): theo dõi ở "
    "status_url, rồi gọi lại retry_url",
)


class FactsMissing(Exception):
    """The 766 facts were never built on this database: the worker must build them first."""


def _jsonable(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _on_facts(compute):
    """``compute(facts)`` on the stored 766 facts (as the worker last built them)."""
    from motcua.index766.database import database_facts

    try:
        facts = database_facts()
    except ValueError as exc:  # the m766_* relations are missing
        raise FactsMissing(str(exc)) from None
    try:
        return compute(facts)
    finally:
        facts.con.disconnect()  # Ibis holds its own database connection


def _cached(parts: tuple, compute):
    """``compute()`` once per ``parts`` for the scoreboard's cache period (the facts change only when the
    worker refreshes them): repeated calls cost a cache read."""
    key = "api:766:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, settings.MOTCUA_SCOREBOARD_CACHE_SECONDS)
    return value


class Index766View(APIView):
    """Shared handling: validated query parameters, Vietnamese errors, the 202 of a recomputation."""

    permission_classes = [HasPosition, MayRecompute]
    query_serializer: type = ScoreQuery
    output_serializer: type = ScoreReportOut

    def get_exception_handler(self):
        return errors.exception_handler

    def get(self, request):
        query = self.query_serializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        if params["fresh"]:
            return self.accepted(request, params["period"].code)
        try:
            data = self.compute(request, params)
        except FactsMissing:
            data = None
        if data is None:
            return self.not_yet(request, params["period"].code)
        return Response(self.output_serializer(data).data)

    def not_yet(self, request, period: str) -> Response:
        """Nothing stored (or no facts built) for ``period``: the worker computes it, when asked by
        someone who may have scores recomputed; others are told who can."""
        if policy.may_compute_scores(request.user):
            return self.accepted(request, period)
        raise NotFound(
            f"Chưa có kết quả lưu của kỳ {period}. Cán bộ đầu mối kiểm soát TTHC hoặc quản trị "
            "có thể yêu cầu tính lại (fresh=1)."
        )

    def compute(self, request, params) -> dict | None:
        raise NotImplementedError

    def accepted(self, request, period: str) -> Response:
        job = jobs.request_refresh(period, request.user)
        status_url = reverse("index766-task", args=[job.task])
        query = urlencode([(k, v) for k, v in request.query_params.items() if k != "fresh"])
        body = {
            "detail": f"Đã xếp lịch tính lại kỳ {period}; theo dõi ở status_url rồi gọi lại retry_url.",
            "task": job.task,
            "status_url": status_url,
            "retry_url": f"{request.path}?{query}" if query else request.path,
        }
        return Response(AcceptedOut(body).data, status=202, headers={"Location": status_url, "Retry-After": "10"})


class ScoreView(Index766View):
    @extend_schema(
        parameters=[ScoreQuery],
        responses={200: ScoreReportOut, 202: ACCEPTED, **ERRORS},
        summary="Điểm Bộ chỉ số 766 của mọi đơn vị (hoặc một đơn vị) trong kỳ",
    )
    def get(self, request):
        return super().get(request)

    def compute(self, request, params):
        """The stored tuples (the worker and the live path keep them current); with ``as_of``, scored
        now on the stored facts. ``computed_at`` says which."""
        from motcua.index766.snapshots import stored_json

        period, unit = params["period"], params.get("unit")
        if "as_of" not in params:
            return stored_json(period.code, unit=unit)
        data = _cached(
            ("score", period.code, unit, params["as_of"]),
            lambda: _on_facts(lambda facts: _score(facts, period.code, params["as_of"], unit)),
        )
        if unit and not data["units"]:
            raise UserError(f"Đơn vị «{unit}» không có kết quả trong kỳ {period.code}.", f"unit {unit!r} not scored")
        return data


def _score(facts, period: str, as_of, unit: str | None) -> dict:
    from motcua.index766.database import DEFAULT_SWITCHES
    from motcua.index766.engine import score

    report = score(facts, period, as_of=as_of, units=[unit] if unit else None, switches=DEFAULT_SWITCHES)
    return {**report.to_json(), "computed_at": timezone.localtime().isoformat()}


class ExplainView(Index766View):
    permission_classes = [HasPosition, UnitInScope, MayRecompute]
    query_serializer = ExplainQuery
    output_serializer = ExplainOut

    @extend_schema(
        parameters=[ExplainQuery],
        responses={200: ExplainOut, 202: ACCEPTED, **ERRORS},
        summary="Các hồ sơ, TTHC, PAKN làm mất điểm của một chỉ số",
    )
    def get(self, request):
        return super().get(request)

    def compute(self, request, params):
        from motcua.index766.database import DEFAULT_SWITCHES
        from motcua.index766.explain import explain
        from motcua.index766.registry import resolve_switches, rule_notes

        period, unit, indicator, as_of = params["period"].code, params["unit"], params["indicator"], params.get("as_of")

        def compute():
            records = _on_facts(
                lambda facts: explain(facts, period, unit, indicator, as_of=as_of, switches=DEFAULT_SWITCHES)
            )
            return {
                "period": period,
                "unit": unit,
                "indicator": indicator,
                "records": [_jsonable(dataclasses.asdict(r)) for r in records],
                "rules": rule_notes(resolve_switches(DEFAULT_SWITCHES), indicator=indicator),
            }

        return _cached(("explain", period, unit, indicator, as_of), compute)


class ForecastView(Index766View):
    permission_classes = [HasPosition, UnitInScope, MayRecompute]
    query_serializer = ForecastQuery
    output_serializer = ForecastOut

    @extend_schema(
        parameters=[ForecastQuery],
        responses={200: ForecastOut, 202: ACCEPTED, **ERRORS},
        summary="Dự báo điểm cuối kỳ và các hồ sơ, PAKN có nguy cơ làm mất điểm",
    )
    def get(self, request):
        return super().get(request)

    def compute(self, request, params):
        from motcua.index766.database import DEFAULT_SWITCHES
        from motcua.index766.forecast import forecast

        period, as_of = params["period"].code, params.get("as_of")
        units = [params["unit"]] if params.get("unit") else _scope_codes(request.user)

        def compute():
            result = _on_facts(
                lambda facts: forecast(facts, period, as_of=as_of, units=units, switches=DEFAULT_SWITCHES)
            )
            return _jsonable(result.to_json())

        return _cached(("forecast", period, tuple(units) if units else None, as_of), compute)


def _scope_codes(user) -> list[str] | None:
    """The units whose records ``user`` may list (None: every unit)."""
    if policy.covers_all_units(user):
        return None
    ids = policy.units_for(user, Action.VIEW_SCOREBOARD)
    return sorted(Unit.objects.filter(pk__in=ids).values_list("code", flat=True))


class TaskView(APIView):
    permission_classes = [HasPosition]

    def get_exception_handler(self):
        return errors.exception_handler

    @extend_schema(
        responses={
            200: TaskOut,
            403: ERRORS[403],
            404: OpenApiResponse(ErrorOut, description="Không có yêu cầu tính lại này, hoặc địa chỉ sai"),
        },
        summary="Tình trạng một yêu cầu tính lại (fresh=1)",
    )
    def get(self, request, task_id):
        job = jobs.job(str(task_id))
        if job is None:
            return Response(
                {"detail": "Không có yêu cầu tính lại này (hoặc đã quá 24 giờ).", "code": "not_found"}, status=404
            )
        return Response(TaskOut(job.as_dict()).data)
