"""2.1 on-time algorithm (interchange.md §4) and the progress dossier base, case by case.

Calendar: March 2026 has no holidays; office hours 07:00–11:30, 13:30–17:00 (8 h a day).
Mon 2 Mar … Fri 6, Mon 9 … Fri 13, … Mon 30, Tue 31. Period 2026-03: T = 1 Apr 00:00.
"""

from __future__ import annotations

import pytest

from motcua.index766 import score
from motcua.index766.explain import indicator_records

from .builders import PROVINCE, dossier, nds, procedure
from .conftest import NOW

R = "2026-03-02T08:00"
PROCS = [procedure("T1", levels=["XA"]), procedure("TN", levels=["XA"], ThoiGianGiaiQuyet=5)]


def _dossiers():
    return [
        # A finished early.
        dossier("A", "T1", "X1", R, "2026-03-09T17:00", [(2, R), (9, "2026-03-06T10:00")]),
        # B finished after its due.
        dossier("B", "T1", "X1", R, "2026-03-04T17:00", [(2, R), (9, "2026-03-05T10:00")]),
        # C: 10 (returned) on time but 9 (finished) later: 9 has priority -> late.
        dossier("C", "T1", "X1", R, "2026-03-04T17:00", [(2, R), (10, "2026-03-04T16:00"), (9, "2026-03-05T09:00")]),
        # D open, due after T: in time.
        dossier("D", "T1", "X1", "2026-03-20T08:00", "2026-04-10T17:00", [(2, "2026-03-20T08:00")]),
        # E open, due passed before T: late.
        dossier("E", "T1", "X1", R, "2026-03-20T17:00", [(2, R)]),
        # F received and finished before the period: not in the base.
        dossier(
            "F", "T1", "X1", "2026-02-20T08:00", "2026-02-27T17:00", [(2, "2026-02-20T08:00"), (9, "2026-02-26T08:00")]
        ),
        # G received before the period, still open, due later: carried over, in time.
        dossier("G", "T1", "X1", "2026-02-20T08:00", "2026-04-15T17:00", [(2, "2026-02-20T08:00")]),
        # H received before, finished in the period after its due: in the base, late.
        dossier(
            "H", "T1", "X1", "2026-02-20T08:00", "2026-02-27T17:00", [(2, "2026-02-20T08:00"), (9, "2026-03-03T08:00")]
        ),
        # I: 3 calendar days of supplement subtracted: end 11 Mar 12:00 - 72 h = 8 Mar 12:00 <= due.
        dossier(
            "I",
            "T1",
            "X1",
            R,
            "2026-03-09T17:00",
            [(2, R), (9, "2026-03-11T12:00")],
            DanhSachHoSoBoSung=[{"NgayYeuCau": "2026-03-03T08:00", "NgayBoSung": "2026-03-06T08:00"}],
        ),
        # J: two supplement requests -> overdue whatever the times.
        dossier(
            "J",
            "T1",
            "X1",
            R,
            "2026-03-30T17:00",
            [(2, R), (9, "2026-03-10T08:00")],
            DanhSachHoSoBoSung=[
                {"NgayYeuCau": "2026-03-03T08:00", "NgayBoSung": "2026-03-04T08:00"},
                {"NgayYeuCau": "2026-03-05T08:00", "NgayBoSung": "2026-03-06T08:00"},
            ],
        ),
        # K: one outstanding supplement: end = its request time (before due) -> on time.
        dossier(
            "K",
            "T1",
            "X1",
            R,
            "2026-03-09T17:00",
            [(2, R), (5, "2026-03-05T08:00")],
            DanhSachHoSoBoSung=[{"NgayYeuCau": "2026-03-05T08:00", "NgayBoSung": None}],
        ),
        # L: withdrawn (7) after reception, before due: ended on time.
        dossier("L", "T1", "X1", R, "2026-03-04T17:00", [(2, R), (7, "2026-03-03T09:00")]),
        # M: withdrawn before reception (never received): not in the base.
        dossier(
            "M",
            "T1",
            "X1",
            None,
            None,
            [(1, "2026-03-02T07:30"), (7, "2026-03-02T10:00")],
            NgayNopHoSo="2026-03-02T07:30",
        ),
        # N: no NgayHenTra: due = received + 5 WD = 9 Mar 08:00; finished 10:00 -> late.
        dossier("N", "TN", "X1", R, None, [(2, R), (9, "2026-03-09T10:00")]),
        # N2: no NgayHenTra, finished exactly at the statutory due -> on time.
        dossier("N2", "TN", "X1", R, None, [(2, R), (9, "2026-03-09T08:00")]),
        # O: like I, but the supplement comes from the 5 -> 4 transitions of the log.
        dossier(
            "O",
            "T1",
            "X1",
            R,
            "2026-03-09T17:00",
            [(2, R), (5, "2026-03-03T08:00"), (4, "2026-03-06T08:00"), (9, "2026-03-11T12:00")],
        ),
        # Q received after the period: not in the base.
        dossier("Q", "T1", "X1", "2026-04-02T08:00", "2026-04-09T17:00", [(2, "2026-04-02T08:00")]),
        # S: stopped (8) after its due -> late.
        dossier("S", "T1", "X1", R, "2026-03-04T17:00", [(2, R), (8, "2026-03-06T08:00")]),
        # U: no log, NgayKetThucXuLy with terminal status 9, on time.
        dossier("U", "T1", "X1", R, "2026-03-09T17:00", None, TrangThaiHoSo=9, NgayKetThucXuLy="2026-03-05T08:00"),
    ]


SCENARIO = dict(units=PROVINCE, procedures=PROCS, dossiers=_dossiers())
ON_TIME = {"A", "D", "G", "I", "K", "L", "N2", "O", "U"}
LATE = {"B", "C", "E", "H", "J", "N", "S"}


@pytest.fixture(scope="module")
def facts(make_facts):
    return make_facts(units=PROVINCE, procedures=PROCS, dossiers=_dossiers())


@pytest.fixture(scope="module")
def report(facts):
    return score(facts, "2026-03", now=NOW)


def test_each_dossier(facts):
    df = indicator_records(facts, "2026-03", "2.1", now=NOW)
    got = dict(zip(df["record"], df["ok"], strict=True))
    assert set(got) == ON_TIME | LATE  # F, M, Q are outside the base
    assert {k for k, v in got.items() if v} == ON_TIME


def test_score(report):
    # 9 of 16 on time: 20 × 9/16 = 11.25
    assert nds(report, "X1", "2.1") == (9, 16, 11.25)
    # The province pools its subtree: same dossiers.
    assert nds(report, "P", "2.1") == (9, 16, 11.25)
    # A unit with no dossier scores 0 (not 20).
    assert nds(report, "X2", "2.1") == (0, 0, 0.0)


def test_as_of_makes_open_dossier_in_time(facts):
    # As of 5 Mar 12:00: E (due 20 Mar) is open and in time; B (due 4 Mar 17:00) is open and
    # late; events after T (A's finish on 6 Mar) are ignored, so A is open and in time.
    df = indicator_records(facts, "2026-03", "2.1", as_of="2026-03-05T12:00", now=NOW)
    got = dict(zip(df["record"], df["ok"], strict=True))
    assert got["E"] and got["A"] and not got["B"]
    # K: its supplement request (5 Mar 08:00) is outstanding at T -> end = request, on time.
    assert got["K"]
    # D and Q not yet received.
    assert "D" not in got and "Q" not in got


def test_average_time_2_2(report):
    i = nds(report, "X1", "2.2")
    # Finished (9/10) dossiers received in March, elapsed working days:
    # A 2 Mar 08:00 -> 6 Mar 10:00 = 7+8+8+8+3 = 34 h; B -> 5 Mar 10:00 = 26 h;
    # C -> 5 Mar 09:00 = 25 h; I -> 11 Mar 12:00 = 7+32+8+8+4.5 = 59.5 h;
    # J -> 10 Mar 08:00 = 7+32+8+1 = 48 h; N -> 9 Mar 10:00 = 42 h; N2 -> 9 Mar 08:00 = 40 h;
    # O = I = 59.5 h; U -> 5 Mar 08:00 = 7+8+8+1 = 24 h.  Total 358 h = 44.75 WD over 9.
    assert i[0] == pytest.approx(44.75)
    assert i[1] == 9
    assert i[2] == 0.0
    assert report.unit("X1").indicator("2.2").to_json()["ratio"] == round(44.75 / 9, 4)
