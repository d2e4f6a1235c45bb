"""The six rules of interchange.md §4.1 on the live path: test_portal_rules.py's hand-built scenario
dated in the current month, imported; under each rule's two readings a full run, dossier events and
a live run, whose stored tuples must equal a full recomputation, and differ between the readings
where the scenario makes §4 and §4.1 differ.

Runs on SQLite (file copy) and PostgreSQL like test_live.py.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from motcua.catalog.models import Procedure
from motcua.dossiers import services
from motcua.feedback.models import Complaint
from motcua.index766.database import database_facts, refresh_database_facts, score_database
from motcua.index766.live import recompute_period, recompute_units
from motcua.index766.models import IndicatorSnapshot
from motcua.index766.periods import VN
from motcua.interchange.importer import import_exchange_set
from motcua.org.models import Unit

from .builders import write_set
from .test_live import _expected, _stored
from .test_portal_rules import scenario

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("file_database")]

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=VN)
TODAY = date(2026, 11, 24)
PERIODS = ("2026-11", "2026-Q4", "2026")

#: rule -> (switch, §4's value, (unit, indicator) where the scenario makes the readings differ)
RULES = {
    "rounding": ("rounding", "exact", ("X2", "3.3")),
    "sync_denominator": ("sync_denominator", "reference", ("X1", "1.4")),
    "pakn_judged_at": ("pakn_judged_at", "as_of", ("X1", "5.2")),
    "catalogue_at": ("catalogue_at", "period", ("X1", "3.2")),
    "service_key": ("service_key", "madvc", ("X2", "3.2")),
    "procedure_lists": ("procedure_lists", "competence", ("P", "3.5")),
}


@pytest.fixture
def province(tmp_path):
    assert import_exchange_set(write_set(tmp_path / "set", **scenario("2026-11"))).ok


def _full_run(switches: dict) -> None:
    refresh_database_facts()
    facts = database_facts()
    try:
        for period in PERIODS:
            recompute_period(facts, period, now=NOW, switches=switches)
    finally:
        facts.con.disconnect()


def _events() -> tuple[set[int], set[int]]:
    """Monday 23 November: an online dossier of T5 at X2 (T5 now used there: 3.2 by procedure and
    by service), a dossier of fee-bearing T7 at X1 (3.5's denominator under procedure_lists=portal);
    the unanswered complaint C1 (due 26 November, before the month's end) is recomputed too."""
    at = datetime(2026, 11, 23, 8, 0, tzinfo=VN)
    online = services.receive(
        procedure=Procedure.objects.get(code="T5"), handling_unit=Unit.objects.get(code="X2"), channel=2, received_at=at
    )
    fee = services.receive(
        procedure=Procedure.objects.get(code="T7"), handling_unit=Unit.objects.get(code="X1"), channel=1, received_at=at
    )
    return {online.pk, fee.pk}, {Complaint.objects.get(code="C1").pk}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_live_equals_full_under_both_readings(province, rule):
    switch, written, (unit, code) = RULES[rule]
    all_units = set(Unit.objects.values_list("code", flat=True))
    seen = {}
    for switches in ({}, {switch: written}):
        _full_run(switches)
        dossiers, complaints = _events()
        recompute_units([], TODAY, now=NOW, dossier_ids=dossiers, complaint_ids=complaints, switches=switches)
        for period in PERIODS:
            full = score_database(period, now=NOW, switches=switches)
            assert _stored(period, all_units) == _expected(full, all_units), (switches, period)
        s = IndicatorSnapshot.objects.get(unit__code=unit, period="2026-11", indicator=code)
        seen[switch + "=" + (switches.get(switch) or "default")] = (s.numerator, s.denominator, s.score)
    portal, other = seen.values()
    assert portal != other, seen


def test_province_only_3_1_and_live_3_5(province):
    """The values themselves, after the events, under the defaults: 3.1 scored at the province only,
    3.5's denominator grown by the event's fee-bearing procedure (a "records" denominator)."""
    _full_run({})
    dossiers, complaints = _events()
    recompute_units([], TODAY, now=NOW, dossier_ids=dossiers, complaint_ids=complaints)
    x1 = IndicatorSnapshot.objects.get(unit__code="X1", period="2026-11", indicator="3.1")
    assert (x1.numerator, x1.denominator, float(x1.score)) == (None, None, 0.0)
    assert "Chỉ tính cho cấp tỉnh" in x1.note
    p35 = IndicatorSnapshot.objects.get(unit__code="P", period="2026-11", indicator="3.5")
    assert (p35.numerator, p35.denominator, float(p35.score)) == (1, 2, 1.25)  # T2 of T2, T7
    p32 = IndicatorSnapshot.objects.get(unit__code="P", period="2026-11", indicator="3.2")
    assert (p32.numerator, p32.denominator) == (2, 3)  # T1, T5 used (X1's O5, X2's event); T3 not
    x2 = IndicatorSnapshot.objects.get(unit__code="X2", period="2026-11", indicator="3.2")
    assert (x2.numerator, x2.denominator) == (2, 2)  # T1, and T5 since the event
