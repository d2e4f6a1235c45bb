"""4.1–4.6 and the switches result_scope and digitized_target_4_2."""

from __future__ import annotations

import pytest

from motcua.index766 import score

from .builders import PROVINCE, dossier, nds, procedure
from .conftest import NOW

R = "2026-03-02T08:00"
PROCS = [
    procedure("T1", ["XA"], DoiTuongThucHien=["Doanh nghiệp"]),
    procedure("T6", ["XA"], KetQuaGiay=True, DoiTuongThucHien=["Công dân Việt Nam", "Doanh nghiệp"]),
]


def comp(**flags):
    return {"MaThanhPhanHoSo": "TP", **flags}


DOSSIERS = [
    dossier(
        "g1",
        "T6",
        "X1",
        R,
        TaiLieuNop=[comp(CoTepDinhKem=True, DuocTaiSuDung=True)],
        DuongDanTepTinKetQua="https://kq/g1",
        MaKetQua="KQ1",
        TaiKhoanDuocXacThucVoiVNeID=True,
    ),
    dossier("g2", "T6", "X1", R, TaiLieuNop=[comp(CoTepDinhKem=True)]),  # paper, no result file
    dossier("g3", "T1", "X1", R, TaiLieuNop=[comp(CoTepDinhKem=True, DuocLayTuKhoDMQG=True)]),
    # g4: result attached after T (5 Apr): not counted in March.
    dossier(
        "g4",
        "T1",
        "X1",
        R,
        HoSoCoThanhPhanSoHoa=True,
        KetQuaDayVaoKho=True,
        MaCSDL="CSDL-4",
        DuongDanTepTinKetQua="https://kq/g4",
        NgayCoKetQua="2026-04-05T08:00",
    ),
    dossier("g5", "T1", "X1", R),
]
SCENARIO = dict(units=PROVINCE, procedures=PROCS, dossiers=DOSSIERS)


@pytest.fixture(scope="module")
def facts(make_facts):
    return make_facts(**SCENARIO)


@pytest.fixture(scope="module")
def report(facts):
    return score(facts, "2026-03", now=NOW)


@pytest.fixture(scope="module")
def report_sw(facts):
    return score(facts, "2026-03", now=NOW, switches={"result_scope": "paper_only", "digitized_target_4_2": "0.8"})


def test_4_1_result_link(report, report_sw):
    assert nds(report, "X1", "4.1") == (1, 5, 1.2)
    assert nds(report_sw, "X1", "4.1") == (1, 2, 3.0)  # paper-result procedures only


def test_4_2_digitized(report, report_sw):
    # g1 (file + result), g3 (file, non-paper); g2 paper without result file: 2/5
    assert nds(report, "X1", "4.2") == (2, 5, 1.6)
    assert report.unit("X1").indicator("4.2").target is None
    assert nds(report_sw, "X1", "4.2") == (2, 5, 2.0)  # 4 × 0.4 / 0.8


def test_4_3_reuse_with_target(report):
    # g1 (component reuse), g4 (dossier flag): 0.4 -> 2 × 0.4/0.8 = 1.0
    assert nds(report, "X1", "4.3") == (2, 5, 1.0)


def test_4_4_store(report):
    assert nds(report, "X1", "4.4") == (2, 5, 1.6)  # g3 component from store, g4 pushed


def test_4_5_population(report):
    assert nds(report, "X1", "4.5b") == (2, 5, 0.8)  # g1 VNeID, g4 MaCSDL
    # Only T6 concerns citizens; g1 used VNeID on T6.
    assert nds(report, "X1", "4.5a") == (1, 1, 2.0)
    assert nds(report, "X2", "4.5a") == (0, 1, 0.0)
    assert nds(report, "P", "4.5a") == (1, 1, 2.0)


def test_4_6_communes(report):
    assert nds(report, "P", "4.6") == (1, 2, 1.0)  # X1 offers it, X2 does not
    assert nds(report, "X1", "4.6") == (1, 1, 2.0)
    assert nds(report, "X2", "4.6") == (0, 1, 0.0)
    i = report.unit("S1").indicator("4.6").to_json()  # no commune under a department: full
    assert (i["denominator"], i["score"]) == (0, 2.0)


def test_4_x_null_without_dossiers(report):
    for code in ("4.1", "4.2", "4.3", "4.4", "4.5b"):
        i = report.unit("X2").indicator(code).to_json()
        assert (i["ratio"], i["score"]) == (None, None), code
    groups = {g["code"]: g["score"] for g in report.unit("X2").to_json()["groups"]}
    assert groups["MDSH"] == 0.0  # 4.5a 0, 4.6 0, the rest null
