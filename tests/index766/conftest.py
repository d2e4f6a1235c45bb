"""Fixtures: each scenario is a tiny exchange set loaded into an in-memory DuckDB.

Facts and reports are module-scoped (Ibis needs ~0.5 s to compile a score).
``MOTCUA_766_BACKENDS=duckdb,sqlite,postgres`` runs every scenario on each
(postgres: on the server DATABASE_URL names, in a scratch database); by default
the scenarios run on DuckDB and test_conformance.py replays them on SQLite (and
PostgreSQL when DATABASE_URL is one), comparing the whole JSON.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
from datetime import datetime

import pytest
from django.db import connections

from motcua.index766.periods import VN
from motcua.index766.sources import copy_to_postgres, copy_to_sqlite

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


def scratch_postgres(name: str):
    """Create a scratch database on DATABASE_URL's server; yield its URL; drop it."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("DATABASE_URL is not PostgreSQL")
    params = conninfo_to_dict(url)
    admin = make_conninfo(**{**params, "dbname": "postgres"})
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}"')
        c.execute(f'CREATE DATABASE "{name}"')
    auth = params.get("user", "postgres") + (f":{params['password']}" if params.get("password") else "")
    yield f"postgres://{auth}@{params.get('host', '127.0.0.1')}:{params.get('port', 5432)}/{name}"
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def make_facts(backend, tmp_path_factory, request):
    pg = None
    if backend == "postgres":
        gen = scratch_postgres(f"m766_t_{os.getpid()}_{next(_ids)}")
        pg = next(gen)
        request.addfinalizer(lambda: next(gen, None))

    def _make(**files):
        facts = load(tmp_path_factory.mktemp(f"set{next(_ids)}"), **files)
        if backend == "sqlite":
            return copy_to_sqlite(facts)
        if backend == "postgres":
            return copy_to_postgres(facts, pg)
        return facts

    return _make


@pytest.fixture(scope="module")
def duck_facts(tmp_path_factory):
    """DuckDB only (loader tests, property tests)."""

    def _make(**files):
        return load(tmp_path_factory.mktemp(f"set{next(_ids)}"), **files)

    return _make


@pytest.fixture(scope="module")
def file_database(django_db_setup, django_db_blocker, tmp_path_factory):
    """On an in-memory SQLite test database, run the using module on a file copy of it.

    tests/settings.py gives the suite file test databases, where this is a no-op (as on PostgreSQL);
    it matters when the tests run under settings with the in-memory default.

    Ibis reads through its own connection, which cannot see an in-memory database.
    """
    conn = connections["default"]
    if conn.vendor != "sqlite" or not conn.is_in_memory_db():
        yield None
        return
    path = tmp_path_factory.mktemp("m766db") / "test.sqlite3"
    with django_db_blocker.unblock():
        conn.ensure_connection()
        memory, name = conn.connection, conn.settings_dict["NAME"]
        with sqlite3.connect(path) as target:
            memory.backup(target)  # the migrated schema, in milliseconds
        # Detach (not close: closing would destroy the in-memory database).
        conn.connection = None
        conn.settings_dict["NAME"] = str(path)
        try:
            yield path
        finally:
            conn.close()
            conn.settings_dict["NAME"] = name
            conn.connection = memory
