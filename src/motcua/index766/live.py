"""Live recomputation of the stored 766 tuples (chấm điểm theo thời gian thực).

The issue asks that the scoreboard reflect a dossier event within seconds: the affected
unit × current period recomputed in the background, fast even with millions of dossiers,
equal to a full recomputation.

How, in four layers:

1. **Per-record rows, kept incrementally.** The stored per-dossier relations (``m766_dossiers``,
   supplements, summary, calendar values; complaint clocks) are updated for the dossiers and
   complaints that changed (``database.refresh_records``), not rebuilt.
2. **Per-dossier flags of each current period** (``m766_flags_month|quarter|year``: the
   engine's ``Context.dossier_flags`` at T, stored by a full run): a live run recomputes the
   flags of the changed dossiers only, plus those stored as in time whose deadline has passed
   since (``_flipped``), and reads the others back (``refresh_flags``).
3. **Per-unit partial counts** (``m766_partial``), per period: each unit's *own* (not pooled)
   numerator and denominator of every indicator that reads dossiers or complaints, and for
   distinct-record indicators (3.5, 3.5b, 4.5a) the unit's own records in the numerator. They
   are computed by the registry's own definitions (``Indicator.own``; the DossierRule indicators
   in one pass) over the stored flags of the changed units (``Context(scoped=True)``), so a
   commune costs what it holds and a department with 150,000 dossiers an indexed read.
4. **Pooling from partials.** A unit's score pools its subtree (index-766.md §4: a province is
   scored on pooled data, never on an average) = sums of its units' partial counts, and for
   distinct records the number of distinct records; so a commune's event updates the province
   by summing ~1,000 small rows. The root's distinct records are counted from a per-period tally
   (``m766_record_tally``: units holding each record, and holding it ok), kept with the partials,
   rather than from every unit's records. Indicators that read no dossier or complaint (1.1–1.3, 3.1,
   4.6: ``Indicator.catalog_only``) and the catalogue-only denominators of 3.5, 3.5b and 4.5a
   keep their stored tuples.

Time passing alone changes scores: an open dossier (or complaint) in time turns late once its
deadline passes. Each unit's partial row ``~flip`` holds the earliest such instant after T; a
live run also recomputes the units whose instant has passed, so pooled counts stay exact.

What the live path does not see (the periodic full recomputation, ``tasks.py``, every
``MOTCUA_766_RECOMPUTE_MINUTES``, does): bulk imports, catalogue or publication changes, a 1.2 publication deadline
passing, facts dated after the evaluation instant, components edited without a dossier event.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

import ibis
import pandas as pd
from django.db import connection, transaction
from django.utils import timezone

from motcua.index766.compiled import CompiledScore, _signature, analyze, render_literal
from motcua.index766.context import SCOPE_DOSSIERS, SCOPE_TABLE, Context, _epoch, _raw
from motcua.index766.engine import ScoreReport, _anchors, _units, fetch_all, score_units
from motcua.index766.facts import Facts
from motcua.index766.periods import Window, make_window
from motcua.index766.registry import (
    FormulaSet,
    get_formula_set,
    resolve_switches,
    rule_counts,
    rule_indicators,
)
from motcua.index766.tasks import current_periods

logger = logging.getLogger("motcua.index766")

PARTIALS = "m766_partial"
PARTIAL_COLUMNS = {
    "Ky": "string",
    "MaDonVi": "string",
    "MaChiSo": "string",
    "MaBanGhi": "string",
    "num": "float64",
    "den": "float64",
}
FLIP = "~flip"  # MaChiSo of the per-unit row holding the next instant a score changes by itself
#: Per period, each distinct record of the partials (MaBanGhi set: 3.2, 3.5, 3.5b, 4.5a) with the
#: number of units whose rows hold it (``units``) and of those where it is ok (``ok_units``), kept
#: in the transaction that writes the partials. The root's pooled distinct counts read these few
#: thousand rows instead of every unit's (a year at 2,000,000 dossiers: 430,000 rows, 150 ms).
RECORD_TALLY = "m766_record_tally"
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


#: Step holding the in_den rows (code, unit, record) of the "rows" indicators (registry live_den),
#: stored per period in DEN_RECORDS: a numerator code counts where its subtree also has one.
DEN_STEP = "den_records"
DEN_RECORDS = "m766_den_records"
#: Per period, what the full run that stored DEN_RECORDS read: its evaluation day, the catalogue
#: revision (models.CatalogueRevision) and the rules (formula set, switches). See _den_reusable.
DEN_BASIS = "m766_den_basis"


def _den_rows(ctx: Context, fs: FormulaSet) -> list[str]:
    """Make the DEN_STEP relation (of the scope's units when scoped); the codes it holds."""
    codes, rows = [], []
    for ind in fs.indicators:
        if ind.distinct and not ind.catalog_only and ind.den_mode(ctx.switches) == "rows":
            rec = ind.record_rows(ctx)
            rec = ctx.in_scope(rec.filter(rec.in_den.fill_null(False)), "unit")
            rows.append(rec.select(code=ibis.literal(ind.code), unit=rec.unit, record=rec.record.cast("string")))
            codes.append(ind.code)
    if rows:
        ctx.store_relation(DEN_STEP, ibis.union(*rows, distinct=True) if len(rows) > 1 else rows[0].distinct())
    return codes


def _parts(ctx: Context, fs: FormulaSet, scoped: bool, den: bool = True) -> list[ibis.Table]:
    def tagged(t: ibis.Table, code: str) -> ibis.Table:
        return t.mutate(code=ibis.literal(code)).select("code", "unit", "record", "num", "den")

    # Dossier-counting indicators declared as rules: all their counts in one pass over the flags.
    fused = rule_counts(ctx, rule_indicators(fs))
    if den:
        _den_rows(ctx, fs)
    parts = []
    for ind in fs.indicators:
        if not ind.catalog_only:
            own = fused[ind.code] if ind.code in fused else ind.own(ctx)
            parts.append(tagged(ctx.in_scope(own, "unit"), ind.code))
        if not scoped and (ind.catalog_only or ind.distinct):
            p = ind.pooled(ctx)
            parts.append(tagged(p.select("unit", record=ibis.null("string"), num=p.num, den=p.den), POOLED + ind.code))
    parts.append(tagged(_flip_rows(ctx), FLIP))
    return parts


def _template(
    facts: Facts, window: Window, fs: FormulaSet, switches: dict[str, str], scoped: bool, den: bool = True
) -> CompiledScore:
    """Partials of every unit (stores the dossier flags it computes) or of the scope's units
    (reads the stored flags); ``den``: with the DEN_STEP relation of those units."""
    flags = flags_table(window) if scoped else None
    key = (
        facts.backend_name,
        facts.prefix,
        _signature(facts),
        fs.name,
        tuple(sorted(switches.items())),
        len(window.period.months()),
        scoped,
        flags,
        den,
    )
    hit = _CACHE.get(key)
    if hit is None:
        ctx = Context(
            facts,
            window,
            switches,
            template=True,
            scoped=scoped,
            flags_table=flags,
            competence_table=COMPETENCE if scoped else None,
        )
        try:
            final = "\nUNION ALL\n".join(
                f"SELECT * FROM ({facts.con.compile(p)}) AS q{i}" for i, p in enumerate(_parts(ctx, fs, scoped, den))
            )
            # A scoped run copies its units' stored flags (a department: 150,000 rows) and only
            # aggregates them: statistics would cost ~20 ms and change no plan.
            hit = CompiledScore(
                list(ctx.steps),
                final,
                len(window.period.months()),
                dict(ctx.step_schemas),
                unanalysed=frozenset({"dossier_flags", DEN_STEP}) if scoped else frozenset({DEN_STEP}),
            )
        finally:
            ctx.close()
        _CACHE[key] = hit
    return hit


def _flags_template(facts: Facts, window: Window, switches: dict[str, str]) -> CompiledScore:
    """The dossier flags of the dossiers listed in SCOPE_DOSSIERS (no final rows)."""
    key = (
        facts.backend_name,
        facts.prefix,
        _signature(facts),
        tuple(sorted(switches.items())),
        len(window.period.months()),
        "flags",
    )
    hit = _CACHE.get(key)
    if hit is None:
        ctx = Context(facts, window, switches, template=True, dossier_scoped=True)
        try:
            ctx.dossier_flags()
            hit = CompiledScore(list(ctx.steps), "SELECT 1", len(window.period.months()), dict(ctx.step_schemas))
        finally:
            ctx.close()
        _CACHE[key] = hit
    return hit


def _set_scope(facts: Facts, values: Iterable[str], table: str = SCOPE_TABLE, column: str = "MaDonVi") -> None:
    """Fill a scope table of the facts' session (created once) with ``values``."""
    con = facts.con
    if table not in facts.meta.setdefault("_scopes_ready", set()):
        try:
            con.table(table)
        except Exception:  # noqa: BLE001 - any backend's "no such table"
            con.create_table(table, schema=ibis.schema({column: "string"}), temp=True)
        facts.meta["_scopes_ready"].add(table)
    _raw(con, f'DELETE FROM "{table}"')
    ordered = sorted(set(values))
    for i in range(0, len(ordered), 500):
        rows = ", ".join("('" + v.replace("'", "''") + "')" for v in ordered[i : i + 500])
        _raw(con, f'INSERT INTO "{table}" ("{column}") VALUES {rows}')
    analyze(con, table)


def compute_partials(
    facts: Facts, window: Window, fs: FormulaSet, switches: dict[str, str], units: Iterable[str] | None = None
) -> list[tuple]:
    """Rows (MaChiSo, MaDonVi, MaBanGhi, num, den): own partials of ``units`` from the stored
    dossier flags (None: every unit, plus the pooled rows of catalogue-only and distinct
    indicators, code prefixed ``=``; the flags it computes are stored for later scoped runs).

    A scoped run keeps the units' stored in_den rows when they cannot have changed since the full
    run (``_den_reusable``; ``facts.meta["den_kept"]`` says which it did), else rebuilds them."""
    rules = _rules(fs, switches)
    if units is not None:
        _set_scope(facts, units)
        kept = facts.meta["den_kept"] = _den_reusable(facts.con, window, rules)

        def keep_den(tables: dict[str, str]) -> None:
            _store_den(facts.con, window, tables.get(DEN_STEP), replace_all=False)

        template = _template(facts, window, fs, switches, True, den=not kept)
        return template.run(facts, window, after_steps=None if kept else keep_den)
    template = _template(facts, window, fs, switches, False)
    # Read before the catalogue is: an edit committed meanwhile leaves a basis that is already stale.
    basis = (window.t_date.isoformat(), _catalogue_revision(facts.con), rules)

    def keep(tables: dict[str, str]) -> None:
        _store_flags(facts.con, window, template.schemas["dossier_flags"], tables["dossier_flags"], replace_all=True)
        _store_competence(facts.con, template.schemas["competence"], tables["competence"])
        _store_den(facts.con, window, tables.get(DEN_STEP), replace_all=True, basis=basis)

    return template.run(facts, window, after_steps=keep)


def _rules(fs: FormulaSet, switches: dict[str, str]) -> str:
    return fs.name + ";" + ";".join(f"{k}={v}" for k, v in sorted(switches.items()))


def _catalogue_revision(con: Any) -> int:
    from motcua.index766.models import CatalogueRevision

    rows = fetch_all(con, f'SELECT number FROM "{CatalogueRevision._meta.db_table}" WHERE id = 1')
    return int(rows[0][0]) if rows else 0


def _den_reusable(con: Any, window: Window, rules: str) -> bool:
    """Whether the scope's stored in_den rows (DEN_RECORDS) are those a recomputation would give.

    They are catalogue rows (registry ``live_den`` "rows": 3.2's online services of a unit, valid
    on the evaluation day): equal when the last full run stored them under the same rules, no
    service, procedure or unit was saved or deleted since (models.CatalogueRevision), and no
    validity date of a scope unit's service lies between that run's day and this one's. A scoped
    run that rebuilds them drops the basis, so every run rebuilds until the next full run."""
    if _table_columns(con, DEN_BASIS) is None:
        return False
    code = render_literal(con, window.period.code, "string")
    rows = fetch_all(con, f'SELECT day, revision, rules FROM "{DEN_BASIS}" WHERE "Ky" = {code}')
    if len(rows) != 1:
        return False
    day, revision, stored_rules = rows[0]
    if stored_rules != rules or int(revision) != _catalogue_revision(con):
        return False
    today = window.t_date.isoformat()
    if day == today:
        return True
    lo, hi = (render_literal(con, date.fromisoformat(d), "date") for d in sorted((day, today)))
    passed = fetch_all(
        con,
        f"""
        SELECT 1 FROM m766_online_services
        WHERE "MaDonVi" IN (SELECT "MaDonVi" FROM "{SCOPE_TABLE}")
          AND (("HieuLucTu" > {lo} AND "HieuLucTu" <= {hi}) OR ("HieuLucDen" > {lo} AND "HieuLucDen" <= {hi}))
        LIMIT 1""",
    )
    return not passed


def _store_den(
    con: Any, window: Window, source: str | None, *, replace_all: bool, basis: tuple[str, int, str] | None = None
) -> None:
    """Copy the period's in_den rows (temp table ``source``, None: none under these switches) into
    DEN_RECORDS: all of them (a full run, with the ``basis`` it read: day, catalogue revision,
    rules), or those of the scope's units (a scoped run, which drops the period's basis)."""
    _ensure_stored_table(
        con,
        DEN_RECORDS,
        ibis.schema({"Ky": "string", "MaChiSo": "string", "MaDonVi": "string", "MaBanGhi": "string"}),
        [
            '"{name}_key" ON "{name}" ("Ky", "MaChiSo", "MaBanGhi", "MaDonVi")',
            '"{name}_unit" ON "{name}" ("Ky", "MaDonVi")',
        ],
    )
    _ensure_stored_table(
        con,
        DEN_BASIS,
        ibis.schema({"Ky": "string", "day": "string", "revision": "int64", "rules": "string"}),
        [],
    )
    code = render_literal(con, window.period.code, "string")
    with con.begin() as cur:
        cur.execute(f'DELETE FROM "{DEN_BASIS}" WHERE "Ky" = {code}')
        if basis is not None:
            types = ("string", "int64", "string")
            values = ", ".join(render_literal(con, v, t) for v, t in zip(basis, types, strict=True))
            cur.execute(f'INSERT INTO "{DEN_BASIS}" ("Ky", day, revision, rules) VALUES ({code}, {values})')
        if replace_all:
            cur.execute(f'DELETE FROM "{DEN_RECORDS}" WHERE "Ky" = {code}')
        else:
            cur.execute(
                f'DELETE FROM "{DEN_RECORDS}" WHERE "Ky" = {code} AND "MaDonVi" IN '
                f'(SELECT "MaDonVi" FROM "{SCOPE_TABLE}")'
            )
        if source is not None:
            cur.execute(
                f'INSERT INTO "{DEN_RECORDS}" ("Ky", "MaChiSo", "MaDonVi", "MaBanGhi") '
                f'SELECT {code}, code, unit, record FROM "{source}"'
            )
    if replace_all and con.name == "postgres":
        _raw(con, f'VACUUM ANALYZE "{DEN_RECORDS}"')  # the root probes it per record: index only
    elif replace_all:
        analyze(con, DEN_RECORDS)


# --------------------------------------------------------------------------- stored dossier flags
#
# The per-dossier flags (Context.dossier_flags) of each current period are stored, one table per
# period kind holding that kind's current period (column Ky): a live run recomputes the flags of
# the changed dossiers only and reads the rest, so a department with 150,000 dossiers in its year
# costs an indexed read, not a recomputation. A full run empties and refills its kind's table.

FLAGS_PREFIX = "m766_flags_"
_FLAG_INDEXES = [
    '"{name}_mahoso" ON "{name}" ("MaHoSo")',
    '"{name}_madonvi" ON "{name}" ("MaDonVi")',
    # The scope's "other units' dossiers of its online services" (Context._of_scope), read from the
    # index alone: a department's own 60,000 service dossiers are skipped without a visit.
    '"{name}_madvc" ON "{name}" ("MaDVC", "MaDonVi", "MaHoSo")',
    # _flipped: the open dossiers still in time, by the instant they turn late (most past instants
    # belong to dossiers already stored as late: not in this index).
    '"{name}_in_time" ON "{name}" (late_from) WHERE on_time',
]


def flags_table(window: Window) -> str:
    return FLAGS_PREFIX + window.period.kind


def _table_columns(con: Any, name: str) -> list[str] | None:
    if con.name == "postgres":
        # The catalogue directly: Ibis's schema probe took 2-8 ms, and a live run asks 12 times.
        rows = fetch_all(
            con,
            "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass("
            + render_literal(con, f'"{name}"', "string")
            + ") AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        )
        return [r[0] for r in rows] or None
    try:
        return list(con.table(name).columns)
    except Exception:  # noqa: BLE001 - any backend's "no such table"
        return None


def _ensure_stored_table(con: Any, name: str, schema: Any, indexes: list[str]) -> None:
    """Make ``name`` a table of ``schema`` with ``indexes`` (index definitions), unless it already
    has those columns (first run, or the engine's relations changed shape)."""
    if _table_columns(con, name) == list(schema.names):
        return
    _raw(con, f'DROP TABLE IF EXISTS "{name}"')
    con.create_table(name, schema=schema)
    for index in indexes:
        _raw(con, f"CREATE INDEX {index.format(name=name)}")


def _empty(con: Any, name: str) -> str:
    return f'TRUNCATE "{name}"' if con.name == "postgres" else f'DELETE FROM "{name}"'


def _store_flags(con: Any, window: Window, schema: Any, source: str, *, replace_all: bool) -> None:
    """Copy the flags in temp table ``source`` into the period's stored table.

    ``replace_all``: the table then holds exactly these rows (a full run); else the rows of the
    dossiers in SCOPE_DOSSIERS are replaced (those no longer in any base are dropped)."""
    name = flags_table(window)
    _ensure_stored_table(con, name, ibis.schema({"Ky": "string", **dict(schema.items())}), _FLAG_INDEXES)
    code = render_literal(con, window.period.code, "string")
    col_list = ", ".join(f'"{c}"' for c in schema.names)
    with con.begin() as cur:
        if replace_all:
            # Ordered by unit: a unit's rows sit together, so a live run reads few pages.
            cur.execute(_empty(con, name))
            order = ' ORDER BY "MaDonVi"'
        else:
            cur.execute(f'DELETE FROM "{name}" WHERE "MaHoSo" IN (SELECT "MaHoSo" FROM "{SCOPE_DOSSIERS}")')
            order = ""
        cur.execute(f'INSERT INTO "{name}" ("Ky", {col_list}) SELECT {code}, {col_list} FROM "{source}"{order}')
    if replace_all and con.name == "postgres":
        _raw(con, f'VACUUM ANALYZE "{name}"')  # the visibility map too: index-only scans (_FLAG_INDEXES)
    elif replace_all:
        analyze(con, name)


#: Each unit's competence (Context.competence: catalogue only), stored by every full run for the
#: scoped runs, which would otherwise rebuild it from the catalogue for each event and period.
COMPETENCE = "m766_competence"


def _store_competence(con: Any, schema: Any, source: str) -> None:
    _ensure_stored_table(con, COMPETENCE, schema, ['"{name}_unit" ON "{name}" ("MaDonVi")'])
    col_list = ", ".join(f'"{c}"' for c in schema.names)
    with con.begin() as cur:
        cur.execute(_empty(con, COMPETENCE))
        cur.execute(f'INSERT INTO "{COMPETENCE}" ({col_list}) SELECT {col_list} FROM "{source}"')
    analyze(con, COMPETENCE)


def _has_stored_base(con: Any, window: Window) -> bool:
    """Whether a full run has stored the period's flags (and the competence scoped runs read)."""
    name = flags_table(window)
    if _table_columns(con, name) is None or _table_columns(con, COMPETENCE) is None:
        return False
    code = render_literal(con, window.period.code, "string")
    return bool(fetch_all(con, f'SELECT 1 FROM "{name}" WHERE "Ky" = {code} LIMIT 1'))


def _flipped(con: Any, window: Window) -> list[str]:
    """Dossiers stored as in time whose deadline has passed by T: their flags are stale."""
    epoch = (window.t_utc - datetime(1970, 1, 1)).total_seconds()
    return [
        r[0]
        for r in fetch_all(
            con, f'SELECT "MaHoSo" FROM "{flags_table(window)}" WHERE late_from <= {epoch!r} AND on_time'
        )
    ]


def _units_of_listed(con: Any, window: Window) -> set[str]:
    """Units whose partials hold the stored flags of the dossiers in SCOPE_DOSSIERS: the
    handling unit, and the unit offering the dossier's online service (3.2)."""
    rows = fetch_all(
        con,
        f"""
        SELECT f."MaDonVi", s."MaDonVi" FROM "{flags_table(window)}" f
        LEFT JOIN m766_online_services s ON s."MaDVC" = f."MaDVC"
        WHERE f."MaHoSo" IN (SELECT "MaHoSo" FROM "{SCOPE_DOSSIERS}")""",
    )
    return {u for row in rows for u in row if u}


def refresh_flags(facts: Facts, window: Window, switches: dict[str, str], codes: Iterable[str]) -> set[str]:
    """Recompute the stored flags of dossiers ``codes``; returns the units whose partials they
    touch, before and after (a dossier may change unit or online service)."""
    codes = sorted(set(codes))
    if not codes:
        return set()
    con = facts.con
    _set_scope(facts, codes, SCOPE_DOSSIERS, "MaHoSo")
    units = _units_of_listed(con, window)
    template = _flags_template(facts, window, switches)

    def keep(tables: dict[str, str]) -> None:
        _store_flags(con, window, template.schemas["dossier_flags"], tables["dossier_flags"], replace_all=False)

    template.run(facts, window, after_steps=keep)
    return units | _units_of_listed(con, window)


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
        try:
            facts = Facts.from_backend(con, prefix=PREFIX)  # fails early, naming what is missing
        except Exception:
            con.disconnect()  # the caller never gets it to disconnect
            raise
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
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS {PARTIALS} ("
            + ", ".join(f"{_q(c)} {d.types[t]}" for c, t in PARTIAL_COLUMNS.items())
            + ")"
        )
        cur.execute(f'CREATE INDEX IF NOT EXISTS {PARTIALS}_key ON {PARTIALS} ("Ky", "MaDonVi")')
        cur.execute(f'CREATE INDEX IF NOT EXISTS {PARTIALS}_code ON {PARTIALS} ("Ky", "MaChiSo")')
        # _pooled_counts at the root reads every partial of the period: the per-unit sums (a few
        # per unit) and the distinct records (most rows) each from an index that covers them.
        cur.execute(
            f'CREATE INDEX IF NOT EXISTS {PARTIALS}_sums ON {PARTIALS} ("Ky", "MaChiSo", num, den) '
            f'WHERE "MaBanGhi" IS NULL'
        )
        # With num: the records in the numerator are read from it too (den is 1 on every such row).
        cur.execute(f"DROP INDEX IF EXISTS {PARTIALS}_records")
        cur.execute(
            f'CREATE INDEX IF NOT EXISTS {PARTIALS}_records_num ON {PARTIALS} ("Ky", "MaChiSo", "MaBanGhi", '
            f'num, "MaDonVi") WHERE "MaBanGhi" IS NOT NULL'
        )
        counted = RECORD_TALLY in connection.introspection.table_names(cur)
        cur.execute(
            f'CREATE TABLE IF NOT EXISTS {RECORD_TALLY} ("Ky" {d.types["string"]}, "MaChiSo" {d.types["string"]},'
            f' "MaBanGhi" {d.types["string"]}, units {d.types["int64"]}, ok_units {d.types["int64"]})'
        )
        cur.execute(
            f'CREATE UNIQUE INDEX IF NOT EXISTS {RECORD_TALLY}_key ON {RECORD_TALLY} ("Ky", "MaChiSo", "MaBanGhi")'
        )
        if not counted:  # partials stored before the table existed
            _count_records(cur, None)


def _tally_insert(where: str, sign: int = 1) -> str:
    """INSERT adding ``sign`` times the partial records that match ``where`` to RECORD_TALLY."""
    return (
        f'INSERT INTO {RECORD_TALLY} ("Ky", "MaChiSo", "MaBanGhi", units, ok_units)'
        f' SELECT "Ky", "MaChiSo", "MaBanGhi", {sign:d} * COUNT(*), {sign:d} * SUM(CASE WHEN num > 0 THEN 1 ELSE 0 END)'
        f' FROM {PARTIALS} WHERE "MaBanGhi" IS NOT NULL{where} GROUP BY "Ky", "MaChiSo", "MaBanGhi"'
    )


def _count_records(cur: Any, period: str | None) -> None:
    """Rebuild RECORD_TALLY from the partials: of ``period``, or of every period (None)."""
    where, params = ("", []) if period is None else (' AND "Ky" = %s', [period])
    cur.execute(f"DELETE FROM {RECORD_TALLY} WHERE 1 = 1{where}", params)
    cur.execute(_tally_insert(where), params)


def _add_records(cur: Any, period: str, units: list[str], sign: int) -> None:
    """Add (sign 1) or take away (-1) the stored partial records of ``units`` in RECORD_TALLY."""
    cur.execute(
        _tally_insert(f' AND "Ky" = %s AND "MaDonVi" IN ({", ".join(["%s"] * len(units))})', sign)
        + f' ON CONFLICT ("Ky", "MaChiSo", "MaBanGhi") DO UPDATE'
        f" SET units = {RECORD_TALLY}.units + excluded.units,"
        f" ok_units = {RECORD_TALLY}.ok_units + excluded.ok_units",
        [period, *units],
    )


def _store_partials(period: str, rows: list[tuple], units: Iterable[str] | None) -> None:
    """Replace the period's partial rows (of ``units``, or all) — inside the caller's transaction."""
    from motcua.index766.database import _Dialect, _insert_frame

    d = _Dialect(connection.vendor)
    chunks = []
    if units is not None:
        ordered = sorted(set(units))
        chunks = [ordered[i : i + 500] for i in range(0, len(ordered), 500)]
    with connection.cursor() as cur:
        if units is None:
            cur.execute(f'DELETE FROM {PARTIALS} WHERE "Ky" = %s', [period])
        for chunk in chunks:
            _add_records(cur, period, chunk, -1)
            cur.execute(
                f'DELETE FROM {PARTIALS} WHERE "Ky" = %s AND "MaDonVi" IN ({", ".join(["%s"] * len(chunk))})',
                [period, *chunk],
            )
        frame = pd.DataFrame(
            [(period, u, c, r, n, x) for c, u, r, n, x in rows if not c.startswith(POOLED)],
            columns=list(PARTIAL_COLUMNS),
        )
        _insert_frame(cur, d, PARTIALS, PARTIAL_COLUMNS, frame)
        if units is None:
            _count_records(cur, period)
        for chunk in chunks:
            _add_records(cur, period, chunk, 1)


# --------------------------------------------------------------------------- the unit tree


def _tree(unit_rows: list[dict[str, Any]]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(unit -> itself and its ancestors, unit -> itself and its descendants), as unit_tree."""
    parent = {u["MaDonVi"]: u["MaDonViCha"] for u in unit_rows}
    up: dict[str, list[str]] = {}
    for code in parent:
        chain: list[str] = []
        cur = code
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


def recompute_period(
    facts: Facts,
    period: str,
    *,
    now: datetime | None = None,
    formula_set: str = "portal-2026",
    switches: dict[str, Any] | None = None,
    store: bool = True,
) -> ScoreReport:
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
        # Not while a live run writes partials: each keeps the record tally in step with them.
        with _one_live_run_at_a_time(), transaction.atomic():
            _store_partials(window.period.code, rows, None)
            snapshots.store(report)
    return report


def vacuum_partials() -> None:
    """After a full run (PostgreSQL): the partials' visibility map, so the pooled sums are read
    from their covering indexes alone; planner statistics of the snapshots it rewrote, without
    which reading a few units' stored tuples scanned the whole period (28 ms instead of 0.3)."""
    from motcua.index766.models import IndicatorSnapshot

    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cur:
            cur.execute(f"VACUUM ANALYZE {PARTIALS}")
            cur.execute(f"VACUUM ANALYZE {RECORD_TALLY}")
            cur.execute(f"ANALYZE {IndicatorSnapshot._meta.db_table}")


def _pooled_counts(
    period: str, fs: FormulaSet, sw: dict[str, str], targets: list[str], down: dict[str, list[str]], all_units: int
) -> dict[tuple[str, str], tuple[float, float]]:
    """(indicator, unit) -> pooled (num, den) from the stored partials; distinct: num, and den where
    it reads dossiers (registry ``live_den`` "records"); "rows": codes also in DEN_RECORDS."""
    distinct = {ind.code for ind in fs.indicators if ind.distinct}
    with_rows = [ind.code for ind in fs.indicators if ind.distinct and ind.den_mode(sw) == "rows"]
    out = {}
    with connection.cursor() as cur:
        for target in targets:
            sub = down.get(target, [target])
            where, params = "", [period]
            if len(sub) < all_units:  # the root of everything needs no filter
                where = f' AND "MaDonVi" IN ({", ".join(["%s"] * len(sub))})'
                params += sub
            # Sums over the per-unit rows; distinct records counted apart (hashing the few distinct
            # pairs of ~250,000 rows is 4x faster than one COUNT(DISTINCT), which sorts them all).
            cur.execute(
                f'SELECT "MaChiSo", SUM(num), SUM(den) FROM {PARTIALS} WHERE "Ky" = %s'
                f' AND "MaBanGhi" IS NULL AND "MaChiSo" <> %s{where} GROUP BY "MaChiSo"',
                [period, FLIP, *params[1:]],
            )
            for code, num, den in cur.fetchall():
                if code not in distinct:
                    out[(code, target)] = (float(num or 0), float(den or 0))
            # Per code: its records (the denominator where own rows hold them all, den 1) and those
            # ok in some row (num 1). Numerator-only rows (catalogue denominators) are all ok.
            # "rows" codes: their records that the subtree also offers (its in_den rows, stored per
            # period), tested once per distinct record in the same pass: probing per partial row, or
            # a second pass, made a commune's event 2x slower (the root reads a quarter's ~50,000 rows).
            in_den, in_den_params = "0", []
            if with_rows:
                units = params[1:]
                d_in = f' AND d."MaDonVi" IN ({", ".join(["%s"] * len(units))})' if units else ""
                in_den = (
                    f'CASE WHEN r."MaChiSo" IN ({", ".join(["%s"] * len(with_rows))}) AND EXISTS (SELECT 1 FROM'
                    f' {DEN_RECORDS} d WHERE d."Ky" = %s AND d."MaChiSo" = r."MaChiSo"'
                    f' AND d."MaBanGhi" = r."MaBanGhi"{d_in}) THEN 1 ELSE 0 END'
                )
                in_den_params = [*with_rows, period, *units]
            if where:
                source = (
                    f'SELECT "MaChiSo", "MaBanGhi", MAX(num) AS n FROM {PARTIALS}'
                    f' WHERE "Ky" = %s AND "MaBanGhi" IS NOT NULL{where} GROUP BY "MaChiSo", "MaBanGhi"'
                )
            else:  # the root: every unit's records, counted as the partials were stored
                source = (
                    f'SELECT "MaChiSo", "MaBanGhi", CASE WHEN ok_units > 0 THEN 1 ELSE 0 END AS n'
                    f' FROM {RECORD_TALLY} WHERE "Ky" = %s AND units > 0'
                )
            cur.execute(
                f'SELECT "MaChiSo", COUNT(*), SUM(n), SUM({in_den}) FROM ({source}) r GROUP BY "MaChiSo"',
                [*in_den_params, *params],
            )
            for code, records, ok, offered in cur.fetchall():
                out[(code, target)] = (
                    (float(offered or 0), 0.0) if code in with_rows else (float(ok or 0), float(records))
                )
    return out


def _stored_counts(period: str, fs: FormulaSet, units: set[str]) -> dict[tuple[str, str], tuple[float, float]]:
    """Stored (num, den) of the catalogue-only indicators, and the denominators of distinct ones."""
    from motcua.index766.models import IndicatorSnapshot

    codes = [ind.code for ind in fs.indicators if ind.catalog_only or ind.distinct]
    rows = IndicatorSnapshot.objects.filter(
        period=period, formula_set=fs.name, indicator__in=codes, unit__code__in=units
    ).values_list("unit__code", "indicator", "numerator", "denominator")
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
        cur.execute(
            f'SELECT "MaDonVi" FROM {PARTIALS} WHERE "Ky" = %s AND "MaChiSo" = %s AND num <= %s', [period, FLIP, epoch]
        )
        return {r[0] for r in cur.fetchall()}


def affected_units(dossier_ids: Iterable[int] = (), complaint_ids: Iterable[int] = ()) -> set[int]:
    """Units whose own records involve these dossiers and complaints (ids)."""
    from motcua.dossiers.models import Dossier
    from motcua.feedback.models import Complaint

    out: set[int] = set()
    for dossier_units in Dossier.objects.filter(id__in=list(dossier_ids)).values_list(
        "handling_unit_id", "online_service__unit_id"
    ):
        out.update(u for u in dossier_units if u)
    for complaint_units in Complaint.objects.filter(id__in=list(complaint_ids)).values_list(
        "unit_id", "dossier__handling_unit_id", "repeats__unit_id"
    ):
        out.update(u for u in complaint_units if u)
    return out


#: PostgreSQL advisory lock taken by live runs, and by a full run while it stores: two workers
#: recomputing the same unit at once could store partials read before the other's flags were
#: written, and a full run's rewrite of a period's partials and record tally must not interleave
#: with a live run's. Live runs last about a second, a full run's store a few.
LIVE_LOCK = 766768


@contextlib.contextmanager
def _one_live_run_at_a_time():
    if connection.vendor != "postgresql":  # SQLite: one writer at a time anyway
        yield
        return
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(%s)", [LIVE_LOCK])
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(%s)", [LIVE_LOCK])


def change_marks() -> dict[str, int]:
    """The highest id of each kind of record a live run reacts to (see ``changes_since``)."""
    from django.db.models import Max

    from motcua.dossiers.models import DossierEvent
    from motcua.feedback.models import Complaint, ComplaintStatusLog, Rating

    return {
        m.__name__: m.objects.aggregate(top=Max("id"))["top"] or 0
        for m in (DossierEvent, Rating, Complaint, ComplaintStatusLog)
    }


def changes_since(marks: dict[str, int]) -> tuple[set[int], set[int]]:
    """(dossier ids, complaint ids) with an event, rating, complaint or complaint step recorded
    after ``marks``: a full run replays them when it is done, so an event whose live run it
    overwrote with older values is reflected again."""
    from motcua.dossiers.models import DossierEvent
    from motcua.feedback.models import Complaint, ComplaintStatusLog, Rating

    dossiers = set(DossierEvent.objects.filter(id__gt=marks["DossierEvent"]).values_list("dossier_id", flat=True))
    dossiers |= set(Rating.objects.filter(id__gt=marks["Rating"]).values_list("dossier_id", flat=True))
    complaints = set(Complaint.objects.filter(id__gt=marks["Complaint"]).values_list("id", flat=True))
    complaints |= set(
        ComplaintStatusLog.objects.filter(id__gt=marks["ComplaintStatusLog"]).values_list("complaint_id", flat=True)
    )
    dossiers |= {d for d in Complaint.objects.filter(id__in=complaints).values_list("dossier_id", flat=True) if d}
    return dossiers, complaints


def recompute_units(
    unit_ids: Iterable[int],
    today: date | None = None,
    *,
    now: datetime | None = None,
    dossier_ids: Iterable[int] = (),
    complaint_ids: Iterable[int] = (),
    formula_set: str = "portal-2026",
    switches: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Recompute and store the current month, quarter and year of ``unit_ids`` and their ancestors.

    ``dossier_ids`` / ``complaint_ids``: records changed since the last run; their stored rows
    are brought up to date first and their units added. Needs one earlier full run
    (``tasks.recompute_current_snapshots``) for the base; a period without one is computed
    fully. Returns timings: per period the units recomputed, the units stored and seconds.
    """
    with _one_live_run_at_a_time():
        return _recompute_units(
            unit_ids,
            today,
            now=now,
            dossier_ids=dossier_ids,
            complaint_ids=complaint_ids,
            formula_set=formula_set,
            switches=switches,
        )


def _recompute_units(
    unit_ids: Iterable[int],
    today: date | None,
    *,
    now: datetime | None,
    dossier_ids: Iterable[int],
    complaint_ids: Iterable[int],
    formula_set: str,
    switches: dict[str, Any] | None,
) -> dict[str, Any]:
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
    dossier_codes = list(Dossier.objects.filter(id__in=dossier_ids).values_list("code", flat=True))
    refresh_records(dossier_codes, Complaint.objects.filter(id__in=complaint_ids).values_list("code", flat=True))
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
            if not (_has_base(period, fs) and _has_stored_base(facts.con, window)):
                logger.info("766 live: no stored base for %s yet, computing every unit", period)
                recompute_period(facts, period, now=now, formula_set=formula_set, switches=switches)
                out[period] = {"full": True, "seconds": round(time.perf_counter() - t0, 4)}
                continue
            touched = refresh_flags(facts, window, sw, dossier_codes + _flipped(facts.con, window))
            scope = (changed | touched | _stale_units(period, window.t_utc)) & set(up)
            rows = compute_partials(facts, window, fs, sw, scope)
            in_den = "kept" if facts.meta.get("den_kept") else "rebuilt"
            targets = sorted({a for u in scope for a in up[u]})
            counts = _stored_counts(period, fs, set(targets) | {anchors[t] for t in targets})
            with transaction.atomic():
                _store_partials(window.period.code, rows, scope)
                pooled = _pooled_counts(period, fs, sw, targets, down, len(up))
                for ind in fs.indicators:
                    if ind.catalog_only:
                        continue
                    for t in targets:
                        num, den = pooled.get((ind.code, t), (0.0, 0.0))
                        if ind.distinct and ind.den_mode(sw) != "records":
                            # numerator from partials, denominator (catalogue) as stored
                            den = counts.get((ind.code, t), (0.0, 0.0))[1]
                        counts[(ind.code, t)] = (num, den)
                report = ScoreReport(
                    fs.name, window.period, window.t, score_units(counts, unit_rows, fs, sw, units=targets), sw
                )
                snapshots.store(report)
            out[period] = {
                "units": sorted(scope),
                "stored": targets,
                "den": in_den,
                "seconds": round(time.perf_counter() - t0, 4),
            }
    finally:
        facts.con.disconnect()
    out["seconds"] = round(time.perf_counter() - started, 4)
    logger.info("766 live recompute: %s", out)
    return out


__all__ = ["recompute_units", "recompute_period", "compute_partials", "affected_units", "change_marks", "changes_since"]
