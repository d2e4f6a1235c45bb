"""The same scenarios on SQLite and PostgreSQL (through Ibis) give exactly the DuckDB JSON.

SQLite always runs. PostgreSQL runs when DATABASE_URL points at a PostgreSQL server
(the CI's second pass): a scratch database is created there and dropped after.
"""

from __future__ import annotations

import os

import pytest

from motcua.index766 import score
from motcua.index766.registry import RULE_NOTES, SWITCHES
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


#: §4's reading of each of §4.1's six rules (every switch value but the portal's default).
WRITTEN_READINGS = [(name, value) for name in RULE_NOTES for value in SWITCHES[name][0][1:]]


@pytest.mark.parametrize(("switch", "value"), WRITTEN_READINGS)
def test_written_readings_match_duckdb_on_sqlite(switch, value, tmp_path):
    duck = load(tmp_path / "rules", **test_portal_rules.SCENARIO)
    lite = copy_to_sqlite(duck)
    sw = {switch: value}
    assert (
        score(lite, "2026-03", now=NOW, switches=sw).to_json() == score(duck, "2026-03", now=NOW, switches=sw).to_json()
    )


@pytest.mark.postgres
@pytest.mark.parametrize(("switch", "value"), WRITTEN_READINGS)
def test_written_readings_match_duckdb_on_postgres(switch, value, tmp_path, pg_url):
    duck = load(tmp_path / "rules", **test_portal_rules.SCENARIO)
    pg = copy_to_postgres(duck, pg_url)
    sw = {switch: value}
    try:
        assert (
            score(pg, "2026-03", now=NOW, switches=sw).to_json()
            == score(duck, "2026-03", now=NOW, switches=sw).to_json()
        )
    finally:
        pg.con.disconnect()
