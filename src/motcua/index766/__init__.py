"""The 766 index engine (Quyết định 766/QĐ-TTg): facts -> indicator scores per unit and period.

Public API::

    from motcua.index766 import load_exchange_set, score
    facts = load_exchange_set("data/")            # or open_snapshot("x.duckdb"), Facts.from_backend(con)
    report = score(facts, "2026-08", as_of="2026-08-15T17:00")
    report.to_json()                               # interchange.md §3
    explain(facts, "2026-08", "H44.01", "2.1")     # the dossiers that cost points, and how many
    forecast(facts, "2026-08")                     # score at period end if nothing changes

Imports are lazy so that Django can load this app without Ibis/DuckDB work.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "Facts": "motcua.index766.facts",
    "load_exchange_set": "motcua.index766.sources",
    "prepare_snapshot": "motcua.index766.sources",
    "open_snapshot": "motcua.index766.sources",
    "score": "motcua.index766.engine",
    "ScoreReport": "motcua.index766.engine",
    "parse_period": "motcua.index766.periods",
    "get_formula_set": "motcua.index766.registry",
    "SWITCHES": "motcua.index766.registry",
    "explain": "motcua.index766.explain",
    "indicator_records": "motcua.index766.explain",
    "forecast": "motcua.index766.forecast",
    "copy_to_sqlite": "motcua.index766.sources",
    "copy_to_postgres": "motcua.index766.sources",
    "derived_frames": "motcua.index766.derive",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(name)


__all__ = sorted(_EXPORTS)
