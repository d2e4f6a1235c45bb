"""Live recomputation of the stored 766 tuples (chấm điểm theo thời gian thực).

The issue asks that the scoreboard reflect a dossier event within seconds: the affected
unit × current period recomputed in the background, fast even with millions of dossiers,
equal to a full recomputation.

How, in three layers:

1. **Per-record rows, kept incrementally.** The stored per-dossier relations (``m766_dossiers``,
   supplements, summary, calendar values; complaint clocks) are updated for the dossiers and
   complaints that changed (``database.refresh_records``), not rebuilt.
2. **Per-unit partial counts** (``m766_partial``), per period: each unit's *own* (not pooled)
   numerator and denominator of every indicator that reads dossiers or complaints, and for
   distinct-record indicators (3.5, 3.5b, 4.5a) the unit's own records in the numerator. They
   are computed by the registry's own definitions (``Indicator.own``) with every input filtered
   to the changed units first (``Context(scoped=True)``), so a commune costs what it holds.
3. **Pooling from partials.** A unit's score pools its subtree (index-766.md §4: a province is
   scored on pooled data, never on an average) = sums of its units' partial counts, and for
   distinct records the number of distinct records; so a commune's event updates the province
   by summing ~1,000 small rows. Indicators that read no dossier or complaint (1.1–1.3, 3.1,
   4.6: ``Indicator.catalog_only``) and the catalogue-only denominators of 3.5, 3.5b and 4.5a
   keep their stored tuples.

Time passing alone changes scores: an open dossier (or complaint) in time turns late once its
deadline passes. Each unit's partial row ``~flip`` holds the earliest such instant after T; a
live run also recomputes the units whose instant has passed, so pooled counts stay exact.

What the live path does not see (the periodic full recomputation, ``tasks.py``, every
5 minutes, does): bulk imports, catalogue or publication changes, a 1.2 publication deadline
passing, facts dated after the evaluation instant, components edited without a dossier event.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

import ibis
import pandas as pd
from django.db import connection, transaction
from django.utils import timezone

from motcua.index766.compiled import CompiledScore, _signature
from motcua.index766.context import SCOPE_TABLE, Context, _epoch, _raw
from motcua.index766.engine import ScoreReport, _anchors, _units, score_units
from motcua.index766.facts import Facts
from motcua.index766.periods import Window, make_window
from motcua.index766.registry import FormulaSet, get_formula_set, resolve_switches
from motcua.index766.tasks import current_periods

logger = logging.getLogger("motcua.index766")

PARTIALS = "m766_partial"
PARTIAL_COLUMNS = {"Ky": "string", "MaDonVi": "string", "MaChiSo": "string", "MaBanGhi": "string",
                   "num": "float64", "den": "float64"}
FLIP = "~flip"  # MaChiSo of the per-unit row holding the next instant a score changes by itself
POOLED = "="  # prefix of pooled rows in a full run's result (not stored)


# --------------------------------------------------------------------------- compiled partials

_CACHE: dict[tuple, CompiledScore] = {}


def _flip_rows(ctx: Context) -> ibis.Table:
    """(unit, at): each unit's earliest instant after T at which an open record turns late."""
    f = ctx.dossier_flags()
    d = f.filter(f.base_progress & f.late_from.notnull() & (f.late_from > _epoch(ctx.T)))
    d = d.group_by(unit=d.MaDonVi).agg(at=d.late_from.min())
    c = ctx.complaint_flags()
    c = c.filter((c.base_52 | c.base_53) & c.flip_at.notnull() & (c.flip_at > ctx.T))
    c = c.group_by(unit=c.MaDonVi).agg(at=_epoch(c.flip_at).min())
    both = d.union(c)
    out = ctx.in_scope(both.group_by("unit").agg(at=both.at.min()), "unit")
    return out.select("unit", record=ibis.null("string"), num=out.at, den=ibis.literal(0.0, "float64"))


def _parts(ctx: Context, fs: FormulaSet, scoped: bool) -> list[ibis.Table]:
    def tagged(t: ibis.Table, code: str) -> ibis.Table:
        return t.mutate(code=ibis.literal(code)).select("code", "unit", "record", "num", "den")

    parts = []
    for ind in fs.indicators:
        if not ind.catalog_only:
            parts.append(tagged(ctx.in_scope(ind.own(ctx), "unit"), ind.code))
        if not scoped and (ind.catalog_only or ind.distinct):
            p = ind.pooled(ctx)
            parts.append(tagged(p.select("unit", record=ibis.null("string"), num=p.num, den=p.den),
                                POOLED + ind.code))
    parts.append(tagged(_flip_rows(ctx), FLIP))
    return parts


def _template(facts: Facts, window: Window, fs: FormulaSet, switches: dict[str, str], scoped: bool) -> CompiledScore:
    key = (facts.backend_name, facts.prefix, _signature(facts), fs.name, tuple(sorted(switches.items())),
           len(window.period.months()), scoped)
    hit = _CACHE.get(key)
    if hit is None:
        ctx = Context(facts, window, switches, template=True, scoped=scoped)
        try:
            final = "\nUNION ALL\n".join(
                f"SELECT * FROM ({facts.con.compile(p)}) AS q{i}" for i, p in enumerate(_parts(ctx, fs, scoped)))
            hit = CompiledScore(list(ctx.steps), final, len(window.period.months()))
        finally:
            ctx.close()
        _CACHE[key] = hit
    return hit


def _set_scope(facts: Facts, units: Iterable[str]) -> None:
    con = facts.con
    if "_scope_ready" not in facts.meta:
        try:
            con.table(SCOPE_TABLE)
        except Exception:  # noqa: BLE001 - any backend's "no such table"
            con.create_table(SCOPE_TABLE, schema=ibis.schema({"MaDonVi": "string"}), temp=True)
        facts.meta["_scope_ready"] = True
    _raw(con, f'DELETE FROM "{SCOPE_TABLE}"')
    values = ", ".join("('" + u.replace("'", "''") + "')" for u in sorted(set(units)))
    if values:
        _raw(con, f'INSERT INTO "{SCOPE_TABLE}" ("MaDonVi") VALUES {values}')


def compute_partials(facts: Facts, window: Window, fs: FormulaSet, switches: dict[str, str],
                     units: Iterable[str] | None = None) -> list[tuple]:
    """Rows (MaChiSo, MaDonVi, MaBanGhi, num, den): own partials of ``units`` (None: every unit,
    plus the pooled rows of catalogue-only and distinct indicators, code prefixed ``=``)."""
    scoped = units is not None
    if scoped:
        _set_scope(facts, units)
    return _template(facts, window, fs, switches, scoped).run(facts, window)


# --------------------------------------------------------------------------- facts

#: database -> fact relation -> its Ibis table node, as checked once per process: a fresh
#: connection per run, but not the ~20 catalogue queries of Facts.check every event.
_RELATIONS: dict[tuple, dict[str, Any]] = {}


def _live_facts() -> Facts:
    """``database.database_facts()`` (own connection, caller disconnects), relations checked
    once per process and database."""
    from motcua.index766.database import PREFIX, ibis_connection
    from motcua.index766.facts import SCHEMAS
    from motcua.index766.responsibility import responsible_for

    s = connection.settings_dict
    key = (connection.vendor, s.get("HOST"), s.get("PORT"), str(s.get("NAME")), s.get("USER"))
    con = ibis_connection()
    known = _RELATIONS.get(key)
    if known is None:
        facts = Facts.from_backend(con, prefix=PREFIX)  # fails early, naming what is missing
        _RELATIONS[key] = {name: facts.table(name).op() for name in SCHEMAS}
    else:
        facts = Facts.from_backend(con, prefix=PREFIX, check=False)
        for name, op in known.items():
            facts._cache[name] = op.copy(source=con).to_expr()
    facts.meta["source"] = "database:default"
    facts.meta["responsibility"] = responsible_for
    return facts


# --------------------------------------------------------------------------- storage


def _ensure_table() -> None:
    from motcua.index766.database import _Dialect, _q

    d = _Dialect(connection.vendor)
    with connection.cursor() as cur:
        cur.execute(f"CREATE TABLE IF NOT EXISTS {PARTIALS} ("
                    + ", ".join(f"{_q(c)} {d.types[t]}" for c, t in PARTIAL_COLUMNS.items()) + ")")
        cur.execute(f'CREATE INDEX IF NOT EXISTS {PARTIALS}_key ON {PARTIALS} ("Ky", "MaDonVi")')


def _store_partials(period: str, rows: list[tuple], units: Iterable[str] | None) -> None:
    """Replace the period's partial rows (of ``units``, or all) — inside the caller's transaction."""
    from motcua.index766.database import _Dialect, _insert_frame

    d = _Dialect(connection.vendor)
    with connection.cursor() as cur:
        if units is None:
            cur.execute(f'DELETE FROM {PARTIALS} WHERE "Ky" = %s', [period])
        else:
            units = sorted(set(units))
            for i in range(0, len(units), 500):
                chunk = units[i:i + 500]
                cur.execute(f'DELETE FROM {PARTIALS} WHERE "Ky" = %s AND "MaDonVi" IN ({", ".join(["%s"] * len(chunk))})',
                            [period, *chunk])
        frame = pd.DataFrame([(period, u, c, r, n, x) for c, u, r, n, x in rows if not c.startswith(POOLED)],
                             columns=list(PARTIAL_COLUMNS))
        _insert_frame(cur, d, PARTIALS, PARTIAL_COLUMNS, frame)


# --------------------------------------------------------------------------- the unit tree


def _tree(unit_rows: list[dict[str, Any]]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(unit -> itself and its ancestors, unit -> itself and its descendants), as unit_tree."""
    parent = {u["MaDonVi"]: u["MaDonViCha"] for u in unit_rows}
    up: dict[str, list[str]] = {}
    for code in parent:
        chain, cur = [], code
        while cur in parent and cur not in chain and len(chain) <= 32:
            chain.append(cur)
            cur = parent[cur]
        up[code] = chain
    down: dict[str, list[str]] = {code: [] for code in parent}
    for code, chain in up.items():
        for a in chain:
            down[a].append(code)
    return up, down


# --------------------------------------------------------------------------- full and live runs


def _switches(switches: dict[str, Any] | None) -> dict[str, str]:
    from motcua.index766.database import DEFAULT_SWITCHES

    return resolve_switches({**DEFAULT_SWITCHES, **(switches or {})})


def recompute_period(facts: Facts, period: str, *, now: datetime | None = None, formula_set: str = "portal-2026",
                     switches: dict[str, Any] | None = None, store: bool = True) -> ScoreReport:
    """Score every unit from scratch (facts already refreshed); store partials and tuples."""
    from motcua.index766 import snapshots

    fs, sw = get_formula_set(formula_set), _switches(switches)
    window = make_window(period, now=now)
    rows = compute_partials(facts, window, fs, sw)
    unit_rows = _units(facts)
    up, _ = _tree(unit_rows)
    counts: dict[tuple[str, str], tuple[float, float]] = {}
    summed = {ind.code for ind in fs.indicators if not ind.catalog_only and not ind.distinct}
    for code, unit, _record, num, den in rows:
        if code.startswith(POOLED):
            counts[(code[1:], unit)] = (float(num or 0), float(den or 0))
        elif code in summed:
            for a in up.get(unit, [unit]):
                n, x = counts.get((code, a), (0.0, 0.0))
                counts[(code, a)] = (n + float(num or 0), x + float(den or 0))
    report = ScoreReport(fs.name, window.period, window.t, score_units(counts, unit_rows, fs, sw), sw)
    if store:
        _ensure_table()
        with transaction.atomic():
            _store_partials(window.period.code, rows, None)
            snapshots.store(report)
    return report


def _pooled_counts(period: str, fs: FormulaSet, targets: list[str], down: dict[str, list[str]],
                   all_units: int) -> dict[tuple[str, str], tuple[float, float]]:
    """(indicator, unit) -> pooled (num, den) from the stored partials; distinct: num only."""
    distinct = {ind.code for ind in fs.indicators if ind.distinct}
    out = {}
    with connection.cursor() as cur:
        for target in targets:
            sub = down.get(target, [target])
            where, params = "", [period]
            if len(sub) < all_units:  # the root of everything needs no filter
                where = f' AND "MaDonVi" IN ({", ".join(["%s"] * len(sub))})'
                params += sub
            cur.execute(f'SELECT "MaChiSo", SUM(num), SUM(den), COUNT(DISTINCT "MaBanGhi") FROM {PARTIALS} '
                        f'WHERE "Ky" = %s AND "MaChiSo" <> %s{where} GROUP BY "MaChiSo"', [period, FLIP, *params[1:]])
            for code, num, den, records in cur.fetchall():
                out[(code, target)] = (float(records), 0.0) if code in distinct else (float(num or 0), float(den or 0))
    return out


def _stored_counts(period: str, fs: FormulaSet, units: set[str]) -> dict[tuple[str, str], tuple[float, float]]:
    """Stored (num, den) of the catalogue-only indicators, and the denominators of distinct ones."""
    from motcua.index766.models import IndicatorSnapshot

    codes = [ind.code for ind in fs.indicators if ind.catalog_only or ind.distinct]
    rows = IndicatorSnapshot.objects.filter(period=period, formula_set=fs.name, indicator__in=codes,
                                            unit__code__in=units).values_list("unit__code", "indicator",
                                                                              "numerator", "denominator")
    return {(code, unit): (float(num or 0), float(den or 0)) for unit, code, num, den in rows}


def _has_base(period: str, fs: FormulaSet) -> bool:
    from motcua.index766.models import IndicatorSnapshot

    with connection.cursor() as cur:
        cur.execute(f'SELECT 1 FROM {PARTIALS} WHERE "Ky" = %s LIMIT 1', [period])
        partial = cur.fetchone() is not None
    return partial and IndicatorSnapshot.objects.filter(period=period, formula_set=fs.name).exists()


def _stale_units(period: str, at: datetime) -> set[str]:
    epoch = (at.replace(tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds()
    with connection.cursor() as cur:
        cur.execute(f'SELECT "MaDonVi" FROM {PARTIALS} WHERE "Ky" = %s AND "MaChiSo" = %s AND num <= %s',
                    [period, FLIP, epoch])
        return {r[0] for r in cur.fetchall()}


def affected_units(dossier_ids: Iterable[int] = (), complaint_ids: Iterable[int] = ()) -> set[int]:
    """Units whose own records involve these dossiers and complaints (ids)."""
    from motcua.dossiers.models import Dossier
    from motcua.feedback.models import Complaint

    out: set[int] = set()
    for row in Dossier.objects.filter(id__in=list(dossier_ids)).values_list("handling_unit_id", "online_service__unit_id"):
        out.update(u for u in row if u)
    for row in Complaint.objects.filter(id__in=list(complaint_ids)).values_list(
            "unit_id", "dossier__handling_unit_id", "repeats__unit_id"):
        out.update(u for u in row if u)
    return out


def recompute_units(unit_ids: Iterable[int], today: date | None = None, *, now: datetime | None = None,
                    dossier_ids: Iterable[int] = (), complaint_ids: Iterable[int] = (),
                    formula_set: str = "portal-2026", switches: dict[str, Any] | None = None) -> dict[str, Any]:
    """Recompute and store the current month, quarter and year of ``unit_ids`` and their ancestors.

    ``dossier_ids`` / ``complaint_ids``: records changed since the last run; their stored rows
    are brought up to date first and their units added. Needs one earlier full run
    (``tasks.recompute_current_snapshots``) for the base; a period without one is computed
    fully. Returns timings: per period the units recomputed, the units stored and seconds.
    """
    from motcua.dossiers.models import Dossier
    from motcua.feedback.models import Complaint
    from motcua.index766 import snapshots
    from motcua.index766.database import refresh_records
    from motcua.org.models import Unit

    started = time.perf_counter()
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    fs, sw = get_formula_set(formula_set), _switches(switches)
    dossier_ids, complaint_ids = list(dossier_ids), list(complaint_ids)
    unit_ids = set(unit_ids) | affected_units(dossier_ids, complaint_ids)
    refresh_records(Dossier.objects.filter(id__in=dossier_ids).values_list("code", flat=True),
                    Complaint.objects.filter(id__in=complaint_ids).values_list("code", flat=True))
    changed = set(Unit.objects.filter(id__in=unit_ids).values_list("code", flat=True))
    _ensure_table()
    out: dict[str, Any] = {"refresh_s": round(time.perf_counter() - started, 4)}
    facts = _live_facts()
    try:
        unit_rows = _units(facts)
        up, down = _tree(unit_rows)
        anchors = _anchors(unit_rows)
        for period in current_periods(today):
            t0 = time.perf_counter()
            window = make_window(period, now=now)
            if not _has_base(period, fs):
                logger.info("766 live: no stored base for %s yet, computing every unit", period)
                recompute_period(facts, period, now=now, formula_set=formula_set, switches=switches)
                out[period] = {"full": True, "seconds": round(time.perf_counter() - t0, 4)}
                continue
            scope = (changed | _stale_units(period, window.t_utc)) & set(up)
            rows = compute_partials(facts, window, fs, sw, scope)
            targets = sorted({a for u in scope for a in up[u]})
            counts = _stored_counts(period, fs, set(targets) | {anchors[t] for t in targets})
            with transaction.atomic():
                _store_partials(window.period.code, rows, scope)
                pooled = _pooled_counts(period, fs, targets, down, len(up))
                for ind in fs.indicators:
                    if ind.catalog_only:
                        continue
                    for t in targets:
                        num, den = pooled.get((ind.code, t), (0.0, 0.0))
                        if ind.distinct:  # numerator from partials, denominator (catalogue) as stored
                            den = counts.get((ind.code, t), (0.0, 0.0))[1]
                        counts[(ind.code, t)] = (num, den)
                report = ScoreReport(fs.name, window.period, window.t,
                                     score_units(counts, unit_rows, fs, sw, units=targets), sw)
                snapshots.store(report)
            out[period] = {"units": sorted(scope), "stored": targets, "seconds": round(time.perf_counter() - t0, 4)}
    finally:
        facts.con.disconnect()
    out["seconds"] = round(time.perf_counter() - started, 4)
    logger.info("766 live recompute: %s", out)
    return out


__all__ = ["recompute_units", "recompute_period", "compute_partials", "affected_units"]
