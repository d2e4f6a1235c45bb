"""1.4 sync, 3.1–3.3 online services, 3.5/3.5b/3.6 online payment; pooled parents."""

from __future__ import annotations

import pytest

from motcua.index766 import score

from .builders import PROVINCE, dossier, nds, procedure, service
from .conftest import NOW

R = "2026-03-02T08:00"
SYNC = "2026-03-02T09:00"

PROCS = [
    procedure("T1", ["XA"]),
    procedure("T2", ["TINH"], CoPhiLePhi=True),
    procedure("T3", ["XA"], CoPhiLePhi=True),
    procedure("T6", ["XA"], KetQuaGiay=True),
]
SERVICES = [
    service("DV1", "T1", "X1"),
    service("DV2", "T3", "X1", TrangThai="dung_cong_khai"),
    service("DV3", "T1", "X2", TrangThai="dang_kiem_thu"),
    service("DV4", "T6", "X2"),
    service("DV5", "T3", "X2"),
]
DOSSIERS = [
    # X1: 5 received in March, 4 synced, 1 online.
    dossier("o1", "T1", "X1", R, KenhThucHien=2, MaDVC="DV1", NgayDongBo=SYNC),
    dossier(
        "f1",
        "T3",
        "X1",
        R,
        NgayDongBo=SYNC,
        DanhSachLePhi=[{"MaPhiLePhi": "L", "Gia": 50000}],
        DuocThanhToanTrucTuyen=1,
        NgayThanhToan="2026-03-05T10:00",
    ),
    dossier("f2", "T3", "X1", R, NgayDongBo=SYNC, DanhSachLePhi=[{"MaPhiLePhi": "L", "Gia": 0}]),
    dossier("f3", "T3", "X1", R),  # fee-bearing procedure, empty fee list: stays in 3.6
    dossier("f4", "T3", "X1", R, NgayDongBo=SYNC, DanhSachLePhi=[{"MaPhiLePhi": "L", "Gia": 10000}]),
    # X2: 2 received (1 synced), both online; o3 submitted online but never received.
    dossier("o2", "T6", "X2", R, KenhThucHien=2, NgayDongBo=SYNC),  # paper result, no e-result
    dossier("o3", "T1", "X2", None, None, KenhThucHien=2, MaDVC="DV3", NgayNopHoSo="2026-03-30T20:00"),
    dossier("o4", "T6", "X2", R, KenhThucHien=2, MaKetQua="KQ4", DuongDanTepTinKetQua="https://kq/4"),
    # S1: 1 received, synced, fee paid on the local gateway.
    dossier(
        "s1",
        "T2",
        "S1",
        R,
        NgayDongBo=SYNC,
        DanhSachLePhi=[{"MaPhiLePhi": "L", "Gia": 20000}],
        DuocThanhToanTrucTuyen=2,
        NgayThanhToan="2026-03-10T10:00",
    ),
]
REFS = [
    {"MaDonVi": "X1", "Ky": "2026-03", "SoHoSoBCQG": 8, "SoHoSoDVCQG": 6},
    {"MaDonVi": "S1", "Ky": "2026-03", "SoHoSoBCQG": 0, "SoHoSoDVCQG": 0},  # zeros: own count
]
SCENARIO = dict(units=PROVINCE, procedures=PROCS, online_services=SERVICES, dossiers=DOSSIERS, reference_counts=REFS)


@pytest.fixture(scope="module")
def facts(make_facts):
    return make_facts(**SCENARIO)


@pytest.fixture(scope="module")
def report(facts):
    return score(facts, "2026-03", now=NOW)


@pytest.fixture(scope="module")
def report_own(facts):
    return score(facts, "2026-03", now=NOW, switches={"sync_denominator": "own_received"})


@pytest.fixture(scope="module")
def report_ref(facts):
    return score(facts, "2026-03", now=NOW, switches={"sync_denominator": "reference"})


def test_1_4_reference_denominator(report_ref):
    # §4's reading, no longer the default (sync_denominator=reference).
    assert nds(report_ref, "X1", "1.4") == (4, 8, 3.0)  # larger of 8 and 6
    assert nds(report_ref, "X2", "1.4") == (1, 2, 3.0)  # no reference: own count
    assert nds(report_ref, "S1", "1.4") == (1, 1, 6.0)  # reference zeros: own count
    # Parent sums its subtree's denominators: 8 + 2 + 1 = 11; 6 synced -> 6 × 6/11.
    assert nds(report_ref, "P", "1.4") == (6, 11, 3.27)


def test_1_4_synced_denominator(report):
    # §4.1 (default sync_denominator=synced): the reference counts when a unit has them, else the
    # numerator (the portal's temporary denominator). X2 and S1 change from 1/2 and own counts.
    assert nds(report, "X1", "1.4") == (4, 8, 3.0)  # larger of 8 and 6
    assert nds(report, "X2", "1.4") == (1, 1, 6.0)  # no reference: 1 synced / 1
    assert nds(report, "S1", "1.4") == (1, 1, 6.0)  # reference zeros: the numerator
    # Parent sums its subtree's denominators: 8 + 1 + 1 = 10; 6 synced -> 6 × 6/10.
    assert nds(report, "P", "1.4") == (6, 10, 3.6)


def test_1_4_own_received(report_own):
    assert nds(report_own, "X1", "1.4") == (4, 5, 4.8)
    assert nds(report_own, "P", "1.4") == (6, 8, 4.5)


def test_3_3_times_sync_ratio(report, report_ref, report_own):
    # X1: 1 online of 5 = 0.2, × 1.4 ratio 0.5 = 0.1 -> 6 × 0.1 / 0.5 = 1.2
    i = report.unit("X1").indicator("3.3").to_json()
    assert (i["numerator"], i["denominator"], i["ratio"], i["score"]) == (1, 5, 0.1, 1.2)
    # X2: o2 has a paper result without e-result: 1 of 2 = 0.5 × 0.5 -> 6 × 0.25/0.5 = 3.0
    assert nds(report_ref, "X2", "3.3") == (1, 2, 3.0)
    # synced (default): X2's 1.4 is 1/1, the factor 1: 0.5 -> 6.0 (§4.1 changes it from 3.0).
    assert nds(report, "X2", "3.3") == (1, 2, 6.0)
    # P pooled: 2 of 8 × 6/11 = 3/22 -> 6 × (3/22)/0.5 = 1.636… -> 1.64 (not a mean of units).
    assert nds(report_ref, "P", "3.3") == (2, 8, 1.64)
    # synced (default): 2 of 8 × 6/10 = 0.15 -> 6 × 0.15/0.5 = 1.8 (§4.1 changes it from 1.64).
    assert nds(report, "P", "3.3") == (2, 8, 1.8)
    # own_received: P 2/8 × 6/8 = 0.1875 -> 6 × 0.375 = 2.25
    assert nds(report_own, "P", "3.3") == (2, 8, 2.25)


@pytest.fixture(scope="module")
def report_comp(facts):
    return score(facts, "2026-03", now=NOW, switches={"procedure_lists": "competence"})


def test_3_1_online_procedures(report, report_comp):
    # §4's competence lists (procedure_lists=competence), each unit scored:
    # X1: T1 (DV1), T3 (only a stopped service), T6 (none): 1/3 -> 2 × (1/3)/0.8 = 0.83
    assert nds(report_comp, "X1", "3.1") == (1, 3, 0.83)
    # X2: T1 (testing counts), T3 (DV5), T6 (DV4): 3/3
    assert nds(report_comp, "X2", "3.1") == (3, 3, 2.0)
    # P: T1, T2, T3, T6 distinct over the subtree, T2 has no service: 3/4 -> 1.875 -> 1.88
    assert nds(report_comp, "P", "3.1") == (3, 4, 1.88)
    assert nds(report_comp, "S1", "3.1") == (0, 1, 0.0)
    # §4.1 (default): the province's decisions, none in this set -> 0; its units not scored on it.
    assert nds(report, "P", "3.1") == (0, 0, 0.0)
    assert nds(report, "X1", "3.1") == (None, None, 0.0)


def test_3_2_services_with_online_dossiers(report, facts):
    assert nds(report, "X1", "3.2") == (1, 1, 4.0)  # DV2 stopped: not counted
    # X2: DV3 (o3 submitted, by code), DV4 (o2/o4 by procedure+unit), DV5 none: 2/3
    assert nds(report, "X2", "3.2") == (2, 3, 2.67)
    # P by procedure (§4.1, service_key=mattthc): T1 (DV1, DV3), T6 (DV4) used, T3 (DV5) not: 2/3.
    # §4 counted the services of every unit: DV1, DV3, DV4 of 4 (3.0).
    assert nds(report, "P", "3.2") == (2, 3, 2.67)
    by_service = score(facts, "2026-03", now=NOW, switches={"service_key": "madvc"})
    assert nds(by_service, "P", "3.2") == (3, 4, 3.0)
    assert nds(by_service, "X2", "3.2") == (2, 3, 2.67)
    # No service at all: ratio 0, score 0.
    i = report.unit("S1").indicator("3.2").to_json()
    assert (i["denominator"], i["score"]) == (0, 0.0)


def test_3_5_and_3_5b(report, facts):
    assert nds(report, "X1", "3.5") == (1, 1, 2.0)
    assert nds(report, "X1", "3.5b") == (1, 1, 2.0)
    # X2 has no dossier of a fee-bearing procedure: §4.1 counts none (0/0); §4 its competence's T3.
    assert nds(report, "X2", "3.5") == (0, 0, 0.0)
    assert nds(score(facts, "2026-03", now=NOW, switches={"procedure_lists": "competence"}), "X2", "3.5") == (0, 1, 0.0)
    assert nds(report, "S1", "3.5b") == (1, 1, 2.0)
    # P: fee-bearing T2 and T3, both with a fee dossier and an online payment.
    assert nds(report, "P", "3.5") == (2, 2, 2.0)
    assert nds(report, "P", "3.5b") == (2, 2, 2.0)


def test_3_6_fee_lines(report):
    # f2 (all lines 0) leaves the denominator; f3 (empty list) stays: f1, f3, f4 -> 1 paid.
    assert nds(report, "X1", "3.6") == (1, 3, 2.0)
    assert nds(report, "X2", "3.6") == (0, 0, 0.0)
    assert nds(report, "P", "3.6") == (2, 4, 3.0)


def test_groups_and_total(report):
    u = report.unit("P").to_json()
    groups = {g["code"]: g["score"] for g in u["groups"]}
    scores = {i["code"]: i["score"] for i in u["indicators"]}
    assert groups["CLGQ"] == pytest.approx(scores["3.1"] + scores["3.2"] + scores["3.3"])
    assert groups["TTTT"] == pytest.approx(scores["3.5"] + scores["3.5b"] + scores["3.6"])
    assert u["total"] == pytest.approx(sum(groups.values()))
