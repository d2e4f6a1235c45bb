"""Scoring the application database gives exactly the exchange set's scores.

A generated province is imported into the test database; the m766_* views and
derived tables (index766/database.py) must then reproduce every fact relation and
the whole score JSON of the same set loaded into DuckDB. Runs on SQLite and, when
DATABASE_URL is PostgreSQL, on PostgreSQL.

Ibis reads through its own connection, so the tests are transactional (data
committed) and, on SQLite, use a file database: pytest-django's in-memory test
database is copied into a temporary file for this module only (``file_database``);
running the suite with ``MOTCUA_TEST_SQLITE=/path/test.sqlite3`` (settings.py) makes the
test database a file already and the copy is skipped.
"""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd
import pytest
from django.db import connections, transaction

from motcua.index766 import score
from motcua.index766.database import (
    DEFAULT_SWITCHES,
    database_facts,
    refresh_database_facts,
    score_database,
)
from motcua.index766.facts import OPTIONAL_SCHEMAS, SCHEMAS
from motcua.index766.periods import VN
from motcua.index766.sources import load_exchange_set

from .conftest import NOW

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("file_database")]

PERIODS = ("2026-10", "2026-Q3", "2026")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from motcua.interchange.generator import generate_exchange_set

    folder = tmp_path_factory.mktemp("m766gen") / "set"
    generate_exchange_set(folder, dossiers=400, seed=11, until=date(2026, 11, 20), units=60, procedures=200)
    return folder


@pytest.fixture(scope="module")
def exchange_facts(generated):
    return load_exchange_set(generated)


def _import(folder) -> None:
    from motcua.interchange.importer import import_exchange_set

    report = import_exchange_set(folder)
    assert report.counts["dossiers"].created == 400


def _rows(frame: pd.DataFrame) -> list[tuple]:
    """Rows in a backend-neutral form, sorted."""

    def norm(v):
        if v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
            return None
        if isinstance(v, pd.Timestamp):
            return v.to_pydatetime()
        if hasattr(v, "item"):  # numpy scalars
            v = v.item()
        if isinstance(v, float):
            return round(v, 9)
        return v

    rows = [tuple(norm(v) for v in r) for r in frame.astype(object).itertuples(index=False, name=None)]
    return sorted(rows, key=repr)


def test_relations_match_the_exchange_set(generated, exchange_facts):
    _import(generated)
    refresh_database_facts()
    refresh_database_facts()  # idempotent: replaces views and tables in place
    db = database_facts()
    try:
        assert db.has("dossier_summary")
        for name, cols in {**SCHEMAS, "dossier_summary": OPTIONAL_SCHEMAS["dossier_summary"]}.items():
            mine = db.table(name).select(*cols).execute()
            theirs = exchange_facts.table(name).select(*cols).execute()
            assert len(mine) == len(theirs), name
            assert _rows(mine) == _rows(theirs), name
    finally:
        db.con.disconnect()
    # And the scores, for a month (also with an as_of inside it), a quarter and the year.
    for period in PERIODS:
        expected = score(exchange_facts, period, now=NOW, switches=DEFAULT_SWITCHES).to_json()
        assert score_database(period, now=NOW, refresh=False).to_json() == expected, period
    as_of = "2026-10-15T17:00"
    expected = score(exchange_facts, "2026-10", as_of=as_of, now=NOW, switches=DEFAULT_SWITCHES).to_json()
    assert score_database("2026-10", as_of=as_of, now=NOW, refresh=False).to_json() == expected


def test_switches_default_and_override(generated, exchange_facts):
    _import(generated)
    refresh_database_facts()
    ref = {"sync_denominator": "reference"}
    default = score_database("2026", now=NOW, refresh=False)
    # §4.1: the database is scored with the portal's rules too (§4 had own_received here).
    assert default.switches["sync_denominator"] == "synced"
    assert default.to_json() == score(exchange_facts, "2026", now=NOW, switches=DEFAULT_SWITCHES).to_json()
    for sw in (ref, {"sync_denominator": "own_received"}):
        assert (
            score_database("2026", now=NOW, switches=sw, refresh=False).to_json()
            == score(exchange_facts, "2026", now=NOW, switches=sw).to_json()
        )


def test_lifecycle_change_reaches_the_score_after_refresh(generated, tmp_path):
    from motcua.dossiers import services
    from motcua.dossiers.models import Dossier, Status
    from motcua.interchange.exporter import export_exchange_set

    _import(generated)
    at = datetime(2026, 11, 23, 10, 0, tzinfo=VN)  # Monday, after the generated events, before NOW
    dossier = (
        Dossier.objects.filter(
            status=Status.PROCESSING, received_at__year=2026, received_at__lt=at, pauses__isnull=True
        )
        .order_by("code")
        .first()
    )
    assert dossier is not None
    unit = dossier.handling_unit.code

    before = score_database("2026", now=NOW, units=[unit])
    services.finish(dossier, result_code="KQ-1", at=at)
    stale = score_database("2026", now=NOW, units=[unit], refresh=False)
    after = score_database("2026", now=NOW, units=[unit])

    # 2.2 (processing time) counts finished dossiers: one more, after the refresh only.
    den = lambda report: report.unit(unit).indicator("2.2").denominator  # noqa: E731
    assert den(stale) == den(before)
    assert den(after) == den(before) + 1
    assert after.to_json() != before.to_json()

    # The refreshed views equal scoring the database's own export.
    export_exchange_set(tmp_path / "export")
    exported = load_exchange_set(tmp_path / "export")
    assert after.to_json() == score(exported, "2026", now=NOW, units=[unit], switches=DEFAULT_SWITCHES).to_json()


def test_refresh_refuses_inside_atomic():
    with transaction.atomic(), pytest.raises(RuntimeError):
        refresh_database_facts()


def test_empty_database_and_foreign_definitions():
    """Replaces whatever m766_* objects exist; empty relations keep their types (SQLite)."""
    conn = connections["default"]
    cascade = " CASCADE" if conn.vendor == "postgresql" else ""
    with conn.cursor() as cur:
        for name in ("m766_base_units", "m766_dossiers"):
            for kind in ("VIEW", "TABLE"):  # m766_dossiers is a stored table
                try:
                    with transaction.atomic():
                        cur.execute(f"DROP {kind} IF EXISTS {name}{cascade}")
                except Exception:  # noqa: BLE001 - the other kind
                    pass
            cur.execute(f"CREATE VIEW {name} AS SELECT 1 AS x")
    refresh_database_facts()
    db = database_facts()
    try:
        db.check()
        assert db.dossiers.count().execute() == 0
        assert str(db.dossiers.schema()["NgayTiepNhan"]).startswith("timestamp")
    finally:
        db.con.disconnect()
    assert score_database("2026-03", now=NOW).units == []


def _identity(name: str):
    """The table's identity: its OID on PostgreSQL, its root page on SQLite."""
    conn = connections["default"]
    with conn.cursor() as cur:
        if conn.vendor == "postgresql":
            cur.execute("SELECT %s::regclass::oid", [name])
        else:
            cur.execute("SELECT rootpage FROM sqlite_master WHERE name = %s", [name])
        return cur.fetchone()[0]


def test_a_second_refresh_keeps_the_derived_tables_in_place(generated):
    """Refreshing empties and refills the derived tables instead of dropping them, so a score
    running meanwhile on another connection never finds its relation gone."""
    _import(generated)
    refresh_database_facts()
    names = ["m766_dossier_calendar", "m766_complaint_clocks", "m766_dossier_summary"]
    before = {name: _identity(name) for name in names}
    first = score_database("2026-Q3", now=NOW, refresh=False).to_json()
    refresh_database_facts()
    assert {name: _identity(name) for name in names} == before
    assert score_database("2026-Q3", now=NOW, refresh=False).to_json() == first


def test_score_command_without_refresh_reads_the_stored_tables(generated, capsys):
    """``motcua score --no-refresh`` scores from the derived tables as they are (the worker keeps
    them current): right after a refresh, the same JSON; a dossier changed since is not seen."""
    import json

    from django.core.management import call_command

    from motcua.dossiers.models import Dossier

    _import(generated)
    args = ("score", "--period", "2026-Q3", "--as-of", NOW.isoformat(), "--format", "json")
    call_command(*args)
    refreshed = json.loads(capsys.readouterr().out)
    call_command(*args, "--no-refresh")
    assert json.loads(capsys.readouterr().out) == refreshed

    Dossier.objects.filter(received_at__year=2026, received_at__month=8).update(online_payment=0, paid_at=None)
    call_command(*args, "--no-refresh")
    assert json.loads(capsys.readouterr().out) == refreshed  # as stored
    call_command(*args)
    assert json.loads(capsys.readouterr().out) != refreshed  # rebuilt: the change shows
