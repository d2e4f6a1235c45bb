"""1.1–1.3: computed for the province, inherited by its units (index-766.md §2.1, §4).

Working days around the dates used (no holidays in Feb–Apr 2026 here):
5th WD before Fri 20 Mar = Fri 13 Mar; before Fri 6 Mar = Fri 27 Feb; before Mon 16 Mar = Mon 9 Mar.
5th WD after Mon 2 Mar = Mon 9 Mar; after Mon 16 Mar = Mon 23 Mar; after Mon 30 Mar = Mon 6 Apr.
"""

from __future__ import annotations

import pytest

from motcua.index766 import score

from .builders import PROVINCE, nds, procedure, publication
from .conftest import NOW

PROCS = [
    procedure("T1", ["XA"], DayDuBayBoPhan=True),
    procedure("T2", ["TINH"], DayDuBayBoPhan=False),
    procedure("T3", ["XA"], DayDuBayBoPhan=True),
    procedure("T4", ["TINH"], DayDuBayBoPhan=True),
    procedure("T5", ["XA"], TrangThaiCongKhai="bai_bo"),
]


def item(code, basis, published=None):
    return {"MaTTHC": code, "NgayHieuLucCanCu": basis, "NgayCongKhai": published}


PUBS = [
    publication(
        "Q1",
        "P",
        "2026-03-02",
        [
            item("T1", "2026-03-20", "2026-03-05T10:00"),  # decision on time; published on time
            item("T2", "2026-03-06", "2026-03-10T09:00"),  # decision late; published late
            item("T4", "2026-04-30"),  # decision on time; never published: late once 9 Mar passed
        ],
    ),
    publication("Q2", "P", "2026-03-16", [item("T1", "2026-03-16", "2026-03-23T16:00")]),  # late
    publication("Q3", "P", "2026-02-10", [item("T3", "2026-03-01", "2026-02-12T08:00")]),  # Feb
    publication("Q4", "P", "2026-03-30", [item("T5", None)], kind="bai_bo"),  # due 6 Apr
]


SCENARIO = dict(units=PROVINCE, procedures=PROCS, publications=PUBS)


@pytest.fixture(scope="module")
def facts(make_facts):
    return make_facts(**SCENARIO)


@pytest.fixture(scope="module")
def report(facts):
    return score(facts, "2026-03", now=NOW)


def test_1_1_late_once_is_late(report):
    # T1 late in Q2 (though on time in Q1), T2 late, T4 and T5 (no basis date) on time: 2/4.
    assert nds(report, "P", "1.1") == (2, 4, 3.0)


def test_1_2_published_or_due_in_period(report):
    # T1 on time twice; T2 published late; T4 unpublished past its deadline; T3 (Feb) and
    # T5 (due in April) are outside: 1/3 -> 4/3.
    assert nds(report, "P", "1.2") == (1, 3, 1.33)


def test_1_3_full_content_of_competent_procedures(report):
    # T1, T2, T3, T4 (T5 abolished); T2 lacks parts: 3/4.
    assert nds(report, "P", "1.3") == (3, 4, 1.5)


@pytest.mark.parametrize("child", ["S1", "X1", "X2"])
def test_units_inherit_from_province(report, child):
    for code in ("1.1", "1.2", "1.3"):
        assert nds(report, child, code) == nds(report, "P", code)
        assert report.unit(child).indicator(code).note == "Lấy theo P."


def test_as_of_mid_period(facts):
    r = score(facts, "2026-03", as_of="2026-03-09T12:00", now=NOW)
    # Decisions dated by 9 Mar: Q1 only -> T1, T4 on time, T2 late.
    assert nds(r, "P", "1.1") == (2, 3, 4.0)
    # Only T1 published; T2 and T4 not yet due (deadline is the end of 9 Mar).
    assert nds(r, "P", "1.2") == (1, 1, 4.0)


def test_no_decision_in_period_is_null(facts):
    r = score(facts, "2026-01", now=NOW)
    i = r.unit("P").indicator("1.1").to_json()
    assert (i["numerator"], i["denominator"], i["ratio"], i["score"]) == (0, 0, None, None)
    assert nds(r, "X1", "1.1")[2] is None
    # 1.3 does not depend on the period.
    assert nds(r, "P", "1.3") == (3, 4, 1.5)
