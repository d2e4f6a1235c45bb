"""explain on the application database names the step and official answerable for each dossier."""

from __future__ import annotations

from datetime import datetime

import pytest

from motcua.index766.database import DEFAULT_SWITCHES, database_facts, refresh_database_facts
from motcua.index766.explain import explain
from motcua.index766.periods import VN

from .test_responsibility import scene  # noqa: F401 - the fixture

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("file_database")]
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=VN)


def test_explain_names_step_and_official(scene):  # noqa: F811
    d, e = scene["dossiers"]
    refresh_database_facts()
    facts = database_facts()
    try:
        missing = explain(facts, "2026-03", "H99.01", "2.1", now=NOW, switches=DEFAULT_SWITCHES)
        fee = explain(facts, "2026-03", "H99", "1.3", now=NOW, switches=DEFAULT_SWITCHES)
    finally:
        facts.con.disconnect()
    # Both dossiers are late (d finished after its due instant; e still open at the period end):
    # d's first overrun step was Thẩm định (an); e is at Thẩm định, assigned to an.
    assert [(m.record, m.unit, m.step, m.official) for m in missing] == [
        (d.code, "H99.01", "Thẩm định", "an"),
        (e.code, "H99.01", "Thẩm định", "an"),
    ]
    # Records that are not dossiers carry none.
    assert all(m.step is None and m.official is None for m in fee)
