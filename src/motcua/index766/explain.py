"""Explanations: which records cost a unit points on an indicator, and how many.

Uses the very ``records`` relation the score is computed from (registry.py),
restricted to the unit's subtree, so an explanation can never disagree with
the score. A record in the denominator but not in the numerator is "missing";
what it is worth is what the unit would gain if it alone turned ok:

    worth = score(num + 1, den) - score(num, den)   (0 once a target is reached)

Exchange sets carry no processing steps or officials (``step`` and ``official``
are None); a source may provide them as a relation
``dossier_responsibility(MaHoSo, step, official)`` or, like the application
database (``database_facts``), as ``facts.meta["responsibility"]``: a function
from dossier codes to (step, official) — responsibility.responsible_for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

import ibis
import pandas as pd

from motcua.core.errors import UserError
from motcua.index766.context import Context
from motcua.index766.engine import IndicatorScore, round_half_up
from motcua.index766.facts import Facts
from motcua.index766.periods import Period, Window, make_window
from motcua.index766.registry import Indicator, get_formula_set, resolve_switches

RECORD_LABELS = {
    "dossier": "MaHoSo",
    "procedure": "MaTTHC",
    "service": "MaDVC",
    "complaint": "MaPAKN",
    "unit": "MaDonVi",
}


def _subtree(ctx: Context, unit: str) -> ibis.Table:
    t = ctx.facts.unit_tree
    return t.filter(t.ancestor == unit).select(sub=t.descendant)


def indicator_records(
    facts: Facts,
    period: str | Period | Window,
    code: str,
    *,
    unit: str | None = None,
    as_of: str | datetime | None = None,
    now: datetime | None = None,
    formula_set: str = "portal-2026",
    switches: dict[str, Any] | None = None,
    judge_at: datetime | None = None,
) -> pd.DataFrame:
    """The records behind an indicator: columns unit, record, ok (one row per unit × record)."""
    fs = get_formula_set(formula_set)
    ind = fs.get(code)
    if ind.records is None:
        raise UserError(f"Chỉ số {code} không tính theo từng bản ghi.", f"indicator {code} has no record list")
    window = period if isinstance(period, Window) else make_window(period, as_of=as_of, now=now)
    ctx = Context(facts, window, resolve_switches(switches), judge_at=judge_at)
    try:
        rec = ind.records(ctx)
        cols = ["unit", "record", "ok", *(["in_den"] if "in_den" in rec.columns else [])]
        if unit is not None:
            sub = _subtree(ctx, unit)
            rec = rec.join(sub, rec.unit == sub.sub).select(*cols)
        df = facts.con.execute(rec.select(*cols).order_by(["unit", "record"]))
    finally:
        ctx.close()
    df["ok"] = df["ok"].astype(bool)
    if "in_den" in df.columns:  # distinct records with evidence rows (registry: in_den)
        df["in_den"] = df["in_den"].astype(bool)
    return df


@dataclass
class MissingRecord:
    record: str
    record_kind: str
    unit: str
    points: float  # what this record alone would add to the unit's score
    step: str | None = None
    official: str | None = None


def _worth(
    ind: Indicator, num: int, den: int, max_points: float, target: float | None, rounding: str = "exact"
) -> Fraction:
    if den == 0:
        return Fraction(0)
    a = IndicatorScore(ind, Fraction(num), Fraction(den), max_points, target, rounding=rounding)
    b = IndicatorScore(ind, Fraction(num + 1), Fraction(den), max_points, target, rounding=rounding)
    a.rescore()
    b.rescore()
    return Fraction(b.score or 0) - Fraction(a.score or 0)


def explain(
    facts: Facts,
    period: str | Period,
    unit: str,
    code: str,
    *,
    as_of: str | datetime | None = None,
    now: datetime | None = None,
    formula_set: str = "portal-2026",
    switches: dict[str, Any] | None = None,
) -> list[MissingRecord]:
    """Records of ``unit``'s subtree in the denominator of ``code`` but not its numerator.

    1.1–1.3 explain the province's (or ministry's) records, which the unit inherits.
    The worth uses the unit's scored numerator and denominator (for 1.4 the reference
    denominator); for 3.3 it ignores the 1.4 factor.
    """
    from motcua.index766.engine import _anchors, _units

    fs = get_formula_set(formula_set)
    ind = fs.get(code)
    sw = resolve_switches(switches)
    window = make_window(period, as_of=as_of, now=now)
    if ind.inherited:
        unit = _anchors(_units(facts)).get(unit, unit)
    df = indicator_records(facts, window, code, unit=unit, formula_set=formula_set, switches=sw)
    if ind.distinct and "in_den" in df.columns:
        # A code counts where one of the subtree's rows has in_den, in the numerator if one is ok.
        ok = df.groupby("record")["ok"].any()
        counted = df.groupby("record")["in_den"].any()
        counted = counted[counted]
        missing_codes = set(counted.index) - set(ok[ok].index)
        num, den = len(counted) - len(missing_codes), len(counted)
        df = df[df["record"].isin(missing_codes) & df["in_den"]].drop_duplicates("record")
    elif ind.distinct:
        # A parent counts each code once: ok per code by the indicator's combine rule.
        agg = df.groupby("record")["ok"].agg("any" if ind.combine == "any" else "all")
        missing_codes = set(agg[~agg].index)
        num, den = int(agg.sum()), len(agg)
        df = df[df["record"].isin(missing_codes) & ~df["ok"]].drop_duplicates("record")
    else:
        num, den = int(df["ok"].sum()), len(df)
        df = df[~df["ok"]]
    if ind.counts is not None:  # e.g. 1.4: the scored denominator is not the record count
        ctx = Context(facts, window, sw)
        try:
            pooled = ind.pooled(ctx)
            rows = facts.con.execute(pooled.filter(pooled.unit == unit))
        finally:
            ctx.close()
        if len(rows):
            num, den = int(rows["num"].iloc[0]), int(rows["den"].iloc[0])
    target = ind.target
    ts = fs.target_switches.get(code)
    if ts:
        target = None if sw[ts] == "none" else float(sw[ts])
    worth = float(round_half_up(_worth(ind, num, den, ind.max_points, target, sw["rounding"]), 4))
    kind = ind.kind(sw)
    who: dict[str, tuple[Any, Any]] = {}
    if kind == "dossier" and len(df) and facts.has("dossier_responsibility"):
        r = facts.table("dossier_responsibility")
        rows = facts.con.execute(r.filter(r.MaHoSo.isin(list(df["record"]))))
        who = {k: (s, o) for k, s, o in rows[["MaHoSo", "step", "official"]].itertuples(index=False)}
    elif kind == "dossier" and len(df) and callable(facts.meta.get("responsibility")):
        # The application database: steps and officials from the dossier event log.
        who = facts.meta["responsibility"](list(df["record"]))
    return [
        MissingRecord(
            record=r,
            record_kind=RECORD_LABELS.get(kind, kind),
            unit=u,
            points=worth,
            step=who.get(r, (None, None))[0],
            official=who.get(r, (None, None))[1],
        )
        for u, r in df[["unit", "record"]].itertuples(index=False, name=None)
    ]
