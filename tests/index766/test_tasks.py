"""The worker's periodic recomputation stores the current periods' tuples for every unit."""

from datetime import date

import pytest
from django.db import connection

from motcua.index766.models import IndicatorSnapshot
from motcua.index766.tasks import current_periods, recompute_current_snapshots
from motcua.interchange.generator import generate_exchange_set
from motcua.interchange.importer import import_exchange_set
from motcua.org.models import Unit

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("file_database")]


def test_current_periods():
    assert current_periods(date(2026, 11, 24)) == ["2026-11", "2026-Q4", "2026"]
    assert current_periods(date(2027, 1, 2)) == ["2027-01", "2027-Q1", "2027"]


def test_recompute_stores_every_unit_and_indicator(tmp_path):
    generate_exchange_set(tmp_path / "set", dossiers=200, seed=4, until=date(2026, 11, 20), units=60, procedures=200)
    assert import_exchange_set(tmp_path / "set").ok
    stored = recompute_current_snapshots(date(2026, 11, 24))
    units = Unit.objects.count()
    assert stored == {"2026-11": units * 24, "2026-Q4": units * 24, "2026": units * 24}
    assert IndicatorSnapshot.objects.filter(period="2026", indicator="2.1").count() == units
    # Running again replaces, never duplicates.
    recompute_current_snapshots(date(2026, 11, 24))
    assert IndicatorSnapshot.objects.count() == 3 * units * 24
    if connection.vendor == "postgresql":
        # The live runs read a few units' tuples: with no planner statistics (autovacuum off or
        # not yet around) PostgreSQL scanned the whole period for them.
        with connection.cursor() as cur:
            cur.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [IndicatorSnapshot._meta.db_table])
            assert cur.fetchone()[0] == 3 * units * 24
