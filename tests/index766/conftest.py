"""Fixtures: each scenario is a tiny exchange set loaded into an in-memory DuckDB.

Facts and reports are module-scoped (Ibis needs ~0.5 s to compile a score).
``MOTCUA_766_BACKENDS=duckdb,sqlite`` runs every scenario on both; by default
the scenarios run on DuckDB and test_conformance.py replays them on SQLite,
comparing the whole JSON.
"""

from __future__ import annotations

import itertools
import os
from datetime import datetime

import pytest

from motcua.index766.periods import VN
from motcua.index766.sources import copy_to_sqlite

from .builders import load

#: Fixed "now", long after the test periods: T = period end unless as_of says otherwise.
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=VN)

BACKENDS = os.environ.get("MOTCUA_766_BACKENDS", "duckdb").split(",")

_ids = itertools.count()


def pytest_collection_modifyitems(items):
    # Ibis 12 calls DuckDB 2.0's deprecated fetch_arrow_table; pandas 3 warns on an option Ibis reads.
    for item in items:
        item.add_marker(pytest.mark.filterwarnings("ignore::DeprecationWarning"))
        item.add_marker(pytest.mark.filterwarnings("ignore:.*infer_string.*"))


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture(scope="module")
def make_facts(backend, tmp_path_factory):
    def _make(**files):
        facts = load(tmp_path_factory.mktemp(f"set{next(_ids)}"), **files)
        return copy_to_sqlite(facts) if backend == "sqlite" else facts

    return _make


@pytest.fixture(scope="module")
def duck_facts(tmp_path_factory):
    """DuckDB only (loader tests, property tests)."""

    def _make(**files):
        return load(tmp_path_factory.mktemp(f"set{next(_ids)}"), **files)

    return _make
