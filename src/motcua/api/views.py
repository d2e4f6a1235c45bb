"""REST endpoints of the 766 engine: the same JSON as ``motcua score``, explanations and forecasts."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.core.errors import UserError

PERIOD = OpenApiParameter("period", str, required=True, description="2026, 2026-H1, 2026-Q3 hoặc 2026-08")
UNIT = OpenApiParameter("unit", str, description="Mã đơn vị (MaDonVi); đơn vị cha gộp cả đơn vị con")
AS_OF = OpenApiParameter("as_of", OpenApiTypes.DATETIME, description="Thời điểm đánh giá (mặc định: cuối kỳ hoặc hiện tại)")
FRESH = OpenApiParameter("fresh", OpenApiTypes.BOOL,
                         description="1: tính lại ngay trên dữ liệu (mặc định: kết quả đã lưu, nếu có)")


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


def _worker_is_recent() -> bool:
    """The stored tuples (and so the facts under them) were computed within two worker periods."""
    from datetime import timedelta

    from django.db.models import Max
    from django.utils import timezone

    from motcua.index766.models import IndicatorSnapshot
    from motcua.index766.tasks import RECOMPUTE_MINUTES

    last = IndicatorSnapshot.objects.aggregate(at=Max("computed_at"))["at"]
    return last is not None and timezone.now() - last < timedelta(minutes=2 * RECOMPUTE_MINUTES)


def _facts(params):
    """Database facts as last refreshed (the worker every few minutes, the live path per event);
    refreshed first with ``fresh=1``, when no worker has stored tuples lately, or never built."""
    from motcua.index766.database import database_facts, refresh_database_facts

    if params.get("fresh") in ("1", "true", "True") or not _worker_is_recent():
        refresh_database_facts()
    try:
        return database_facts()
    except ValueError:  # relations missing: never refreshed on this database
        refresh_database_facts()
        return database_facts()


class IndexView(APIView):
    """Shared parameter handling: a bad period or unit is a 400 with a Vietnamese message."""

    def get(self, request):
        params = request.query_params
        if not params.get("period"):
            return Response({"detail": "Thiếu tham số period."}, status=400)
        try:
            return Response(self.compute(params["period"], params.get("unit") or None, params.get("as_of") or None, params))
        except UserError as exc:
            return Response({"detail": exc.message}, status=400)

    def compute(self, period, unit, as_of, params):
        raise NotImplementedError


class ScoreView(IndexView):
    @extend_schema(parameters=[PERIOD, UNIT, AS_OF, FRESH], responses=OpenApiTypes.OBJECT,
                   summary="Điểm Bộ chỉ số 766 của mọi đơn vị (hoặc một đơn vị) trong kỳ")
    def get(self, request):
        return super().get(request)

    def compute(self, period, unit, as_of, params):
        """Stored tuples when there are (the worker and the live path keep them current), else
        computed now; ``as_of`` or ``fresh=1`` always compute. ``computed_at`` says which."""
        from django.utils import timezone

        from motcua.index766.database import score_database
        from motcua.index766.periods import parse_period
        from motcua.index766.snapshots import stored_json

        code = parse_period(period).code  # a bad period is a 400 before any lookup
        if not as_of and params.get("fresh") not in ("1", "true", "True"):
            stored = stored_json(code, unit=unit)
            if stored is not None:
                return stored
        report = score_database(period, as_of=as_of, units=[unit] if unit else None)
        if unit and not report.units:
            raise UserError(f"Không có đơn vị mã «{unit}».", f"unknown unit {unit!r}")
        return {**report.to_json(), "computed_at": timezone.localtime().isoformat()}


class ExplainView(IndexView):
    @extend_schema(parameters=[PERIOD, UNIT, AS_OF, FRESH, OpenApiParameter("indicator", str, required=True)],
                   responses=OpenApiTypes.OBJECT, summary="Các hồ sơ, TTHC, PAKN làm mất điểm của một chỉ số")
    def get(self, request):
        return super().get(request)

    def compute(self, period, unit, as_of, params):
        from motcua.index766.database import DEFAULT_SWITCHES
        from motcua.index766.explain import explain

        if not unit or not params.get("indicator"):
            raise UserError("Cần tham số unit và indicator.", "unit and indicator are required")
        facts = _facts(params)
        try:
            records = explain(facts, period, unit, params["indicator"], as_of=as_of,
                              switches=DEFAULT_SWITCHES)
        finally:
            facts.con.disconnect()  # Ibis holds its own database connection
        return {"period": period, "unit": unit, "indicator": params["indicator"],
                "records": [_jsonable(dataclasses.asdict(r)) for r in records]}


class ForecastView(IndexView):
    @extend_schema(parameters=[PERIOD, UNIT, AS_OF, FRESH], responses=OpenApiTypes.OBJECT,
                   summary="Dự báo điểm cuối kỳ và các hồ sơ, PAKN có nguy cơ làm mất điểm")
    def get(self, request):
        return super().get(request)

    def compute(self, period, unit, as_of, params):
        from motcua.index766.database import DEFAULT_SWITCHES
        from motcua.index766.forecast import forecast

        facts = _facts(params)
        try:
            result = forecast(facts, period, as_of=as_of, units=[unit] if unit else None,
                              switches=DEFAULT_SWITCHES)
        finally:
            facts.con.disconnect()
        return _jsonable(result.to_json())
