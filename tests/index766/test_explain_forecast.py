"""Explanations (records not in the numerator, with their worth) and the period-end forecast."""

from __future__ import annotations

import pytest

from motcua.index766.explain import explain
from motcua.index766.forecast import forecast

from .builders import PROVINCE, complaint, dossier, procedure
from .conftest import NOW

R = "2026-03-02T08:00"
AS_OF = "2026-03-10T12:00"
SCENARIO = dict(
    units=PROVINCE,
    procedures=[procedure("T1")],
    dossiers=[
        dossier("d1", "T1", "X1", R, "2026-03-20T17:00", [(2, R)]),  # open, due before period end
        dossier("d2", "T1", "X1", R, "2026-04-10T17:00", [(2, R)]),  # open, due after
        dossier("d3", "T1", "X1", R, "2026-03-05T17:00", [(2, R)]),  # already late
        dossier("d4", "T1", "X1", R, "2026-03-09T17:00", [(2, R), (9, "2026-03-03T08:00")]),
    ],
    complaints=[complaint("c1", "X1", R, [("cho_tiep_nhan", R), ("da_tiep_nhan", "2026-03-02T09:00")])],
)


@pytest.fixture(scope="module")
def facts(make_facts):
    return make_facts(**SCENARIO)


def test_explain_2_1(facts):
    missing = explain(facts, "2026-03", "X1", "2.1", as_of=AS_OF, now=NOW)
    assert [(m.record, m.record_kind, m.unit, m.points) for m in missing] == [("d3", "MaHoSo", "X1", 5.0)]
    # The province sees the same dossier (pooled subtree).
    assert [m.record for m in explain(facts, "2026-03", "P", "2.1", as_of=AS_OF, now=NOW)] == ["d3"]


def test_explain_target_indicator(facts):
    # 5.4 at 3/4 = 5.0 points; one more dossier -> 4/4 capped at 6: worth 1.0.
    missing = explain(facts, "2026-03", "X1", "5.4", as_of=AS_OF, now=NOW)
    assert [(m.record, m.points) for m in missing] == [("d3", 1.0)]


@pytest.fixture(scope="module")
def fc(facts):
    # Complaints judged at T (§4's pakn_judged_at=as_of): c1 is still in time and at risk. Under
    # §4.1's default (period_end) it is already missed at T: test_forecast_under_the_portal_rule.
    return forecast(facts, "2026-03", as_of=AS_OF, now=NOW, units=["X1"], switches={"pakn_judged_at": "as_of"})


def test_forecast_under_the_portal_rule(facts):
    fc = forecast(facts, "2026-03", as_of=AS_OF, now=NOW, units=["X1"])
    now, end = fc.now.unit("X1"), fc.at_period_end.unit("X1")
    # c1's handling deadline (23 March) falls before the period's end: 0 already at T, nothing at risk.
    assert (now.indicator("5.2").to_json()["score"], end.indicator("5.2").to_json()["score"]) == (0.0, 0.0)
    assert [(i.record, i.indicators, i.points) for i in fc.items] == [("d1", ["2.1", "5.4"], 6.67)]
    assert float(fc.points_at_risk("X1")) == pytest.approx(5 + 1.67)


def test_forecast_scores(fc):
    now, end = fc.now.unit("X1"), fc.at_period_end.unit("X1")
    assert (now.indicator("2.1").to_json()["score"], end.indicator("2.1").to_json()["score"]) == (15.0, 10.0)
    assert (now.indicator("5.4").to_json()["score"], end.indicator("5.4").to_json()["score"]) == (5.0, 3.33)
    assert (now.indicator("5.2").to_json()["score"], end.indicator("5.2").to_json()["score"]) == (6.0, 0.0)
    assert (now.indicator("5.3").to_json()["score"], end.indicator("5.3").to_json()["score"]) == (6.0, 0.0)
    assert float(fc.points_at_risk("X1")) == pytest.approx(5 + 1.67 + 6 + 6)


def test_forecast_items(fc):
    got = [(i.record, i.indicators, i.points, i.working_hours_left) for i in fc.items]
    assert got == [
        ("c1", ["5.2", "5.3"], 12.0, 68.5),  # handling due Mon 23 Mar 08:00
        # due Fri 20 Mar 17:00. Worth 5 (2.1) + 1.67 (5.4: 5.00 − 3.33): since §4.1's rounding=portal a
        # record is worth the difference of the rounded scores (the exact rule gave 5 + 5/3 = 6.6667).
        ("d1", ["2.1", "5.4"], 6.67, 67.5),
    ]
    assert fc.items[1].deadline.isoformat() == "2026-03-20T17:00:00+07:00"
    assert fc.to_json()["units"][0]["points_at_risk"] == pytest.approx(18.67)


def test_explain_inherited_and_reference(make_facts):
    from .builders import procedure as proc
    from .builders import publication

    facts = make_facts(
        units=PROVINCE,
        procedures=[proc("T1", DayDuBayBoPhan=False), proc("T2", DayDuBayBoPhan=True)],
        publications=[
            publication(
                "Q",
                "P",
                "2026-03-02",
                [{"MaTTHC": "T1", "NgayHieuLucCanCu": "2026-03-04", "NgayCongKhai": "2026-03-03T08:00"}],
            )
        ],
        dossiers=[dossier("s1", "T1", "X1", R, NgayDongBo=R), dossier("s2", "T1", "X1", R)],
        reference_counts=[{"MaDonVi": "X1", "Ky": "2026-03", "SoHoSoBCQG": 4, "SoHoSoDVCQG": 1}],
    )
    # A commune inherits 1.3 from the province: the province's record T1 is missing. §4.1
    # (procedure_lists=portal) lists the province's decisions, T1 alone: worth the 2 points; under
    # §4's competence list (T1, T2) it was worth 1.
    m = explain(facts, "2026-03", "X2", "1.3", now=NOW)
    assert [(x.record, x.record_kind, x.points) for x in m] == [("T1", "MaTTHC", 2.0)]
    m = explain(facts, "2026-03", "X2", "1.3", now=NOW, switches={"procedure_lists": "competence"})
    assert [(x.record, x.record_kind, x.points) for x in m] == [("T1", "MaTTHC", 1.0)]
    assert [x.record for x in explain(facts, "2026-03", "X1", "1.1", now=NOW)] == ["T1"]
    # 1.4: s2 not synced; scored 1/4 (reference), one more synced dossier is worth 6/4.
    m = explain(facts, "2026-03", "X1", "1.4", now=NOW)
    assert [(x.record, x.points) for x in m] == [("s2", 1.5)]


def test_explain_step_and_official_hook(duck_facts):
    facts = duck_facts(**SCENARIO)
    facts.con.raw_sql(
        "CREATE TABLE dossier_responsibility AS SELECT 'd3' AS MaHoSo, 'tham_dinh' AS step, 'nguyenvana' AS official"
    )
    m = explain(facts, "2026-03", "X1", "2.1", as_of=AS_OF, now=NOW)
    assert [(x.record, x.step, x.official) for x in m] == [("d3", "tham_dinh", "nguyenvana")]
