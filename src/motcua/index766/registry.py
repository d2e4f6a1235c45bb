"""Indicator registry: named, versioned formula sets of indicators declared once.

An indicator says what it is (code, Vietnamese name, group, points, target,
scope, zero-denominator rule) and how to count: ``records(ctx)`` returns an
Ibis table with one row per record in the denominator —

    unit    the responsible unit (MaDonVi)
    record  the record's code (MaHoSo, MaTTHC, MaDVC, MaPAKN, MaDonVi)
    ok      boolean: the record is in the numerator

— pooled over each unit's subtree through ``unit_tree``. ``distinct=True``
marks records that may repeat across units (procedures): a parent counts each
code once, in the numerator if ``combine`` ("any" / "all") of its rows are ok.
Distinct records may carry a boolean ``in_den``: rows with it false are only
evidence for the numerator (3.2 by procedure: an online dossier anywhere in the
subtree), so a unit counts a code in its denominator if one of its subtree's
rows has in_den, and in its numerator if it is also ok in some row.
The same relation feeds explanations (records with ok = false).

An indicator with a non-record definition (1.4's reference denominator, 2.2's
average) supplies ``counts(ctx)`` returning (unit, num, den) already pooled.

A new formula set is a new module registering a new ``FormulaSet``; it never
edits another.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import ibis
import ibis.expr.types as ir

GROUPS: dict[str, tuple[str, float]] = {
    "CKMB": ("Công khai, minh bạch", 18),
    "TDGQ": ("Tiến độ giải quyết", 20),
    "CLGQ": ("Dịch vụ công trực tuyến", 12),
    "TTTT": ("Thanh toán trực tuyến", 10),
    "MDHL": ("Mức độ hài lòng", 18),
    "MDSH": ("Số hóa hồ sơ", 22),
}

ALL_KINDS = frozenset({"BO", "TINH", "SO", "HUYEN", "XA"})


class Zero(Enum):
    """What a zero denominator gives (interchange.md §4)."""

    NULL = "null"  # ratio and score null (adds 0)
    ZERO = "zero"  # ratio 0, score 0
    FULL = "full"  # ratio 1, full points


#: Named switches for uncertain rules (interchange.md §4 and §4.1): name -> (allowed values,
#: default). §4.1's switches default to the portal's observed rule; their other value is §4's.
SWITCHES: dict[str, tuple[tuple[str, ...], str]] = {
    "result_scope": (("all", "paper_only"), "all"),
    "digitized_target_4_2": (("none", "0.8"), "none"),
    "sync_denominator": (("synced", "reference", "own_received"), "synced"),
    "no_pakn_rule": (("full_5_2_5_3", "split_5_2_5_4"), "full_5_2_5_3"),
    "pakn_judged_at": (("period_end", "as_of"), "period_end"),
    "catalogue_at": (("t", "period"), "t"),
    "service_key": (("mattthc", "madvc"), "mattthc"),
    "procedure_lists": (("portal", "competence"), "portal"),
    "rounding": (("portal", "exact"), "portal"),
}


#: What each reading of §4.1's six switches means, said to officials (Vietnamese): switch -> value
#: -> (indicators it changes, text). The first value of each switch is the portal's rule, which
#: differs from the written decision (QĐ 766 and its guidance); the others are written readings.
#: Shown with every score (JSON "rules", the XLSX sheet "Quy tắc", the scoreboard pages) so that
#: an official comparing with the decision is not surprised.
RULE_NOTES: dict[str, dict[str, tuple[tuple[str, ...], str]]] = {
    "procedure_lists": {
        "portal": (
            ("1.3", "3.1", "3.5", "3.5b"),
            "Chỉ số 1.3 và 3.1 tính trên các TTHC trong quyết định công bố của tỉnh (3.1 chỉ tính cho cấp "
            "tỉnh, đơn vị trực thuộc không bị trừ điểm); 3.5 và 3.5b tính trên các TTHC có phí, lệ phí đã "
            "phát sinh hồ sơ trong kỳ, như Cổng DVCQG.",
        ),
        "competence": (
            ("1.3", "3.1", "3.5", "3.5b"),
            "Chỉ số 1.3, 3.1, 3.5 và 3.5b tính trên mọi TTHC thuộc thẩm quyền của đơn vị, theo văn bản; "
            "khác cách tính của Cổng DVCQG.",
        ),
    },
    "service_key": {
        "mattthc": (
            ("3.2",),
            "Chỉ số 3.2 đếm số TTHC có dịch vụ công trực tuyến (không đếm từng dịch vụ của từng đơn vị), "
            "có hồ sơ trực tuyến ở bất kỳ đơn vị nào trong phạm vi, như Cổng DVCQG.",
        ),
        "madvc": (
            ("3.2",),
            "Chỉ số 3.2 đếm từng dịch vụ công trực tuyến của từng đơn vị, theo văn bản; khác cách tính của Cổng DVCQG.",
        ),
    },
    "catalogue_at": {
        "t": (
            ("3.1", "3.2"),
            "Danh mục dịch vụ công trực tuyến được lấy tại ngày đánh giá, kỳ đã kết thúc giữ danh mục của kỳ "
            "đó, như Cổng DVCQG.",
        ),
        "period": (
            ("3.1", "3.2"),
            "Danh mục dịch vụ công trực tuyến gồm mọi dịch vụ có hiệu lực vào lúc nào đó trong kỳ, theo "
            "văn bản; khác cách tính của Cổng DVCQG.",
        ),
    },
    "pakn_judged_at": {
        "period_end": (
            ("5.2", "5.3"),
            "PAKN chưa xử lý xong được tính theo hạn cuối kỳ, như Cổng DVCQG: bước chưa làm mà hạn rơi "
            "trước ngày cuối kỳ bị tính là trễ hạn ngay.",
        ),
        "as_of": (
            ("5.2", "5.3"),
            "PAKN chưa xử lý xong chỉ bị tính trễ hạn khi đã quá hạn tại thời điểm đánh giá, theo văn bản; "
            "khác cách tính của Cổng DVCQG.",
        ),
    },
    "sync_denominator": {
        "synced": (
            ("1.4", "3.3"),
            "Chỉ số 1.4: khi chưa có số liệu của Hệ thống báo cáo quốc gia hay Cổng DVCQG, mẫu số tạm bằng "
            "số hồ sơ đã đồng bộ (không có hồ sơ nào: không tính điểm), như Cổng DVCQG.",
        ),
        "reference": (
            ("1.4", "3.3"),
            "Chỉ số 1.4: khi chưa có số liệu tham chiếu, mẫu số là số hồ sơ tiếp nhận trong kỳ, theo "
            "văn bản; khác cách tính của Cổng DVCQG.",
        ),
        "own_received": (
            ("1.4", "3.3"),
            "Chỉ số 1.4: mẫu số là số hồ sơ tiếp nhận trong kỳ của hệ thống, theo văn bản; khác cách "
            "tính của Cổng DVCQG.",
        ),
    },
    "rounding": {
        "portal": (
            (),
            "Tỷ lệ phần trăm được làm tròn đến 2 chữ số thập phân trước khi tính điểm, bằng số thực dấu "
            "phẩy động, như Cổng DVCQG; điểm nhóm và tổng điểm là tổng các điểm đã làm tròn.",
        ),
        "exact": (
            (),
            "Điểm tính từ tỷ lệ chưa làm tròn và làm tròn nửa lên đến 2 chữ số thập phân, theo văn bản; có "
            "thể lệch 0,01 điểm so với Cổng DVCQG.",
        ),
    },
}


def rule_notes(switches: dict[str, str] | None = None, *, indicator: str | None = None) -> list[dict[str, Any]]:
    """The note of each §4.1 switch under ``switches`` (defaults for those not given), or only the
    ones that change ``indicator`` (the rounding note concerns every indicator):
    ``{"switch", "value", "portal" (the portal's rule, not the written one), "indicators", "text"}``."""
    out = []
    for name, readings in RULE_NOTES.items():
        allowed, default = SWITCHES[name]
        value = (switches or {}).get(name, default)
        indicators, text = readings[value]
        if indicator is not None and indicators and indicator not in indicators:
            continue
        out.append(
            {
                "switch": name,
                "value": value,
                "portal": value == allowed[0],
                "indicators": list(indicators),
                "text": text,
            }
        )
    return out


def resolve_switches(given: dict[str, Any] | None) -> dict[str, str]:
    from motcua.core.errors import UserError

    out = {k: default for k, (_, default) in SWITCHES.items()}
    for k, v in (given or {}).items():
        if k not in SWITCHES:
            raise UserError(f"Không có tùy chọn công thức {k!r}.", f"unknown switch {k!r}")
        allowed = SWITCHES[k][0]
        if str(v) not in allowed:
            raise UserError(
                f"Giá trị {v!r} không hợp lệ cho {k} (cho phép: {', '.join(allowed)}).",
                f"invalid value {v!r} for switch {k}; allowed: {', '.join(allowed)}",
            )
        out[k] = str(v)
    return out


RecordsFn = Callable[[Any], ir.Table]
CountsFn = Callable[[Any], ir.Table]


@dataclass(frozen=True)
class DossierRule:
    """The records of a dossier-counting indicator, declared as data: the period's dossiers whose
    flag ``base`` is set (Context.dossier_flags), narrowed by ``only`` (given the context; None
    keeps all), in the numerator where ``ok``. Called with a context it gives the records, like
    any ``records`` function; declared so, the per-unit counts of all such indicators are taken
    in one pass over the flags (``rule_counts``)."""

    base: str
    ok: Callable[[ir.Table], ir.BooleanValue]
    only: Callable[[Any, ir.Table], ir.BooleanValue | None] | None = None

    def _narrowed(self, ctx: Any) -> tuple[ir.Table, ir.BooleanValue]:
        f = ctx.dossier_flags()
        cond = f[self.base]
        extra = self.only(ctx, f) if self.only is not None else None
        return f, cond if extra is None else cond & extra

    def __call__(self, ctx: Any) -> ir.Table:
        f, cond = self._narrowed(ctx)
        f = f.filter(cond)
        return f.select(unit=f.MaDonVi, record=f.MaHoSo, ok=self.ok(f).fill_null(False))


def rule_indicators(fs: FormulaSet) -> dict[str, DossierRule]:
    """The formula set's indicators whose records are a DossierRule and whose counts are the
    plain per-record sums (code -> rule): the ones ``rule_counts`` takes together."""
    return {
        ind.code: ind.records
        for ind in fs.indicators
        if isinstance(ind.records, DossierRule) and ind.counts is None and not ind.distinct
    }


def pooled_parts(ctx: Any, fs: FormulaSet) -> list[tuple[str, ir.Table]]:
    """(code, pooled (unit, num, den)) of every indicator; the rule indicators from one pass."""
    rules = rule_indicators(fs)
    own = rule_counts(ctx, rules) if rules else {}
    return [(ind.code, pool_sums(ctx, own[ind.code]) if ind.code in own else ind.pooled(ctx)) for ind in fs.indicators]


def rule_counts(ctx: Any, rules: dict[str, DossierRule]) -> dict[str, ir.Table]:
    """Each rule's own (unit, record, num, den) per unit — what ``Indicator.own`` gives — from one
    aggregate over the dossier flags (one scan instead of one per indicator)."""
    f = ctx.dossier_flags()
    aggs = {}
    for i, rule in enumerate(rules.values()):
        _, cond = rule._narrowed(ctx)
        cond = cond.fill_null(False)
        aggs[f"den{i}"] = ibis.ifelse(cond, 1, 0).sum()
        aggs[f"num{i}"] = ibis.ifelse(cond & rule.ok(f).fill_null(False), 1, 0).sum()
    wide = ctx.store_relation("rule_counts", f.group_by(unit=f.MaDonVi).agg(**aggs))
    out = {}
    for i, code in enumerate(rules):
        t = wide.filter(wide[f"den{i}"] > 0)
        out[code] = t.select(
            "unit", record=ibis.null("string"), num=t[f"num{i}"].cast("float64"), den=t[f"den{i}"].cast("float64")
        )
    return out


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str  # Vietnamese
    group: str
    max_points: float
    target: float | None = None
    zero: Zero = Zero.NULL
    scope: frozenset[str] = ALL_KINDS
    #: "dossier", "procedure", "service", "complaint", "unit", "publication"
    record_kind: str = "dossier"
    records: RecordsFn | None = None
    distinct: bool = False
    combine: str = "any"  # for distinct records: "any" ok row / "all" rows ok
    counts: CountsFn | None = None
    #: with ``counts``: the same (unit, num, den) of each unit's own records, before pooling
    #: (summed over a subtree it gives ``counts``); the live path stores these per unit
    own_counts: CountsFn | None = None
    #: reads no dossier or complaint (catalogue, publications, units): a dossier event never
    #: changes it, so the live path keeps its stored tuple
    catalog_only: bool = False
    #: computed for the province/ministry and inherited by its units (1.1–1.3)
    inherited: bool = False
    #: under given switches, scored at the province/ministry only: its units show it as
    #: not scored at their level (3.1 under procedure_lists=portal)
    anchored: Callable[[dict[str, str]], bool] | None = None
    #: distinct records under given switches: how the live path (live.py) gets the pooled
    #: denominator — "catalogue" (None: the full run's stored value, the records being catalogue
    #: rows), "records" (the denominator reads dossiers: every own record is kept with its ok flag)
    #: or "rows" (records carry in_den: the numerator's codes must meet a stored in_den row in the
    #: same subtree; the denominator is catalogue)
    live_den: Callable[[dict[str, str]], str] | None = None
    #: the record kind under given switches, when a switch changes what is counted (3.2)
    kind_of: Callable[[dict[str, str]], str] | None = None
    #: how the ratio is shown: "fraction" (default) or "average" (2.2)
    ratio_kind: str = "fraction"
    #: the pooled numerator is an integer count of 1/num_scale units (2.2: exact sums)
    num_scale: int = 1
    description: str = ""  # Vietnamese: what is counted
    zero_note: str = ""  # Vietnamese note when the denominator is 0

    def den_mode(self, switches: dict[str, str]) -> str:
        """See ``live_den``: "catalogue", "records" or "rows"."""
        return self.live_den(switches) if self.live_den is not None else "catalogue"

    def kind(self, switches: dict[str, str]) -> str:
        return self.kind_of(switches) if self.kind_of is not None else self.record_kind

    def record_rows(self, ctx: Any) -> ir.Table:
        """(unit, record, ok, …) of the indicator's records; one declared by counts alone has none."""
        if self.records is None:
            raise ValueError(f"indicator {self.code}: declared without records")
        return self.records(ctx)

    def pooled(self, ctx: Any) -> ir.Table:
        """(unit, num, den) per unit, pooled over its subtree."""
        if self.counts is not None:
            return self.counts(ctx)
        return pool(ctx, self.record_rows(ctx), distinct=self.distinct, combine=self.combine)

    def own(self, ctx: Any) -> ir.Table:
        """(unit, record, num, den) of each unit's own records, not pooled.

        Summable indicators: one row per unit, record null. Distinct ones (combine "any"):
        one row per (unit, record) in the numerator — a parent's numerator is the number of
        distinct records over its subtree; its denominator is not derivable from these — or,
        when the denominator reads dossiers (``den_mode`` "records"), one row per (unit, record)
        of the denominator, num 1 where ok (den 1).
        """
        if self.own_counts is not None:
            t = self.own_counts(ctx)
            return t.select("unit", record=ibis.null("string"), num=t.num.cast("float64"), den=t.den.cast("float64"))
        if self.counts is not None:
            raise ValueError(f"indicator {self.code}: counts without own_counts")
        rec = self.record_rows(ctx)
        if self.distinct:
            if self.combine != "any":
                raise ValueError(f"indicator {self.code}: own rows need combine='any'")
            if self.den_mode(ctx.switches) == "records":
                r = rec.group_by("unit", "record").agg(num=ibis.ifelse(rec.ok.fill_null(False), 1, 0).max())
                return r.select(
                    "unit", record=r.record.cast("string"), num=r.num.cast("float64"), den=ibis.literal(1.0, "float64")
                )
            r = rec.filter(rec.ok.fill_null(False)).select("unit", "record").distinct()
            return r.select(
                "unit",
                record=r.record.cast("string"),
                num=ibis.literal(1.0, "float64"),
                den=ibis.literal(0.0, "float64"),
            )
        ok01 = ibis.ifelse(rec.ok.fill_null(False), 1, 0)
        t = rec.group_by("unit").agg(num=ok01.sum(), den=rec.count())
        return t.select("unit", record=ibis.null("string"), num=t.num.cast("float64"), den=t.den.cast("float64"))


def pool_sums(ctx: Any, per_unit: ir.Table) -> ir.Table:
    """Pooled (unit, num, den) from each unit's own (unit, num, den): sums over the subtree."""
    tree = ctx.tree
    j = per_unit.join(tree, per_unit.unit == tree.descendant)
    out = j.group_by(unit=j.ancestor).agg(num=j.num.sum(), den=j.den.sum())
    return out.select("unit", num=out.num.cast("float64"), den=out.den.cast("float64"))


def pool(ctx: Any, rec: ir.Table, *, distinct: bool = False, combine: str = "any") -> ir.Table:
    tree = ctx.tree
    ok01 = ibis.ifelse(rec.ok.fill_null(False), 1, 0)
    if not distinct:
        per_unit = rec.group_by("unit").agg(num=ok01.sum(), den=rec.count())
        j = per_unit.join(tree, per_unit.unit == tree.descendant)
        out = j.group_by(unit=j.ancestor).agg(num=j.num.sum(), den=j.den.sum())
    elif "in_den" in rec.columns:
        # Evidence rows (in_den false) count a code only where the subtree also has it in_den.
        r = rec.select("unit", "record", ok01=ok01, d01=ibis.ifelse(rec.in_den.fill_null(False), 1, 0))
        j = r.join(tree, r.unit == tree.descendant)
        per = j.group_by(unit=j.ancestor, record=j.record).agg(ok01=j.ok01.max(), d01=j.d01.max())
        out = per.group_by("unit").agg(num=ibis.ifelse(per.d01 == 1, per.ok01, 0).sum(), den=per.d01.sum())
    else:
        r = rec.select("unit", "record", ok01=ok01)
        j = r.join(tree, r.unit == tree.descendant)
        agg = j.ok01.max() if combine == "any" else j.ok01.min()
        per = j.group_by(unit=j.ancestor, record=j.record).agg(ok01=agg)
        out = per.group_by("unit").agg(num=per.ok01.sum(), den=per.count())
    return out.select("unit", num=out.num.cast("float64"), den=out.den.cast("float64"))


@dataclass
class FormulaSet:
    name: str
    description: str
    indicators: list[Indicator] = field(default_factory=list)
    #: cross-indicator rules applied per unit after the plain scores: f(UnitScore, switches)
    finalize: Callable[[Any, dict[str, str]], None] | None = None
    #: indicator code -> switch that sets its target ("none" = linear)
    target_switches: dict[str, str] = field(default_factory=dict)

    def add(self, indicator: Indicator) -> Indicator:
        if any(i.code == indicator.code for i in self.indicators):
            raise ValueError(f"{self.name}: indicator {indicator.code} declared twice")
        self.indicators.append(indicator)
        return indicator

    def get(self, code: str) -> Indicator:
        for i in self.indicators:
            if i.code == code:
                return i
        raise KeyError(code)

    @property
    def groups(self) -> list[str]:
        seen: list[str] = []
        for i in self.indicators:
            if i.group not in seen:
                seen.append(i.group)
        return seen


_REGISTRY: dict[str, FormulaSet] = {}


def register(fs: FormulaSet) -> FormulaSet:
    if fs.name in _REGISTRY:
        raise ValueError(f"formula set {fs.name} already registered")
    _REGISTRY[fs.name] = fs
    return fs


def get_formula_set(name: str) -> FormulaSet:
    from motcua.core.errors import UserError
    from motcua.index766 import formulas  # noqa: F401 - registers the built-in sets

    try:
        return _REGISTRY[name]
    except KeyError:
        raise UserError(
            f"Không có bộ công thức {name!r} (có: {', '.join(sorted(_REGISTRY))}).",
            f"unknown formula set {name!r}",
        ) from None


def formula_sets() -> list[str]:
    from motcua.index766 import formulas  # noqa: F401

    return sorted(_REGISTRY)
