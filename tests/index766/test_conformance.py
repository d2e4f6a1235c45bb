"""The same scenarios on SQLite and PostgreSQL (through Ibis) give exactly the DuckDB JSON.

SQLite always runs. PostgreSQL runs when DATABASE_URL points at a PostgreSQL server
(the CI's second pass): a scratch database is created there and dropped after.
"""

from __future__ import annotations

import os

import pytest

from motcua.index766 import score
from motcua.index766.sources import copy_to_postgres, copy_to_sqlite

from . import (
    test_digitization,
    test_edges,
    test_on_time,
    test_online_payment,
    test_portal_rules,
    test_publication,
    test_satisfaction,
)
from .builders import load
from .conftest import NOW, scratch_postgres

SCENARIOS = {
    "online_payment": test_online_payment.SCENARIO,
    "digitization": test_digitization.SCENARIO,
    "satisfaction": test_satisfaction.SCENARIO,
    "edges": test_edges.SCENARIO,
    "on_time": test_on_time.SCENARIO,
    "publication": test_publication.SCENARIO,
    "portal_rules": test_portal_rules.SCENARIO,
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_sqlite_matches_duckdb(name, tmp_path):
    duck = load(tmp_path / name, **SCENARIOS[name])
    lite = copy_to_sqlite(duck)
    assert score(lite, "2026-03", now=NOW).to_json() == score(duck, "2026-03", now=NOW).to_json()


@pytest.fixture(scope="module")
def pg_url():
    yield from scratch_postgres(f"m766_conformance_{os.getpid()}")


@pytest.mark.postgres
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_postgres_matches_duckdb(name, tmp_path, pg_url):
    duck = load(tmp_path / name, **SCENARIOS[name])
    pg = copy_to_postgres(duck, pg_url)
    try:
        assert score(pg, "2026-03", now=NOW).to_json() == score(duck, "2026-03", now=NOW).to_json()
    finally:
        pg.con.disconnect()
