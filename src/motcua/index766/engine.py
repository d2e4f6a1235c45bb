"""Scoring: facts + period -> ScoreReport (the interchange.md §3 JSON).

One round trip per evaluation: the shared per-record relations are
materialised as temp tables, then every indicator's pooled (unit, numerator,
denominator) is fetched by one UNION ALL (compiled once per formula set and
backend, compiled.py); rounding, targets,
zero-denominator rules, inheritance (1.1–1.3) and the formula set's
cross-indicator rules (3.3 × 1.4, no-PAKN split) are applied in Python on
exact fractions (interchange.md §4 "Rounding").
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from motcua.core.errors import UserError
from motcua.index766.context import Context
from motcua.index766.facts import Facts
from motcua.index766.periods import VN, Period, Window, make_window
from motcua.index766.registry import (
    GROUPS,
    FormulaSet,
    Indicator,
    Zero,
    get_formula_set,
    resolve_switches,
    rule_notes,
)

BANDS = ((90, "Xuất sắc"), (80, "Tốt"), (70, "Khá"), (50, "Trung bình"))
ANCHOR_KINDS = ("TINH", "BO")


def band(total: Decimal | float) -> str:
    for floor, name in BANDS:
        if total >= floor:
            return name
    return "Yếu"


def round_half_up(x: Fraction, places: int) -> Decimal:
    # floor(x * 10^places + 1/2) in integers: Fraction arithmetic costs ~10x more, and a
    # province's 24,000 tuples round two or three times each.
    if not isinstance(x, Fraction):
        x = Fraction(x)
    n, d = x.numerator, x.denominator
    return Decimal((2 * n * 10**places + d) // (2 * d)).scaleb(-places)


def round2_double(x: float) -> Decimal:
    """The portal's round2 (interchange.md §4.1): the double's exact binary value rounded half away
    from zero to 2 decimals, as JavaScript's toFixed(2) does (5.595 is stored as 5.59499… -> 5.59)."""
    if x < 0:
        return -round2_double(-x)
    n, d = x.as_integer_ratio()  # exact: d is a power of two
    return Decimal((200 * n + d) // (2 * d)).scaleb(-2)


def portal_score(max_points: float, target: float | None, ratio: float) -> tuple[Decimal, Decimal]:
    """(ratio %, score) as the portal computes them (interchange.md §4.1, rounding=portal): each
    step in IEEE-754 doubles, left to right, the percentage rounded before it is scored."""
    pct = round2_double(ratio * 100.0)
    p = float(pct)  # the rounded percentage read back as a double, as the portal's next step does
    mx = float(max_points)
    raw = min(mx, mx / float(target) * p / 100.0) if target else mx * p / 100.0
    return pct, round2_double(raw)


def _fraction(x: Any) -> Fraction:
    return x if isinstance(x, Fraction) else Fraction(x)


def _count(x: float) -> Fraction:
    """A fetched count (a float holding an integer, mostly) as an exact Fraction."""
    return Fraction(int(x)) if x == int(x) else Fraction(x)


@functools.lru_cache(maxsize=64)
def _exact(value: float) -> Fraction:
    """A target or maximum as the exact decimal it is written as (0.8 -> 4/5, not the binary float)."""
    return Fraction(str(value))


def _num(x: Fraction | float | None, places: int = 4) -> int | float | None:
    if x is None:
        return None
    f = Fraction(x)
    if f.denominator == 1:
        return int(f)
    return float(round_half_up(f, places))


@dataclass
class IndicatorScore:
    indicator: Indicator
    numerator: Fraction | None
    denominator: Fraction | None
    max_points: float
    target: float | None
    ratio: Fraction | None = None  # exact, as scored
    score: Fraction | None = None  # exact, before rounding
    note: str | None = None
    applicable: bool = True
    #: switch ``rounding``: "portal" (doubles, percentage rounded first) or "exact" (fractions)
    rounding: str = "exact"
    #: rounding=portal: the ratio as the portal holds it (a double) and its rounded percentage
    ratio_double: float | None = None
    ratio_pct: Decimal | None = None
    _rounded: tuple[Fraction, Decimal] | None = field(default=None, repr=False, compare=False)

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def score_rounded(self) -> Decimal | None:
        if self.score is None:
            return None
        if self._rounded is None or self._rounded[0] is not self.score:  # score may be reassigned
            self._rounded = (self.score, round_half_up(self.score, 2))
        return self._rounded[1]

    def rescore(
        self, ratio: Fraction | None = None, *, max_points: float | None = None, ratio_double: float | None = None
    ) -> None:
        """(Re)compute ratio and score from numerator/denominator or a given exact ratio.

        ``ratio_double``: with a given ratio, the double the portal computes for it (3.3's product
        with 1.4's ratio); by default the exact ratio's nearest double (num ÷ den in doubles)."""
        if max_points is not None:
            self.max_points = max_points
        mx = _exact(self.max_points)
        self.ratio_pct = self.ratio_double = None
        if not self.applicable:
            self.ratio = self.score = None
            return
        if ratio is None and not self.denominator:
            self._score_without_records(mx)
            return
        # Each exact result built as one Fraction from integers (a province scores ~24,000 tuples;
        # chained Fraction operations cost several times more).
        if ratio is None:
            num, den = _fraction(self.numerator), _fraction(self.denominator)
            ratio = Fraction(num.numerator * den.denominator, num.denominator * den.numerator)
        self.ratio = ratio
        self.score = self._score_of_ratio(ratio, mx, ratio_double)

    def _score_without_records(self, mx: Fraction) -> None:
        """Score an indicator with an empty denominator as its ``zero`` rule says."""
        ind = self.indicator
        if ind.zero is Zero.NULL:
            self.ratio = self.score = None
        elif ind.zero is Zero.ZERO:
            self.ratio, self.score = Fraction(0), Fraction(0)
        else:
            self.ratio, self.score = Fraction(1), mx
        self.note = self.note or ind.zero_note or None

    def _score_of_ratio(self, r: Fraction, mx: Fraction, ratio_double: float | None) -> Fraction:
        """The exact score of ratio ``r`` out of ``mx`` points (sets the portal's double and percentage)."""
        if self.indicator.ratio_kind == "average":
            return Fraction(0)
        if self.rounding == "portal":
            # A correctly rounded division depends only on the real value: num ÷ den in doubles
            # is the nearest double to the exact ratio.
            self.ratio_double = r.numerator / r.denominator if ratio_double is None else ratio_double
            self.ratio_pct, rounded = portal_score(self.max_points, self.target, self.ratio_double)
            return Fraction(rounded)
        if mx == 0:
            return Fraction(0)
        if self.target:
            t = _exact(self.target)
            n, d = mx.numerator * r.numerator * t.denominator, mx.denominator * r.denominator * t.numerator
            # Clipped at the maximum (compared as integers: Fraction's own comparison is slow).
            return mx if n * mx.denominator >= mx.numerator * d else Fraction(n, d)
        return Fraction(mx.numerator * r.numerator, mx.denominator * r.denominator)

    def to_json(self) -> dict[str, Any]:
        mx = self.max_points
        return {
            "code": self.code,
            "numerator": _num(self.numerator),
            "denominator": _num(self.denominator),
            "ratio": None
            if self.ratio is None
            else (float(round_half_up(self.ratio, 4)) if self.ratio_pct is None else float(self.ratio_pct.scaleb(-2))),
            "score": None if self.score is None else float(self.score_rounded),
            "max": int(mx) if float(mx).is_integer() else mx,
            "target": self.target,
            "note": self.note,
        }


@dataclass
class UnitScore:
    unit: str
    name: str | None
    kind: str | None
    indicators: list[IndicatorScore]
    groups: list[tuple[str, Decimal, float]] = field(default_factory=list)
    total: Decimal = Decimal(0)

    def indicator(self, code: str) -> IndicatorScore:
        for i in self.indicators:
            if i.code == code:
                return i
        raise KeyError(code)

    def group(self, code: str) -> Decimal:
        for c, s, _ in self.groups:
            if c == code:
                return s
        raise KeyError(code)

    @property
    def band(self) -> str:
        return band(self.total)

    def to_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "name": self.name,
            "total": float(self.total),
            "band": self.band,
            "groups": [
                {"code": c, "score": float(s), "max": int(m) if float(m).is_integer() else m} for c, s, m in self.groups
            ],
            "indicators": [i.to_json() for i in self.indicators],
        }


@dataclass
class ScoreReport:
    formula_set: str
    period: Period
    as_of: datetime
    units: list[UnitScore]
    switches: dict[str, str] = field(default_factory=dict)

    def unit(self, code: str) -> UnitScore:
        for u in self.units:
            if u.unit == code:
                return u
        raise KeyError(code)

    def to_json(self) -> dict[str, Any]:
        return {
            "formula_set": self.formula_set,
            "period": {
                "code": self.period.code,
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
            },
            "as_of": self.as_of.astimezone(VN).isoformat(),
            "units": [u.to_json() for u in self.units],
            # Where the rules applied are the portal's and differ from the written decision (§4.1).
            "rules": rule_notes(self.switches),
        }

    def to_rows(self) -> list[dict[str, Any]]:
        """One flat row per unit × indicator (tables, XLSX, CSV comparison with the portal)."""
        rows = []
        for u in self.units:
            for s in u.indicators:
                j = s.to_json()
                rows.append(
                    {
                        "MaDonVi": u.unit,
                        "TenDonVi": u.name,
                        "Ky": self.period.code,
                        "MaChiSo": s.code,
                        "TenChiSo": s.indicator.name,
                        "Nhom": s.indicator.group,
                        "TuSo": j["numerator"],
                        "MauSo": j["denominator"],
                        "TyLe": j["ratio"],
                        "Diem": j["score"],
                        "DiemToiDa": j["max"],
                        "ChiTieu": j["target"],
                        "GhiChu": j["note"],
                        "TongDiem": float(u.total),
                        "XepLoai": u.band,
                    }
                )
        return rows

    def dumps(self, **kw: Any) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, **kw)


# --------------------------------------------------------------------------- evaluation


def collect_counts(
    facts: Facts, window: Window, fs: FormulaSet, switches: dict[str, str], judge_at: Any = None
) -> dict[tuple[str, str], tuple[float, float]]:
    """{(indicator code, unit): (numerator, denominator)}, pooled, in one round trip."""
    from motcua.index766.compiled import compiled_score

    if facts.backend_name in WITHOUT_TEMP_TABLES:
        return _collect_counts_directly(facts, window, fs, switches, judge_at)
    rows = compiled_score(facts, window, fs, switches).run(facts, window, judge_at)
    out: dict[tuple[str, str], tuple[float, float]] = {}
    for code, unit, num, den in rows:
        out[(code, unit)] = (float(num or 0), float(den or 0))
    return out


#: Ibis backends that cannot create temporary tables (the compiled templates need them).
WITHOUT_TEMP_TABLES = frozenset({"pyspark"})


def _collect_counts_directly(
    facts: Facts, window: Window, fs: FormulaSet, switches: dict[str, str], judge_at: Any = None
) -> dict[tuple[str, str], tuple[float, float]]:
    """The same definitions as plain Ibis expressions, one query per indicator (e.g. Spark)."""
    ctx = Context(facts, window, switches, judge_at=judge_at, materialize=False)
    out: dict[tuple[str, str], tuple[float, float]] = {}
    try:
        for ind in fs.indicators:
            frame = facts.con.execute(ind.pooled(ctx).select("unit", "num", "den"))
            for unit, num, den in frame.itertuples(index=False):
                out[(ind.code, unit)] = (float(num or 0), float(den or 0))
    finally:
        ctx.close()
    return out


def fetch_all(con: Any, sql: str) -> list[tuple]:
    """Run SQL text on any Ibis SQL backend and return its rows.

    Not ``con.sql(...)``: on DuckDB 2.0 Ibis 12's schema probe calls a removed method.
    """
    cur = con.raw_sql(sql)
    try:
        return cur.fetchall()
    finally:
        close = getattr(cur, "close", None)
        if close is not None and con.name != "duckdb":  # DuckDB returns the connection itself
            close()


def _units(facts: Facts) -> list[dict[str, Any]]:
    t = facts.units.select("MaDonVi", "TenDonVi", "MaDonViCha", "LoaiDonVi")
    rows = facts.con.execute(t).to_dict("records")
    # pandas gives NaN for SQL NULL in object columns: normalise to None.
    return [{k: (None if v is None or v != v else v) for k, v in r.items()} for r in rows]


def _ordered(units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Depth-first from the roots, children by code: parents before their units."""
    by_code = {u["MaDonVi"]: u for u in units}
    children: dict[str | None, list[str]] = {}
    for u in units:
        parent = u["MaDonViCha"] if u["MaDonViCha"] in by_code else None
        children.setdefault(parent, []).append(u["MaDonVi"])
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    stack = sorted(children.get(None, []), reverse=True)
    while stack:
        code = stack.pop()
        if code in seen:
            continue
        seen.add(code)
        out.append(by_code[code])
        stack.extend(sorted(children.get(code, []), reverse=True))
    out.extend(u for u in units if u["MaDonVi"] not in seen)  # cycles: keep, unordered
    return out


def _anchors(units: list[dict[str, Any]]) -> dict[str, str]:
    """Unit -> the province/ministry whose 1.1–1.3 it inherits (itself if none above)."""
    by_code = {u["MaDonVi"]: u for u in units}
    out: dict[str, str] = {}
    for u in units:
        cur, seen, top = u, set(), u["MaDonVi"]
        while cur is not None and cur["MaDonVi"] not in seen:
            seen.add(cur["MaDonVi"])
            if (cur["LoaiDonVi"] or "").upper() in ANCHOR_KINDS:
                top = cur["MaDonVi"]
                break
            top = cur["MaDonVi"]
            cur = by_code.get(cur["MaDonViCha"])
        out[u["MaDonVi"]] = top
    return out


def _target(ind: Indicator, fs: FormulaSet, switches: dict[str, str]) -> float | None:
    switch = getattr(fs, "target_switches", {}).get(ind.code)
    if switch:
        value = switches[switch]
        return None if value == "none" else float(value)
    return ind.target


def evaluate(
    facts: Facts,
    window: Window,
    fs: FormulaSet,
    switches: dict[str, str],
    *,
    judge_at: datetime | None = None,
    units: Iterable[str] | None = None,
) -> list[UnitScore]:
    counts = collect_counts(facts, window, fs, switches, judge_at)
    return score_units(counts, _units(facts), fs, switches, units=units)


@contextlib.contextmanager
def _collector_paused():
    """The cyclic garbage collector off while ~24,000 acyclic score objects are made: its passes
    over the process's large heap (Ibis expressions, frames) otherwise double the time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@_collector_paused()
def score_units(
    counts: dict[tuple[str, str], tuple[float, float]],
    unit_rows: list[dict[str, Any]],
    fs: FormulaSet,
    switches: dict[str, str],
    *,
    units: Iterable[str] | None = None,
) -> list[UnitScore]:
    """Scores from pooled counts {(indicator, unit): (num, den)} (collect_counts, or live.py)."""
    all_units = _ordered(unit_rows)
    wanted = set(units) if units is not None else None
    if wanted is not None:
        unknown = wanted - {u["MaDonVi"] for u in all_units}
        if unknown:
            raise UserError(
                f"Không có đơn vị {', '.join(sorted(unknown))} trong dữ liệu.",
                f"unknown unit(s): {', '.join(sorted(unknown))}",
            )
    anchors = _anchors(all_units)
    rounding = switches.get("rounding", "exact")
    out: list[UnitScore] = []
    for u in all_units:
        code = u["MaDonVi"]
        if wanted is not None and code not in wanted:
            continue
        kind = (u["LoaiDonVi"] or "").upper()
        scores: list[IndicatorScore] = []
        for ind in fs.indicators:
            source = anchors[code] if ind.inherited else code
            num, den = counts.get((ind.code, source), (0.0, 0.0))
            s = IndicatorScore(
                ind,
                Fraction(round(num), ind.num_scale) if ind.num_scale != 1 else _count(num),
                _count(den),
                ind.max_points,
                _target(ind, fs, switches),
                applicable=kind in ind.scope or not kind,
                rounding=rounding,
            )
            if not s.applicable:
                s.note = "Không áp dụng cho loại đơn vị này."
            elif ind.anchored is not None and anchors[code] != code and ind.anchored(switches):
                # Scored at the province only (§4.1): 0 here, not a point this unit lost.
                s.numerator = s.denominator = None
                s.score = Fraction(0)
                s.note = f"Chỉ tính cho cấp tỉnh ({anchors[code]}), như Cổng DVCQG: không tính cho đơn vị này."
                scores.append(s)
                continue
            elif ind.inherited and source != code:
                s.note = f"Lấy theo {source}."
            s.rescore()
            scores.append(s)
        unit_score = UnitScore(code, u["TenDonVi"], kind, scores)
        finalize = getattr(fs, "finalize", None)
        if finalize:
            finalize(unit_score, switches)
        _sum_groups(unit_score)
        out.append(unit_score)
    return out


def _sum_groups(us: UnitScore) -> None:
    groups: dict[str, list[IndicatorScore]] = {}
    for s in us.indicators:
        groups.setdefault(s.indicator.group, []).append(s)
    us.groups = []
    for g in GROUPS:
        if g not in groups:
            continue
        total = sum((s.score_rounded or Decimal(0) for s in groups[g]), Decimal(0))
        us.groups.append((g, total.quantize(Decimal("0.01")), GROUPS[g][1]))
    us.total = sum((s for _, s, _ in us.groups), Decimal(0)).quantize(Decimal("0.01"))


def score(
    facts: Facts,
    period: str | Period,
    *,
    as_of: str | datetime | None = None,
    now: datetime | None = None,
    units: Iterable[str] | None = None,
    formula_set: str = "portal-2026",
    switches: dict[str, Any] | None = None,
) -> ScoreReport:
    """Score every unit (or ``units``) for ``period`` as of T = min(period end, as_of, now)."""
    fs = get_formula_set(formula_set)
    sw = resolve_switches(switches)
    window = make_window(period, as_of=as_of, now=now)
    unit_scores = evaluate(facts, window, fs, sw, units=units)
    return ScoreReport(fs.name, window.period, window.t, unit_scores, sw)


__all__ = ["ScoreReport", "UnitScore", "IndicatorScore", "score", "evaluate", "score_units", "band"]
