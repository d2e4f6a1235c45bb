"""5.1–5.4: PAKN deadlines (working hours from the latest transfer), satisfaction, 5.4.

PAKN deadlines from Mon 2 Mar 08:00: refuse by Wed 4 Mar 08:00 (16 h), first supplement
request by Mon 9 Mar 08:00 (40 h), reach cho_cong_khai by Mon 23 Mar 08:00 (120 h);
publish within 16 working hours of cho_cong_khai.
"""

from __future__ import annotations

import pytest

from motcua.index766 import score
from motcua.index766.explain import indicator_records

from .builders import PROVINCE, complaint, dossier, nds, procedure
from .conftest import NOW

S = "2026-03-02T08:00"
RX = ("da_tiep_nhan", "2026-03-02T09:00")


def handled(wait="2026-03-10T10:00", published="2026-03-11T10:00"):
    return [("cho_tiep_nhan", S), RX, ("dang_xu_ly", "2026-03-03T08:00"), ("cho_cong_khai", wait)] + (
        [("da_cong_khai", published)] if published else []
    )


COMPLAINTS = [
    complaint("C1", "X1", S, handled()),  # on time
    complaint("C2", "X1", S, handled(published="2026-03-13T09:00")),  # published late (due 12 Mar 10:00)
    complaint("C3", "X1", S, [("cho_tiep_nhan", S), RX, ("dang_xu_ly", "2026-03-03T08:00")]),  # open, late
    complaint("C4", "X1", "2026-03-25T08:00", [("da_tiep_nhan", "2026-03-25T09:00")]),  # open, in time
    complaint("C5", "X1", S, [("cho_tiep_nhan", S), ("tu_choi", "2026-03-05T10:00")]),  # refused late
    # C6: sent in February, transferred 16 Mar: the clock restarts there -> on time.
    complaint(
        "C6",
        "X1",
        "2026-02-02T08:00",
        [
            ("cho_tiep_nhan", "2026-02-02T08:00"),
            ("chuyen_xu_ly", "2026-03-16T08:00"),
            ("da_tiep_nhan", "2026-03-16T09:00"),
            ("cho_cong_khai", "2026-03-30T09:00"),
            ("da_cong_khai", "2026-03-31T09:00"),
        ],
    ),
    complaint("C7", "X1", S, handled()),  # on time, but complained about again (C8)
    complaint("C8", "X1", "2026-03-20T08:00", [("da_tiep_nhan", "2026-03-20T09:00")], MaPAKNTruoc="C7"),
    complaint("C9", "X1", S, handled(), SoThich=1, SoKhongThich=3, PhanLoai="hanh_vi"),  # unsatisfied
    complaint(
        "C10",
        "X1",
        S,
        [
            ("cho_tiep_nhan", S),
            RX,
            ("yeu_cau_bo_sung", "2026-03-10T08:00"),
            ("cho_cong_khai", "2026-03-12T08:00"),
            ("da_cong_khai", "2026-03-12T09:00"),
        ],
    ),
    # Linked to dossier d3 (5.4).
    complaint("C11", "X2", S, handled(), MaHoSo="d3"),
]

R = "2026-03-02T08:00"
DOSSIERS = [
    dossier("d1", "T1", "X2", R, "2026-03-09T17:00", [(2, R), (9, "2026-03-05T08:00")]),
    # d2 overdue AND rated unsatisfied: excluded from 5.4 once.
    dossier(
        "d2",
        "T1",
        "X2",
        R,
        "2026-03-04T17:00",
        [(2, R), (9, "2026-03-06T08:00")],
        KhongHaiLong=True,
        NgayDanhGia="2026-03-07T08:00",
    ),
    dossier("d3", "T1", "X2", R, "2026-03-09T17:00", [(2, R), (9, "2026-03-05T08:00")]),  # PAKN C11
    dossier("d4", "T1", "X2", R, "2026-03-09T17:00", [(2, R), (9, "2026-03-05T08:00")], KhongHaiLong=True),
]
SCENARIO = dict(units=PROVINCE, procedures=[procedure("T1")], complaints=COMPLAINTS, dossiers=DOSSIERS)


@pytest.fixture(scope="module")
def facts(make_facts):
    return make_facts(**SCENARIO)


@pytest.fixture(scope="module")
def report(facts):
    return score(facts, "2026-03", now=NOW)


def test_each_complaint_on_time(facts):
    df = indicator_records(facts, "2026-03", "5.2", unit="X1", now=NOW)
    got = dict(zip(df["record"], df["ok"], strict=True))
    assert got == {
        "C1": True,
        "C2": False,
        "C3": False,
        "C4": True,
        "C5": False,
        "C6": True,
        "C7": True,
        "C8": True,
        "C9": True,
        "C10": False,
    }


def test_5_2(report):
    assert nds(report, "X1", "5.2") == (6, 10, 3.6)


def test_5_3(report):
    # Base: first received in March (C5 never received): C1 C2 C3 C4 C6 C7 C8 C9 C10.
    # Numerator: C1, C4, C6, C8 (C2 C3 C10 late, C7 repeated, C9 unsatisfied): 4/9.
    assert nds(report, "X1", "5.3") == (4, 9, 2.67)


def test_5_1_classification(report):
    assert nds(report, "X1", "5.1a") == (9, 10, 0.0)
    assert nds(report, "X1", "5.1b") == (1, 10, 0.0)


def test_5_4_no_double_counting(report):
    # d2 overdue and disliked (once), d3 PAKN, d4 dislike: (4 - 1 - 2)/4 -> 6 × 0.25/0.9 = 1.67
    assert nds(report, "X2", "5.4") == (1, 4, 1.67)


def test_no_pakn_full_points(report):
    assert nds(report, "S1", "5.2") == (0, 0, 6.0)
    assert nds(report, "S1", "5.3") == (0, 0, 6.0)
    assert nds(report, "S1", "5.4") == (0, 0, 0.0)  # no dossiers: 0


def test_no_pakn_split_switch(facts):
    r = score(facts, "2026-03", now=NOW, switches={"no_pakn_rule": "split_5_2_5_4"})
    # S1: no PAKN, no dossier -> 5.2 full, 5.3 null, 5.4 (max 12) 0.
    assert nds(r, "S1", "5.2")[2] == 6.0
    assert nds(r, "S1", "5.3")[2] is None
    i54 = r.unit("S1").indicator("5.4").to_json()
    assert (i54["max"], i54["score"]) == (12, 0.0)
    # 5.3's points moved to 5.4, so its maximum is 0: the group's maxima still add to 18.
    assert r.unit("S1").indicator("5.3").to_json()["max"] == 0
    assert sum(i.max_points for i in r.unit("S1").indicators if i.indicator.group == "MDHL") == 18
    # X2 has a PAKN (C11): unchanged.
    assert nds(r, "X2", "5.3")[2] == 6.0
    assert r.unit("X2").indicator("5.4").to_json()["max"] == 6


def test_repeated_pakn_after_t_not_counted(facts):
    # As of 19 Mar, C8 (repeat of C7) does not exist yet: C7 counts as satisfied.
    df = indicator_records(facts, "2026-03", "5.3", unit="X1", as_of="2026-03-19T12:00", now=NOW)
    got = dict(zip(df["record"], df["ok"], strict=True))
    assert got["C7"] is True or got["C7"] == 1
    assert "C8" not in got
