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
    @extend_schema(parameters=[PERIOD, UNIT, AS_OF], responses=OpenApiTypes.OBJECT,
                   summary="Điểm Bộ chỉ số 766 của mọi đơn vị (hoặc một đơn vị) trong kỳ")
    def get(self, request):
        return super().get(request)

    def compute(self, period, unit, as_of, params):
        from motcua.index766.database import score_database

        report = score_database(period, as_of=as_of, units=[unit] if unit else None)
        if unit and not report.units:
            raise UserError(f"Không có đơn vị mã «{unit}».", f"unknown unit {unit!r}")
        return report.to_json()


class ExplainView(IndexView):
    @extend_schema(parameters=[PERIOD, UNIT, AS_OF, OpenApiParameter("indicator", str, required=True)],
                   responses=OpenApiTypes.OBJECT, summary="Các hồ sơ, TTHC, PAKN làm mất điểm của một chỉ số")
    def get(self, request):
        return super().get(request)

    def compute(self, period, unit, as_of, params):
        from motcua.index766.database import (
            DEFAULT_SWITCHES,
            database_facts,
            refresh_database_facts,
        )
        from motcua.index766.explain import explain

        if not unit or not params.get("indicator"):
            raise UserError("Cần tham số unit và indicator.", "unit and indicator are required")
        refresh_database_facts()
        facts = database_facts()
        try:
            records = explain(facts, period, unit, params["indicator"], as_of=as_of,
                              switches=DEFAULT_SWITCHES)
        finally:
            facts.con.disconnect()  # Ibis holds its own database connection
        return {"period": period, "unit": unit, "indicator": params["indicator"],
                "records": [_jsonable(dataclasses.asdict(r)) for r in records]}


class ForecastView(IndexView):
    @extend_schema(parameters=[PERIOD, UNIT, AS_OF], responses=OpenApiTypes.OBJECT,
                   summary="Dự báo điểm cuối kỳ và các hồ sơ, PAKN có nguy cơ làm mất điểm")
    def get(self, request):
        return super().get(request)

    def compute(self, period, unit, as_of, params):
        from motcua.index766.database import (
            DEFAULT_SWITCHES,
            database_facts,
            refresh_database_facts,
        )
        from motcua.index766.forecast import forecast

        refresh_database_facts()
        facts = database_facts()
        try:
            result = forecast(facts, period, as_of=as_of, units=[unit] if unit else None,
                              switches=DEFAULT_SWITCHES)
        finally:
            facts.con.disconnect()
        return _jsonable(result.to_json())
