"""Loading exchange sets into DuckDB facts: timestamps, flattening, snapshots, zip."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime

import pytest

from motcua.core.errors import UserError
from motcua.index766 import open_snapshot, prepare_snapshot, score
from motcua.index766.facts import SCHEMAS
from motcua.index766.sources import load_exchange_set

from .builders import complaint, dossier, procedure, unit, write_set
from .conftest import NOW

FILES = dict(
    units=[unit("P", "TINH"), unit("X1", "XA", "P"), {**unit("X2", "XA", "P"), "LaDonViMoi": True}],
    procedures=[
        procedure(
            "T1",
            ["XA"],
            DonViThucHien=["X1"],
            GioChotTiepNhan="15:00",
            DoiTuongThucHien=["Công dân Việt Nam"],
            KhongCo="extra field",
        ),
        procedure("T2", ["XA", "TINH"]),
    ],
    dossiers=[
        # Offsets: +07:00, Z (UTC) and none (= +07:00).
        dossier(
            "D1",
            "T1",
            "X1",
            "2026-03-02T08:00:00+07:00",
            None,
            [(2, "2026-03-02T01:00:00Z"), (9, "2026-03-04T10:00:00")],
        ),
        # Received after the 15:00 cut-off: 5 WD counted from Tue 3 Mar 07:00 -> Mon 9 Mar 17:00.
        dossier(
            "D2",
            "T1",
            "X1",
            "2026-03-02T16:00",
            None,
            [(2, "2026-03-02T16:00")],
            DanhSachLePhi=[{"MaPhiLePhi": "A", "TenPhiLePhi": "Lệ phí", "Gia": 0}, {"MaPhiLePhi": "B", "Gia": None}],
        ),
    ],
    complaints=[complaint("C1", "X1", "2026-03-02T08:00", [("da_tiep_nhan", "2026-03-02T09:00")])],
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return write_set(tmp_path_factory.mktemp("src") / "set", **FILES)


@pytest.fixture(scope="module")
def facts(folder):
    return load_exchange_set(folder)


def test_all_relations_present(facts):
    facts.check()
    for name, cols in SCHEMAS.items():
        assert facts.table(name).columns == tuple(cols), name


def test_timestamps_are_utc_naive(facts):
    d = facts.dossiers.filter(facts.dossiers.MaHoSo == "D1").execute().iloc[0]
    assert d["NgayTiepNhan"].to_pydatetime() == datetime(2026, 3, 2, 1, 0)
    log = facts.dossier_status_log.order_by("ThoiDiem").execute()
    assert log["ThoiDiem"].iloc[0].to_pydatetime() == datetime(2026, 3, 2, 1, 0)
    assert log["ThoiDiem"].iloc[-1].to_pydatetime() == datetime(2026, 3, 4, 3, 0)


def test_statutory_due_with_cutoff(facts):
    d = facts.dossiers.execute().set_index("MaHoSo")
    # D1: 5 WD from Mon 2 Mar 08:00 -> Mon 9 Mar 08:00 (+07) = 01:00 UTC
    assert d.loc["D1", "due_effective"].to_pydatetime() == datetime(2026, 3, 9, 1, 0)
    # D2 after the cut-off: from Tue 3 Mar 07:00 -> Mon 9 Mar 17:00 (+07) = 10:00 UTC
    assert d.loc["D2", "due_effective"].to_pydatetime() == datetime(2026, 3, 9, 10, 0)
    assert d.loc["D1", "elapsed_wd"] == pytest.approx((7 + 8 + 3) / 8)


def test_flattened_lists(facts):
    assert sorted(facts.procedure_levels.execute()[["MaTTHC", "Cap"]].itertuples(index=False, name=None)) == [
        ("T1", "XA"),
        ("T2", "TINH"),
        ("T2", "XA"),
    ]
    assert facts.procedure_units.execute().values.tolist() == [["T1", "X1"]]
    fees = facts.dossier_fees.execute()
    assert len(fees) == 2 and fees["Gia"].isna().sum() == 1
    tree = {tuple(r) for r in facts.unit_tree.execute()[["ancestor", "descendant", "depth"]].values.tolist()}
    assert ("P", "X1", 1) in tree and ("X1", "X1", 0) in tree and len(tree) == 5


def test_competence_follows_donvithuchien(facts):
    # Competence lists are §4's (procedure_lists=competence); §4.1 reads the decisions instead.
    r = score(facts, "2026-03", now=NOW, switches={"procedure_lists": "competence"})
    # T1 lists X1 only; T2 follows its levels (X1, X2 as XA; P as TINH).
    assert r.unit("X1").indicator("1.3").denominator == 2  # inherited from P: T1, T2
    assert r.unit("X2").indicator("3.1").to_json()["denominator"] == 1  # T2 only


def test_snapshot_roundtrip(folder, tmp_path):
    out = prepare_snapshot(folder, tmp_path / "snap.duckdb")
    snap = open_snapshot(out)
    a = score(load_exchange_set(folder), "2026-03", now=NOW).to_json()
    b = score(snap, "2026-03", now=NOW).to_json()
    assert a == b


def test_zip(folder, tmp_path):
    z = tmp_path / "set.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for p in folder.iterdir():
            zf.write(p, f"bo_du_lieu/{p.name}")
    facts = load_exchange_set(z)
    assert facts.dossiers.count().execute() == 2


def test_missing_or_empty(tmp_path):
    with pytest.raises(UserError):
        load_exchange_set(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError):
        load_exchange_set(tmp_path / "empty")
    # Only units: every other relation is empty but present.
    only = write_set(tmp_path / "only", units=[unit("P", "TINH")])
    facts = load_exchange_set(only)
    assert facts.dossiers.count().execute() == 0
    j = score(facts, "2026-03", now=NOW).to_json()
    assert j["units"][0]["total"] == 14.0  # 4.6 (no commune) + 5.2 + 5.3


def test_jsonl_is_read_by_duckdb(folder):
    # One object per line, UTF-8 Vietnamese preserved.
    text = (folder / "procedures.jsonl").read_text(encoding="utf-8")
    assert json.loads(text.splitlines()[0])["DoiTuongThucHien"] == ["Công dân Việt Nam"]


def test_csv_files_through_interchange_readers(tmp_path):
    import csv

    folder = write_set(tmp_path / "mixed", dossiers=[dossier("D1", "T1", "X1", "2026-03-02T08:00", "2026-03-09T17:00")])
    with open(folder / "units.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["MaDonVi", "TenDonVi", "MaDonViCha", "LoaiDonVi", "CungCapChungThucDienTu"])
        w.writerow(["P", "Tỉnh", "", "TINH", "0"])
        w.writerow(["X1", "Xã Một", "P", "XA", "1"])
    with open(folder / "procedures.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["MaTTHC", "TenTTHC", "CapThucHien", "ThoiGianGiaiQuyet", "DonViTinh"])
        w.writerow(["T1", "Thủ tục", json.dumps(["XA"]), "5", "ngay_lam_viec"])
    facts = load_exchange_set(folder)
    units = facts.units.execute().set_index("MaDonVi")
    assert units.loc["X1", "TenDonVi"] == "Xã Một" and bool(units.loc["X1", "CungCapChungThucDienTu"])
    assert facts.procedure_levels.execute().values.tolist() == [["T1", "XA"]]
    r = score(facts, "2026-03", now=NOW)
    assert r.unit("X1").indicator("2.1").to_json()["denominator"] == 1


def test_publication_deadlines_ministry_vs_province():
    from datetime import date

    from motcua.index766 import derive

    cal = derive.official_calendar()
    dec, pub = derive.publication_deadlines(
        cal,
        [date(2026, 3, 2), date(2026, 3, 2)],
        [date(2026, 3, 20), date(2026, 3, 20)],
        ["province", "ministry"],
    )
    # 5th / 20th working day before Fri 20 Mar (the Tết days off 16–20 Feb 2026 are skipped);
    # 5th / 10th after Mon 2 Mar (end of that day, as a UTC-naive instant).
    assert dec == [date(2026, 3, 13), date(2026, 2, 13)]
    assert pub == [datetime(2026, 3, 9, 17, 0), datetime(2026, 3, 16, 17, 0)]


def test_derived_frames_match_loader(facts):
    """The DB route (derived_frames over any backend) computes what the loader stored."""
    from motcua.index766.derive import derived_frames
    from motcua.index766.sources import copy_to_sqlite

    lite = copy_to_sqlite(facts)
    frames = derived_frames(lite.con)
    dc = frames["dossier_calendar"].set_index("MaHoSo").sort_index()
    d = facts.dossiers.execute().set_index("MaHoSo").sort_index()
    assert (dc["due_effective"].values == d["due_effective"].values).all()
    assert dc["elapsed_wd"].fillna(-1).tolist() == d["elapsed_wd"].fillna(-1).tolist()
    clocks = frames["complaint_clocks"].sort_values(["MaPAKN", "start_at"]).reset_index(drop=True)
    stored = facts.complaint_clocks.execute().sort_values(["MaPAKN", "start_at"]).reset_index(drop=True)
    assert (clocks["handle_due"].values == stored["handle_due"].values).all()
