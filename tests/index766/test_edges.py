"""Zero denominators, caps, targets, rounding, pooling, bands, units filter, errors."""

from __future__ import annotations

import pytest

from motcua.core.errors import UserError
from motcua.index766 import score
from motcua.index766.engine import band

from .builders import dossier, nds, procedure, unit
from .conftest import NOW

R = "2026-03-02T08:00"

#: interchange.md §4 "Zero denominators": (ratio, score) for a unit with no data at all.
ZERO_EXPECTED = {
    "1.1": (None, None),
    "1.2": (None, None),
    "1.3": (None, None),
    # 1.4: 0/0 is null since §4.1 (sync_denominator=synced, the portal's temporary denominator);
    # §4's readings gave 0 (test_zero_sync_under_the_written_rule).
    "1.4": (None, None),
    "2.1": (0.0, 0.0),
    "2.2": (None, None),
    "3.1": (0.0, 0.0),
    "3.2": (0.0, 0.0),
    "3.3": (0.0, 0.0),
    "3.5": (0.0, 0.0),
    "3.5b": (0.0, 0.0),
    "3.6": (0.0, 0.0),
    "4.1": (None, None),
    "4.2": (None, None),
    "4.3": (None, None),
    "4.4": (None, None),
    "4.5a": (None, None),
    "4.5b": (None, None),
    "4.6": (1.0, 2.0),  # no commune under it: 100 %, as the portal
    "5.1a": (None, None),
    "5.1b": (None, None),
    "5.2": (1.0, 6.0),
    "5.3": (1.0, 6.0),
    "5.4": (0.0, 0.0),
}

UNITS = [
    unit("Z", "SO"),  # alone, no data at all
    unit("P", "TINH"),
    unit("A", "XA", "P"),
    unit("B", "XA", "P"),
]
DOSSIERS = [
    # A: 1 of 1 on time; B: 1 of 3 on time. Pooled P: 2 of 4 (the mean of scores would be 13.33).
    dossier("a1", "T1", "A", R, "2026-03-09T17:00", [(2, R), (9, "2026-03-03T08:00")], NgayDongBo=R, KenhThucHien=2),
    dossier("b1", "T1", "B", R, "2026-03-09T17:00", [(2, R), (9, "2026-03-03T08:00")], NgayDongBo=R),
    dossier("b2", "T1", "B", R, "2026-03-03T17:00", [(2, R), (9, "2026-03-04T08:00")], NgayDongBo=R),
    dossier("b3", "T1", "B", R, "2026-03-03T17:00", [(2, R)], NgayDongBo=R),
]
REFS = [
    {"MaDonVi": "A", "Ky": "2026-Q1", "SoHoSoBCQG": 0, "SoHoSoDVCQG": 0},
    {"MaDonVi": "B", "Ky": "2026-01", "SoHoSoBCQG": 1, "SoHoSoDVCQG": 1},
    {"MaDonVi": "B", "Ky": "2026-03", "SoHoSoBCQG": 2, "SoHoSoDVCQG": 1},
]
SCENARIO = dict(
    units=UNITS, procedures=[procedure("T1", ["XA"], DayDuBayBoPhan=True)], dossiers=DOSSIERS, reference_counts=REFS
)


@pytest.fixture(scope="module")
def facts(make_facts):
    return make_facts(**SCENARIO)


@pytest.fixture(scope="module")
def report(facts):
    return score(facts, "2026-03", now=NOW)


@pytest.mark.parametrize("code", sorted(ZERO_EXPECTED))
def test_zero_denominator(report, code):
    i = report.unit("Z").indicator(code).to_json()
    assert i["denominator"] == 0
    assert (i["ratio"], i["score"]) == ZERO_EXPECTED[code]


def test_zero_sync_under_the_written_rule(facts):
    for rule in ("reference", "own_received"):
        i = score(facts, "2026-03", now=NOW, switches={"sync_denominator": rule}).unit("Z").indicator("1.4")
        assert (i.to_json()["ratio"], i.to_json()["score"]) == (0.0, 0.0)


def test_zero_unit_totals(report):
    u = report.unit("Z").to_json()
    assert u["total"] == 14.0  # 4.6 + 5.2 + 5.3
    assert u["band"] == "Yếu"


def test_pooled_not_averaged(report):
    assert nds(report, "A", "2.1") == (1, 1, 20.0)
    assert nds(report, "B", "2.1") == (1, 3, 6.67)
    assert nds(report, "P", "2.1") == (2, 4, 10.0)


def test_1_4_capped_at_one(report):
    # B: reference 2 for March, 3 synced dossiers -> ratio 1.5 capped to 1.
    i = report.unit("B").indicator("1.4").to_json()
    assert (i["numerator"], i["denominator"], i["ratio"], i["score"]) == (3, 2, 1.0, 6.0)
    assert "1" in i["note"]


def test_1_4_quarter_reference_and_months(facts):
    r = score(facts, "2026-Q1", now=NOW)
    # A: "2026-Q1" reference is all zeros -> own count (1); B: no Q1 row -> sum of its
    # monthly rows (1 + 2 = 3).
    assert nds(r, "A", "1.4") == (1, 1, 6.0)
    assert nds(r, "B", "1.4") == (3, 3, 6.0)


def test_target_clipping(report):
    # 3.3 (target 50 %): A is 100 % online × 1.4 ratio 1 -> capped at 6, not 12.
    i = report.unit("A").indicator("3.3").to_json()
    assert (i["ratio"], i["score"], i["max"], i["target"]) == (1.0, 6.0, 6, 0.5)


def test_units_filter(facts):
    r = score(facts, "2026-03", now=NOW, units=["B"])
    assert [u.unit for u in r.units] == ["B"]
    # B is still scored on its own data (pooling is unaffected by the filter).
    assert nds(r, "B", "2.1") == (1, 3, 6.67)
    with pytest.raises(UserError):
        score(facts, "2026-03", now=NOW, units=["NOPE"])


def test_json_contract(report):
    j = report.to_json()
    # "rules" (added with §4.1): which of the portal's rules were applied, one note per switch.
    assert set(j) == {"formula_set", "period", "as_of", "units", "rules"}
    assert len(j["rules"]) == 6
    assert j["formula_set"] == "portal-2026"
    assert j["period"] == {"code": "2026-03", "start": "2026-03-01T00:00:00+07:00", "end": "2026-04-01T00:00:00+07:00"}
    assert j["as_of"] == "2026-04-01T00:00:00+07:00"
    assert [u["unit"] for u in j["units"]] == ["P", "A", "B", "Z"]  # tree order
    u = j["units"][0]
    assert set(u) == {"unit", "name", "total", "band", "groups", "indicators"}
    assert [g["code"] for g in u["groups"]] == ["CKMB", "TDGQ", "CLGQ", "TTTT", "MDHL", "MDSH"]
    assert [g["max"] for g in u["groups"]] == [18, 20, 12, 10, 18, 22]
    assert [i["code"] for i in u["indicators"]] == [
        "1.1",
        "1.2",
        "1.3",
        "1.4",
        "2.1",
        "2.2",
        "3.1",
        "3.2",
        "3.3",
        "3.5",
        "3.5b",
        "3.6",
        "4.1",
        "4.2",
        "4.3",
        "4.4",
        "4.5a",
        "4.5b",
        "4.6",
        "5.1a",
        "5.1b",
        "5.2",
        "5.3",
        "5.4",
    ]
    assert set(u["indicators"][0]) == {"code", "numerator", "denominator", "ratio", "score", "max", "target", "note"}
    assert sum(i["max"] for i in u["indicators"]) == 100


def test_bad_switch(facts):
    with pytest.raises(UserError):
        score(facts, "2026-03", now=NOW, switches={"result_scope": "nope"})
    with pytest.raises(UserError):
        score(facts, "2026-03", now=NOW, switches={"nope": "x"})
    with pytest.raises(UserError):
        score(facts, "2026-03", now=NOW, formula_set="portal-1999")


@pytest.mark.parametrize(
    "total,expected",
    [
        (90, "Xuất sắc"),
        (89.99, "Tốt"),
        (80, "Tốt"),
        (79.99, "Khá"),
        (70, "Khá"),
        (69.99, "Trung bình"),
        (50, "Trung bình"),
        (49.99, "Yếu"),
        (0, "Yếu"),
        (100, "Xuất sắc"),
    ],
)
def test_bands(total, expected):
    assert band(total) == expected


def test_rows_for_tables(report):
    rows = report.to_rows()
    assert len(rows) == 4 * 24
    b21 = next(r for r in rows if r["MaDonVi"] == "B" and r["MaChiSo"] == "2.1")
    assert (b21["TuSo"], b21["MauSo"], b21["Diem"], b21["Nhom"]) == (1, 3, 6.67, "TDGQ")
    assert b21["TenChiSo"] == "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn"


def test_unit_without_kind_or_name(duck_facts):
    facts = duck_facts(units=[{"MaDonVi": "U"}], dossiers=[dossier("d", "T", "U", R, "2026-03-09T17:00")])
    u = score(facts, "2026-03", now=NOW).unit("U")
    assert (u.kind, u.name) == ("", None)
    assert u.indicator("2.1").to_json()["denominator"] == 1


def test_scoring_leaves_the_garbage_collector_as_it_found_it():
    """score_units pauses the cyclic collector for speed and restores it, also after an error."""
    import gc

    from motcua.index766.engine import score_units
    from motcua.index766.registry import get_formula_set, resolve_switches

    fs, sw = get_formula_set("portal-2026"), resolve_switches(None)
    unit = {"MaDonVi": "T", "TenDonVi": "Tỉnh", "MaDonViCha": None, "LoaiDonVi": "TINH"}
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            assert score_units({("2.1", "T"): (1.0, 2.0)}, [unit], fs, sw)[0].indicator("2.1").numerator == 1
            assert gc.isenabled() is enabled
            with pytest.raises(UserError):
                score_units({}, [unit], fs, sw, units=["KHONG-CO"])
            assert gc.isenabled() is enabled
        finally:
            gc.enable()
