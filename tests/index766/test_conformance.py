"""The same scenarios on SQLite (through Ibis) give exactly the DuckDB JSON."""

from __future__ import annotations

import pytest

from motcua.index766 import score
from motcua.index766.sources import copy_to_sqlite

from . import (
    test_digitization,
    test_edges,
    test_on_time,
    test_online_payment,
    test_publication,
    test_satisfaction,
)
from .builders import load
from .conftest import NOW

SCENARIOS = {
    "online_payment": test_online_payment.SCENARIO,
    "digitization": test_digitization.SCENARIO,
    "satisfaction": test_satisfaction.SCENARIO,
    "edges": test_edges.SCENARIO,
    "on_time": test_on_time.SCENARIO,
    "publication": test_publication.SCENARIO,
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_sqlite_matches_duckdb(name, tmp_path):
    duck = load(tmp_path / name, **SCENARIOS[name])
    lite = copy_to_sqlite(duck)
    a = score(duck, "2026-03", now=NOW).to_json()
    b = score(lite, "2026-03", now=NOW).to_json()
    assert a == b
