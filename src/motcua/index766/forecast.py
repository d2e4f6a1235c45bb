"""Forecast: the score at period end if nothing else happens, and the points at risk.

"Nothing else happens" = no event after T: open dossiers and complaints stay
open and are judged at the period end instead of T (context.Context.judge_at),
so those whose deadline falls before the period end become late; unpublished
procedures whose publication deadline passes become late (1.2). Bases do not
change (nothing new is received).

Items at risk are the records in time at T and late at period end, each worth
what it alone would add back to its unit's forecast score, summed over the
indicators it affects (a dossier counts in 2.1 and 5.4), ordered by points,
then by the working hours left before its deadline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pandas as pd

from motcua.index766 import derive
from motcua.index766.context import Context
from motcua.index766.engine import IndicatorScore, ScoreReport, UnitScore, evaluate, round_half_up
from motcua.index766.explain import _worth
from motcua.index766.facts import Facts
from motcua.index766.periods import Period, from_utc_naive, make_window
from motcua.index766.registry import FormulaSet, Indicator, get_formula_set, resolve_switches

#: indicators whose records can turn late with time alone
TIME_SENSITIVE = ("1.2", "2.1", "5.2", "5.3", "5.4")


@dataclass
class RiskItem:
    unit: str  # the unit whose score is at stake
    record_kind: str
    record: str
    indicators: list[str]
    points: float
    deadline: datetime | None  # Asia/Ho_Chi_Minh
    working_hours_left: float | None


@dataclass
class Forecast:
    now: ScoreReport
    at_period_end: ScoreReport
    items: list[RiskItem] = field(default_factory=list)

    def points_at_risk(self, unit: str) -> Decimal:
        return self.now.unit(unit).total - self.at_period_end.unit(unit).total

    def to_json(self) -> dict[str, Any]:
        return {
            "period": self.now.period.code,
            "as_of": self.now.as_of.isoformat(),
            "units": [
                {
                    "unit": u.unit,
                    "total_now": float(u.total),
                    "total_at_period_end": float(self.at_period_end.unit(u.unit).total),
                    "points_at_risk": float(self.points_at_risk(u.unit)),
                }
                for u in self.now.units
            ],
            "items": [
                {
                    "unit": i.unit,
                    "record_kind": i.record_kind,
                    "record": i.record,
                    "indicators": i.indicators,
                    "points": i.points,
                    "deadline": i.deadline.isoformat() if i.deadline else None,
                    "working_hours_left": i.working_hours_left,
                }
                for i in self.items
            ],
        }


def _deadlines(ctx: Context, kind: str, codes: list[str]) -> dict[str, Any]:
    if not codes:
        return {}
    if kind == "MaHoSo":
        f = ctx.dossier_flags()
        t = f.filter(f.MaHoSo.isin(codes)).select(k=f.MaHoSo, d=f.due_effective)
    elif kind == "MaPAKN":
        c = ctx.complaint_flags()
        t = c.filter(c.MaPAKN.isin(codes)).select(k=c.MaPAKN, d=c.publish_due.fill_null(c.handle_due))
    else:
        p = ctx.facts.publication_items
        p = p.filter(p.MaTTHC.isin(codes) & p.NgayCongKhai.isnull())
        t = p.group_by(k=p.MaTTHC).agg(d=p.publish_deadline.min())
    df = ctx.facts.con.execute(t)
    return {k: (None if pd.isna(d) else pd.Timestamp(d).to_pydatetime()) for k, d in df.itertuples(index=False)}


#: (scored unit, record) -> [kind, indicators, points]
_AtRisk = dict[tuple[str, str], list[Any]]


def _flips(ind: Indicator, now_ctx: Context, end_ctx: Context) -> Any:
    """The (unit, record) of ``ind`` in time at T and late at period end, as an ibis table."""
    # Flips computed in SQL (records in time at T, late at period end): only they are fetched.
    a = ind.record_rows(now_ctx)
    b = ind.record_rows(end_ctx).rename(unit_b="unit", record_b="record", ok_b="ok")
    j = a.join(b, (a.unit == b.unit_b) & (a.record == b.record_b))
    return j.filter(j.ok & ~j.ok_b).select("unit", "record")


def _flip_rows(facts: Facts, flips: Any, target_unit: str | None) -> list[tuple[str, str]]:
    """Fetch the flips' (unit, record) rows, only those under ``target_unit`` when one is given."""
    f = flips
    if target_unit is not None:
        t = facts.unit_tree
        sub = t.filter(t.ancestor == target_unit).select(sub=t.descendant)
        f = f.join(sub, f.unit == sub.sub).select("unit", "record")
    df = facts.con.execute(f)
    return list(df[["unit", "record"]].itertuples(index=False, name=None))


def _charge(acc: _AtRisk, ind: Indicator, score: IndicatorScore, owner: str, record: str) -> None:
    """Add to ``acc`` what ``record`` alone would add back to ``owner``'s score on ``ind``."""
    if not score.denominator or score.numerator is None:
        return
    worth = _worth(ind, int(score.numerator), int(score.denominator), score.max_points, score.target, score.rounding)
    entry = acc.setdefault((owner, record), [ind.record_kind, [], Fraction(0)])
    if ind.code not in entry[1]:
        entry[1].append(ind.code)
        entry[2] += worth


def _at_risk(
    facts: Facts,
    fs: FormulaSet,
    scored: dict[str, UnitScore],
    units: list[str] | None,
    now_ctx: Context,
    end_ctx: Context,
) -> _AtRisk:
    """The records that turn late by period end, with the indicators and points each costs."""
    acc: _AtRisk = {}
    for code in TIME_SENSITIVE:
        ind = fs.get(code)
        flips = _flips(ind, now_ctx, end_ctx)
        targets = list(scored) if units is not None else [None]
        for target_unit in targets:
            for rec_unit, record in _flip_rows(facts, flips, target_unit):
                owner = target_unit or rec_unit
                if owner in scored:
                    _charge(acc, ind, scored[owner].indicator(code), owner, record)
    return acc


def _risk_deadlines(ctx: Context, acc: _AtRisk) -> dict[Any, Any]:
    """The deadline of each record at risk, keyed by (record kind, record)."""
    kinds = {"dossier": "MaHoSo", "complaint": "MaPAKN", "procedure": "MaTTHC"}
    deadlines: dict[Any, Any] = {}
    for kind, label in kinds.items():
        codes = sorted({r for (_, r), e in acc.items() if e[0] == kind})
        deadlines.update({(kind, k): v for k, v in _deadlines(ctx, label, codes).items()})
    return deadlines


def _risk_items(acc: _AtRisk, deadlines: dict[Any, Any], cal: Any, t: datetime) -> list[RiskItem]:
    """The items at risk, by points then by the working hours left before the deadline."""
    items = []
    for (owner, record), (kind, codes, pts) in acc.items():
        d = deadlines.get((kind, record))
        aware = from_utc_naive(d) if d is not None else None
        left = None
        if aware is not None:
            left = round(float(cal.working_hours_between(t, aware)), 2)
        items.append(RiskItem(owner, kind, record, codes, float(round_half_up(pts, 4)), aware, left))
    items.sort(key=lambda i: (-i.points, i.working_hours_left if i.working_hours_left is not None else 1e18, i.record))
    return items


def forecast(
    facts: Facts,
    period: str | Period,
    *,
    as_of: str | datetime | None = None,
    now: datetime | None = None,
    units: list[str] | None = None,
    formula_set: str = "portal-2026",
    switches: dict[str, Any] | None = None,
    calendar: Any | None = None,
) -> Forecast:
    fs = get_formula_set(formula_set)
    sw = resolve_switches(switches)
    window = make_window(period, as_of=as_of, now=now)
    end_utc = window.end_utc
    now_units = evaluate(facts, window, fs, sw, units=units)
    end_units = evaluate(facts, window, fs, sw, units=units, judge_at=end_utc)
    now_report = ScoreReport(fs.name, window.period, window.t, now_units, sw)
    end_report = ScoreReport(fs.name, window.period, window.t, end_units, sw)
    scored: dict[str, UnitScore] = {u.unit: u for u in end_units}

    cal = calendar or derive.official_calendar()
    now_ctx = Context(facts, window, sw)
    end_ctx = Context(facts, window, sw, judge_at=end_utc)
    try:
        acc = _at_risk(facts, fs, scored, units, now_ctx, end_ctx)
        deadlines = _risk_deadlines(now_ctx, acc)
    finally:
        now_ctx.close()
        end_ctx.close()
    return Forecast(now_report, end_report, _risk_items(acc, deadlines, cal, window.t))
