"""Stored indicator tuples (snapshots) and their comparison with the portal's official numbers."""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from motcua.core.errors import UserError
from motcua.org.models import Unit

from .engine import ScoreReport
from .models import IndicatorSnapshot


@transaction.atomic
def store(report: ScoreReport) -> int:
    """Replace the stored tuples of the report's units and period; returns the number of rows."""
    data = report.to_json()
    period, formula_set = data["period"]["code"], data["formula_set"]
    as_of = report.as_of
    units = dict(Unit.objects.filter(code__in=[u["unit"] for u in data["units"]]).values_list("code", "pk"))
    computed_at = timezone.now()
    group_of = {i.code: i.group for i in _formula_set(formula_set).indicators}
    rows = [
        IndicatorSnapshot(
            unit_id=units[unit["unit"]],
            period=period,
            formula_set=formula_set,
            indicator=i["code"],
            group=group_of[i["code"]],
            numerator=i["numerator"],
            denominator=i["denominator"],
            ratio=i["ratio"],
            score=None if i["score"] is None else Decimal(str(i["score"])),
            max_points=Decimal(str(i["max"])),
            target=i["target"],
            note=i["note"] or "",
            as_of=as_of,
            computed_at=computed_at,
        )
        for unit in data["units"]
        if unit["unit"] in units
        for i in unit["indicators"]
    ]
    IndicatorSnapshot.objects.filter(unit_id__in=units.values(), period=period, formula_set=formula_set).delete()
    IndicatorSnapshot.objects.bulk_create(rows, batch_size=2000)
    transaction.on_commit(lambda: bump_version(period, formula_set))
    return len(rows)


def version_key(period: str, formula_set: str = "portal-2026") -> str:
    return f"m766:snapshots:{formula_set}:{period}"


def bump_version(period: str, formula_set: str = "portal-2026") -> None:
    """Readers that cache what they built from the stored tuples key it by this version (shared cache)."""
    cache.set(version_key(period, formula_set), time.time_ns(), None)


def version(period: str, formula_set: str = "portal-2026") -> int:
    return cache.get_or_set(version_key(period, formula_set), 0, None)


def _formula_set(name: str):
    from .registry import get_formula_set

    return get_formula_set(name)


@dataclass
class Difference:
    unit: str
    period: str
    indicator: str
    field: str
    ours: float | None
    portal: float | None


COMPARED = (("TuSo", "numerator"), ("MauSo", "denominator"), ("Diem", "score"))

#: MaChiSo of a unit's total line in the portal's CSV (a group line uses the group's code, e.g. TTTT).
TOTAL_CODES = frozenset({"TONG", "TONGDIEM", "TỔNG", "TỔNG ĐIỂM"})


def compare_with_portal(
    csv_path: str | Path, *, formula_set: str = "portal-2026", tolerance: float = 0.005
) -> list[Difference]:
    """Compare stored tuples with the portal's numbers (CSV: MaDonVi, Ky, MaChiSo, TuSo, MauSo, Diem).

    Every line of the CSV is compared; a tuple we have not computed is a difference too. A line
    whose MaChiSo is a group code (CKMB … MDSH) or the total (TONG) compares its Diem with the sum
    of the unit's stored rounded scores (interchange.md §4.1: group = sum of the rounded scores,
    total = sum of the groups); such lines carry no TuSo or MauSo.
    """
    from .registry import GROUPS

    path = Path(csv_path)
    lines = _portal_lines(path)
    ours = {
        (s.unit.code, s.period, s.indicator): s
        for s in IndicatorSnapshot.objects.filter(
            formula_set=formula_set, period__in={row["Ky"] for _, row in lines}
        ).select_related("unit")
    }
    sums = _stored_sums(ours)
    differences = []
    for line, row in lines:
        key = (row["MaDonVi"], row["Ky"], row["MaChiSo"])
        code = row["MaChiSo"].strip().upper()
        if code in GROUPS or code in TOTAL_CODES:
            portal = _number(row["Diem"], path.name, line, "Diem")
            total = sums.get((key[0], key[1], code if code in GROUPS else "TONG"))
            mine = None if total is None else float(total)
            if _differs(mine, portal, tolerance):
                differences.append(Difference(*key, "Diem", mine, portal))
        else:
            differences += _indicator_differences(key, ours.get(key), row, path.name, line, tolerance)
    return differences


def _portal_lines(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The portal CSV's rows with their line numbers, after checking the file and its columns."""
    if not path.exists():
        raise UserError(f"Không tìm thấy tệp {path}.", f"{path} not found")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"MaDonVi", "Ky", "MaChiSo", "TuSo", "MauSo", "Diem"} - set(reader.fieldnames or [])
        if missing:
            raise UserError(
                f"Tệp {path.name} thiếu cột: {', '.join(sorted(missing))}.", f"missing columns {sorted(missing)}"
            )
        return list(enumerate(reader, start=2))


def _stored_sums(ours: dict) -> dict[tuple[str, str, str], Decimal]:
    """Sum of the stored rounded scores per (unit, period, group code or "TONG")."""
    sums: dict[tuple[str, str, str], Decimal] = {}
    for (unit, period, _code), s in ours.items():
        for code in (s.group, "TONG"):
            sums[(unit, period, code)] = sums.get((unit, period, code), Decimal(0)) + (s.score or Decimal(0))
    return sums


def _differs(mine: float | None, portal: float | None, tolerance: float) -> bool:
    """One side is blank and the other not, or both are numbers further apart than ``tolerance``."""
    return (mine is None) != (portal is None) or (mine is not None and abs(mine - portal) > tolerance)


def _indicator_differences(
    key: tuple[str, str, str], snapshot, row: dict[str, str], file: str, line: int, tolerance: float
) -> list[Difference]:
    """The differences of one indicator line: TuSo, MauSo and Diem against the stored tuple."""
    differences = []
    values = {column: _number(row[column], file, line, column) for column, _attribute in COMPARED}
    for column, attribute in COMPARED:
        portal = values[column]
        mine = None if snapshot is None else getattr(snapshot, attribute)
        mine = None if mine is None else float(mine)
        if portal is None and mine is not None and _portal_writes_nothing(key[2], mine, snapshot, values):
            continue
        if _differs(mine, portal, tolerance):
            differences.append(Difference(*key, column, mine, portal))
    return differences


#: Indicators the portal leaves blank where the engine writes 0.0 (5.1a/5.1b: no complaint to count).
PORTAL_BLANK_ZERO = frozenset({"5.1a", "5.1b"})
#: Indicators the portal leaves blank, every column, for a unit without complaints in the period.
PORTAL_BLANK_WITHOUT_COMPLAINTS = frozenset({"5.2", "5.3"})


def _portal_writes_nothing(indicator: str, mine: float, snapshot, portal: dict) -> bool:
    """The portal's ways of writing nothing, which are not differences (issue #10 item 13): a blank where the
    engine writes 0.0 in 5.1a/5.1b; 5.2/5.3 blank for a unit with no complaint; a blank numerator and
    denominator (4.6 "null/null" and the like) where the engine counted nothing (0 of 0)."""
    if indicator in PORTAL_BLANK_ZERO and mine == 0.0:
        return True
    denominator = float(snapshot.denominator or 0)
    if indicator in PORTAL_BLANK_WITHOUT_COMPLAINTS and denominator == 0:
        return True
    return (
        portal["TuSo"] is None and portal["MauSo"] is None and denominator == 0 and float(snapshot.numerator or 0) == 0
    )


def _number(text: str, file: str, line: int, column: str) -> float | None:
    text = (text or "").strip().replace(",", ".")
    if text in ("", "null", "-"):
        return None
    try:
        return float(text)
    except ValueError:
        raise UserError(
            f"{file}, dòng {line}, cột {column}: «{text}» không phải số.", f"{file}:{line} {column} not a number"
        ) from None


def stored_json(period: str, *, unit: str | None = None, formula_set: str = "portal-2026") -> dict | None:
    """The stored tuples of ``period`` in the ``motcua score`` JSON (interchange.md §3), or None.

    Every unit with stored tuples (or only ``unit``), parents before their units as the engine
    lists them, plus ``computed_at``: when the oldest of these tuples was computed. None when
    nothing (or not the unit) is stored for the period.
    """
    from .engine import _ordered, band
    from .periods import VN, parse_period

    fs = _formula_set(formula_set)
    rows = IndicatorSnapshot.objects.filter(period=period, formula_set=formula_set).select_related("unit")
    if unit is not None:
        rows = rows.filter(unit__code=unit)
    by_unit: dict[str, dict[str, IndicatorSnapshot]] = {}
    for s in rows:
        by_unit.setdefault(s.unit.code, {})[s.indicator] = s
    if not by_unit or any(len(v) != len(fs.indicators) for v in by_unit.values()):
        return None
    units = {u.code: u for u in Unit.objects.filter(code__in=by_unit).select_related("parent")}
    order = _ordered([{"MaDonVi": c, "MaDonViCha": u.parent.code if u.parent else None} for c, u in units.items()])
    p = parse_period(period)

    def number(x):
        return None if x is None else (int(x) if float(x).is_integer() else x)

    out_units, oldest, as_of = [], None, None
    for entry in order:
        stored = by_unit[entry["MaDonVi"]]
        indicators, groups = [], {}
        for ind in fs.indicators:
            s = stored[ind.code]
            oldest = s.computed_at if oldest is None else min(oldest, s.computed_at)
            as_of = s.as_of if as_of is None else min(as_of, s.as_of)
            score = None if s.score is None else float(s.score)
            groups[ind.group] = groups.get(ind.group, Decimal(0)) + (s.score or Decimal(0))
            indicators.append(
                {
                    "code": ind.code,
                    "numerator": number(s.numerator),
                    "denominator": number(s.denominator),
                    "ratio": s.ratio,
                    "score": score,
                    "max": number(float(s.max_points)),
                    "target": s.target,
                    "note": s.note or None,
                }
            )
        total = sum(groups.values(), Decimal(0)).quantize(Decimal("0.01"))
        from .registry import GROUPS

        out_units.append(
            {
                "unit": entry["MaDonVi"],
                "name": units[entry["MaDonVi"]].name,
                "total": float(total),
                "band": band(total),
                "groups": [
                    {"code": g, "score": float(groups[g].quantize(Decimal("0.01"))), "max": number(GROUPS[g][1])}
                    for g in GROUPS
                    if g in groups
                ],
                "indicators": indicators,
            }
        )
    return {
        "formula_set": formula_set,
        "period": {"code": p.code, "start": p.start.isoformat(), "end": p.end.isoformat()},
        "as_of": as_of.astimezone(VN).isoformat(),
        "computed_at": oldest.astimezone(VN).isoformat(),
        "units": out_units,
        "rules": stored_rules(),
    }


def stored_rules(indicator: str | None = None) -> list[dict]:
    """The rule notes of the stored tuples: the worker and the live path score under the
    database's default switches (database.DEFAULT_SWITCHES, the portal's rules)."""
    from .database import DEFAULT_SWITCHES
    from .registry import resolve_switches, rule_notes

    return rule_notes(resolve_switches(DEFAULT_SWITCHES), indicator=indicator)
