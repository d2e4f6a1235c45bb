"""Compiled score templates: build and compile the Ibis expressions once, run many times.

Building and compiling the ~24 indicator expressions costs Ibis about half a
second, far more than running them on a small database. A template is the
compiled SQL of one evaluation with placeholder literals (context.SENTINELS)
and placeholder temp-table names; running it substitutes the rendering of the
real literals (rendered by the same Ibis compiler) and a fresh table token.

Cache key: backend, relation prefix, fact schemas, formula set, switches and
the number of months in the period (1.4 lists them). Values (T, period start,
judge instant, period code, months) are not part of the key.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ibis

from motcua.index766.context import (
    LITERAL_TYPES,
    SENTINELS,
    TOKEN,
    Context,
    _raw,
    drop_temp_tables,
    month_sentinel,
    window_values,
)
from motcua.index766.facts import SCHEMAS, Facts
from motcua.index766.periods import Window
from motcua.index766.registry import FormulaSet, pooled_parts

_LIT_RE = re.compile(r'^\s*SELECT\s+(.*?)\s+AS\s+"v"\s*$', re.S)
_tokens = itertools.count()
_lock = threading.Lock()
_CACHE: dict[tuple, CompiledScore] = {}


_LITERALS: dict[tuple, str] = {}  # (dialect, type, value) -> rendering; Ibis compiles one in ~5 ms


def render_literal(con: Any, value: Any, type_: str) -> str:
    key = (getattr(con, "name", "?"), type_, type(value), getattr(value, "tzinfo", None), value)
    cacheable = True
    try:
        hit = _LITERALS.get(key)
    except TypeError:  # an unhashable value (a list): rendered every time
        cacheable, hit = False, None
    if hit is not None:
        return hit
    sql = str(con.compile(ibis.literal(value, type=type_).name("v")))
    m = _LIT_RE.match(sql)
    if not m:  # pragma: no cover - a dialect we have not seen
        raise RuntimeError(f"cannot extract literal from {sql!r}")
    if len(_LITERALS) > 4096:  # T changes every run: keep the cache bounded
        _LITERALS.clear()
    if cacheable:
        _LITERALS[key] = m.group(1)
    return m.group(1)


def analyze(con: Any, table: str) -> None:
    """Planner statistics for a fresh temporary table (PostgreSQL's autovacuum never sees them).

    Without them PostgreSQL guesses a few thousand rows for any small temp table, and a one-unit
    scope or a few hundred dossiers are hash-joined against every stored dossier (0.5 s instead of
    10 ms at 2 M dossiers); a full period's flags get poor aggregate plans (a year +1 s).
    """
    if con.name == "postgres":
        # A small sample is enough for row counts and join estimates (the default 30,000-row
        # sample costs 150 ms on a large department's year).
        _raw(con, f'SET default_statistics_target = 10; ANALYZE "{table}"; RESET default_statistics_target')


@dataclass
class CompiledScore:
    steps: list[tuple[str, str]]  # (temp table name with TOKEN, SELECT sql)
    final: str  # SELECT code, unit, num, den … UNION ALL …
    n_months: int
    #: step key (``dossier_flags``…) -> the Ibis schema of its relation
    schemas: dict[str, Any] = field(default_factory=dict)
    #: steps left without planner statistics: large copies only aggregated, sized from their pages
    unanalysed: frozenset[str] = frozenset()

    def run(
        self,
        facts: Facts,
        window: Window,
        judge_at: Any = None,
        after_steps: Callable[[dict[str, str]], None] | None = None,
    ) -> list[tuple]:
        """The final rows; ``after_steps`` gets {step key: temp table} once the steps exist
        (live.py keeps the dossier flags), before the final query."""
        from motcua.index766.engine import fetch_all

        con = facts.con
        values = window_values(window, judge_at)
        subs: list[tuple[str, str]] = []
        for key, type_ in LITERAL_TYPES.items():
            subs.append((render_literal(con, SENTINELS[key], type_), render_literal(con, values[key], type_)))
        for i in range(self.n_months):
            subs.append(
                (render_literal(con, month_sentinel(i), "string"), render_literal(con, values[f"month{i}"], "string"))
            )
        token = f"r{next(_tokens)}"
        subs.append((TOKEN, token))

        def sub(sql: str) -> str:
            for old, new in subs:
                sql = sql.replace(old, new)
            return sql

        created: list[str] = []
        try:
            for name, sql in self.steps:
                real = name.replace(TOKEN, token)
                _raw(con, f'CREATE TEMP TABLE "{real}" AS {sub(sql)}')
                created.append(real)
                if step_key(name) not in self.unanalysed:
                    analyze(con, real)
            if after_steps is not None:
                after_steps({step_key(name): name.replace(TOKEN, token) for name, _ in self.steps})
            return fetch_all(con, sub(self.final))
        finally:
            drop_temp_tables(con, created)


def step_key(name: str) -> str:
    """``_m766_dossier_flags_<token>`` -> ``dossier_flags`` (context.Context._store names steps so)."""
    return name.removeprefix("_m766_").removesuffix("_" + TOKEN)


def _signature(facts: Facts) -> tuple:
    sig = facts.meta.get("_schema_signature")
    if sig is None:
        sig = tuple((name, tuple((c, str(t)) for c, t in facts.table(name).schema().items())) for name in SCHEMAS)
        facts.meta["_schema_signature"] = sig
    return sig


def build(facts: Facts, window: Window, fs: FormulaSet, switches: dict[str, str]) -> CompiledScore:
    ctx = Context(facts, window, switches, template=True)
    try:
        parts = [
            pooled.mutate(code=ibis.literal(code)).select("code", "unit", "num", "den")
            for code, pooled in pooled_parts(ctx, fs)
        ]
        # Each part compiled alone, joined as text: Ibis compiles a union of N as N-1 nested
        # subqueries, slower to compile and too deep for SQLite's parser.
        final = "\nUNION ALL\n".join(f"SELECT * FROM ({facts.con.compile(p)}) AS q{i}" for i, p in enumerate(parts))
        return CompiledScore(list(ctx.steps), final, len(window.period.months()), dict(ctx.step_schemas))
    finally:
        ctx.close()


def compiled_score(facts: Facts, window: Window, fs: FormulaSet, switches: dict[str, str]) -> CompiledScore:
    key = (
        facts.backend_name,
        facts.prefix,
        _signature(facts),
        fs.name,
        tuple(sorted(switches.items())),
        len(window.period.months()),
    )
    with _lock:
        hit = _CACHE.get(key)
    if hit is None:
        hit = build(facts, window, fs, switches)
        with _lock:
            _CACHE[key] = hit
    return hit
