"""``motcua generate``: determinism, format, integrity, lifecycle invariants, and that the data
exercises every 766 indicator (index-766.md §2)."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta

import pytest
from django.core.management import call_command

from motcua.interchange.generator import FILES, MIN_UNITS, generate_exchange_set
from motcua.interchange.schema import get_file_spec
from motcua.interchange.validation import validate
from motcua.workdays.calendar import VN_TZ, WorkCalendar

UNTIL = date(2026, 6, 30)
HORIZON = datetime(2026, 7, 1, tzinfo=VN_TZ)
N_DOSSIERS = 3000


def _load(folder, name):
    with open(folder / f"{name}.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _digest(folder) -> dict[str, str]:
    return {n: hashlib.sha256((folder / f"{n}.jsonl").read_bytes()).hexdigest() for n in FILES}


@pytest.fixture(scope="module")
def gen_set(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gen") / "set"
    counts = generate_exchange_set(folder, dossiers=N_DOSSIERS, seed=11, until=UNTIL)
    data = {name: _load(folder, name) for name in FILES}
    return folder, counts, data


def ts(s: str) -> datetime:
    return datetime.fromisoformat(s)


# --------------------------------------------------------------------------- determinism


def test_same_seed_same_bytes_other_seed_differs(gen_set, tmp_path):
    folder, counts, _ = gen_set
    again = tmp_path / "again"
    assert generate_exchange_set(again, dossiers=N_DOSSIERS, seed=11, until=UNTIL) == counts
    assert _digest(again) == _digest(folder)
    other = tmp_path / "other"
    generate_exchange_set(other, dossiers=N_DOSSIERS, seed=12, until=UNTIL)
    d_other = _digest(other)
    assert d_other["dossiers"] != _digest(folder)["dossiers"]
    assert d_other["units"] != _digest(folder)["units"]


# --------------------------------------------------------------------------- format


def test_every_line_valid_canonical_and_compact(gen_set):
    folder, counts, data = gen_set
    assert set(counts) == set(FILES)
    for name in FILES:
        spec = get_file_spec(name)
        order = {f: i for i, f in enumerate(spec.field_names)}
        raw = (folder / f"{name}.jsonl").read_text(encoding="utf-8")
        lines = raw.splitlines()
        assert len(lines) == counts[name] == len(data[name]) > 0, name
        assert raw.endswith("\n")
        for i, (line, rec) in enumerate(zip(lines, data[name], strict=True), 1):
            assert line == json.dumps(rec, ensure_ascii=False, separators=(",", ":")), (name, i)
            normalized, errors = validate(name, rec, i)
            assert errors == [], (name, i, errors[:2])
            known = [order[k] for k in rec if k in order]
            assert known == sorted(known), (name, i, "fields out of canonical order")
            extra = [k for k in rec if k not in order]
            # Extra fields kept as they are: the applicant, and a unit's electronic identifier (code prefix).
            assert extra in ([], ["ChuHoSo"], ["MaDinhDanhDienTu"]), (name, extra)
    stamp = re.compile(r'"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00"')
    sample = (folder / "dossiers.jsonl").read_text(encoding="utf-8")
    assert len(stamp.findall(sample)) > N_DOSSIERS * 5
    assert not re.search(r'T\d\d:\d\d:\d\d(\.\d+)?(Z|")', sample)  # always seconds + offset
    assert (folder / "dossiers.jsonl").stat().st_size / N_DOSSIERS < 1200


def test_units_shape(gen_set):
    _, _, data = gen_set
    units = data["units"]
    kinds = Counter(u["LoaiDonVi"] for u in units)
    assert kinds["TINH"] == 1 and kinds["SO"] >= 15 and kinds["XA"] >= 90 and kinds["HUYEN"] >= 3
    prov = next(u for u in units if u["LoaiDonVi"] == "TINH")
    assert prov["MaDonVi"] == "H44" and prov["TenDonVi"].startswith("Tỉnh ")
    names = {u["TenDonVi"] for u in units}
    assert {"Sở Tư pháp", "Sở Y tế", "Công an tỉnh", "Sở Nông nghiệp và Môi trường"} <= names
    districts = [u for u in units if u["LoaiDonVi"] == "HUYEN"]
    assert all(d["HieuLucDen"] == "2025-06-30" for d in districts)
    old = [u for u in units if u["MaDonViCha"] in {d["MaDonVi"] for d in districts}]
    assert old and all(u["HieuLucDen"] == "2025-06-30" for u in old)
    communes = [u for u in units if u["LoaiDonVi"] == "XA" and not u["HieuLucDen"]]
    assert any(c["TenDonVi"].startswith("Phường ") for c in communes)
    assert any(c["TenDonVi"].startswith("Xã ") for c in communes)
    e_copy = sum(c["CungCapChungThucDienTu"] for c in communes)
    assert 0 < e_copy < len(communes)  # 4.6 has a numerator and a remainder


def test_procedures_and_services_shape(gen_set):
    _, _, data = gen_set
    procs = data["procedures"]
    assert len(procs) == 1600
    assert len({p["MaTTHC"] for p in procs}) == len(procs)
    assert all(re.fullmatch(r"[12]\.\d{6}", p["MaTTHC"]) for p in procs)
    assert len({p["TenTTHC"] for p in procs}) == len(procs)
    levels = Counter(tuple(p["CapThucHien"]) for p in procs)
    assert levels[("TINH",)] > levels[("XA",)] > levels[("TINH", "XA")] > 0
    assert all(p["DonViThucHien"] for p in procs if "TINH" in p["CapThucHien"])
    assert all(p["DonViThucHien"] is None for p in procs if p["CapThucHien"] == ["XA"])
    units = Counter(p["DonViTinh"] for p in procs)
    assert units.most_common(1)[0][0] == "ngay_lam_viec" and units["gio_lam_viec"] and units["ngay"]
    assert 0.3 < sum(p["CoPhiLePhi"] for p in procs) / len(procs) < 0.55
    assert 0.6 < sum(p["KetQuaGiay"] for p in procs) / len(procs) < 0.8
    assert set(Counter(p["TrangThaiCongKhai"] for p in procs)) == {
        "dang_cong_khai",
        "sua_doi_bo_sung",
        "bai_bo",
    }
    assert 0 < sum(not p["DayDuBayBoPhan"] for p in procs) < 150
    assert {p["GioChotTiepNhan"] for p in procs} == {None, "15:00"}
    subjects = {s for p in procs for s in p["DoiTuongThucHien"]}
    assert {"Công dân Việt Nam", "Doanh nghiệp"} <= subjects
    svc = data["online_services"]
    assert {s["MucDo"] for s in svc} == {"toan_trinh", "mot_phan"}
    assert set(Counter(s["TrangThai"] for s in svc)) == {
        "dang_cong_khai",
        "cho_dung_cong_khai",
        "dang_kiem_thu",
        "dung_cong_khai",
    }
    assert all(s["HieuLucDen"] for s in svc if s["TrangThai"] == "dung_cong_khai")
    bai_bo = {p["MaTTHC"] for p in procs if p["TrangThaiCongKhai"] == "bai_bo"}
    assert not any(s["MaTTHC"] in bai_bo for s in svc)
    # 3.1 has a remainder: some live procedures offer no online service.
    with_svc = {s["MaTTHC"] for s in svc}
    live = [p for p in procs if p["TrangThaiCongKhai"] != "bai_bo"]
    assert 0.6 < sum(p["MaTTHC"] in with_svc for p in live) / len(live) < 0.95


# --------------------------------------------------------------------------- integrity


def test_referential_integrity(gen_set):
    _, _, data = gen_set
    units = {u["MaDonVi"]: u for u in data["units"]}
    procs = {p["MaTTHC"]: p for p in data["procedures"]}
    svcs = {s["MaDVC"]: s for s in data["online_services"]}
    assert len(svcs) == len(data["online_services"])
    for u in data["units"]:
        assert u["MaDonViCha"] is None or u["MaDonViCha"] in units
    for p in data["procedures"]:
        for code in p["DonViThucHien"] or []:
            assert code in units
    for s in data["online_services"]:
        assert s["MaTTHC"] in procs and s["MaDonVi"] in units
    for pub in data["publications"]:
        assert pub["MaDonVi"] in units
        for item in pub["DanhSachTTHC"]:
            assert item["MaTTHC"] in procs
    codes = set()
    for d in data["dossiers"]:
        assert d["MaHoSo"] not in codes
        codes.add(d["MaHoSo"])
        _assert_dossier_references(d, units, procs, svcs)
    pakn = set()
    for c in data["complaints"]:
        assert c["MaDonVi"] in units
        assert c["MaHoSo"] is None or c["MaHoSo"] in codes
        assert c["MaPAKNTruoc"] is None or c["MaPAKNTruoc"] in pakn  # repeats an earlier one
        pakn.add(c["MaPAKN"])
    for r in data["reference_counts"]:
        assert r["MaDonVi"] in units


def _assert_dossier_references(d, units, procs, svcs):
    """A dossier names known units, procedure and service, at a unit competent for the procedure."""
    assert d["MaTTHC"] in procs and d["MaDonVi"] in units
    if d.get("MaDonViTiepNhan"):
        assert d["MaDonViTiepNhan"] in units and d["MaDonViTiepNhan"] != d["MaDonVi"]
        assert units[d["MaDonViTiepNhan"]]["LoaiDonVi"] in ("XA", "TINH") and d["KenhThucHien"] != 2
    assert units[d["MaDonVi"]]["HieuLucDen"] is None  # no dossiers at dissolved units
    if d.get("MaDVC"):
        s = svcs[d["MaDVC"]]
        assert (s["MaTTHC"], s["MaDonVi"]) == (d["MaTTHC"], d["MaDonVi"])
        assert s["TrangThai"] in ("dang_cong_khai", "cho_dung_cong_khai")
    p = procs[d["MaTTHC"]]
    assert p["TrangThaiCongKhai"] != "bai_bo"
    # Competence: the handling unit is listed, or follows CapThucHien.
    unit = units[d["MaDonVi"]]
    if p["DonViThucHien"]:
        assert d["MaDonVi"] in p["DonViThucHien"]
    else:
        assert unit["LoaiDonVi"] in p["CapThucHien"]


def test_province_level_dossiers_are_handled_by_departments_and_received_at_the_centre(gen_set):
    """Issue #10 item 16, NĐ 118/2025: a province-level procedure is handled by a department or provincial branch
    (SO), never by the province node or a commune; most departments' counter dossiers are received at the
    province's public-service centre (MaDonViTiepNhan: the province), which allocates their code."""
    _, _, data = gen_set
    units = {u["MaDonVi"]: u for u in data["units"]}
    procs = {p["MaTTHC"]: p for p in data["procedures"]}
    province = next(u for u in data["units"] if u["LoaiDonVi"] == "TINH")
    dossiers = data["dossiers"]
    assert Counter(units[d["MaDonVi"]]["LoaiDonVi"] for d in dossiers).keys() == {"SO", "XA"}
    provincial = [d for d in dossiers if procs[d["MaTTHC"]]["CapThucHien"] == ["TINH"]]
    assert provincial and all(units[d["MaDonVi"]]["LoaiDonVi"] == "SO" for d in provincial)
    for p in data["procedures"]:
        if "TINH" in p["CapThucHien"]:  # its department is named among the competent units
            assert any(units[code]["LoaiDonVi"] == "SO" for code in p["DonViThucHien"])
    counter = [d for d in dossiers if units[d["MaDonVi"]]["LoaiDonVi"] == "SO" and d["KenhThucHien"] != 2]
    at_centre = [d for d in counter if d.get("MaDonViTiepNhan") == province["MaDonVi"]]
    assert 0.45 < len(at_centre) / len(counter) < 0.75
    assert all(d["MaHoSo"].startswith(province["MaDinhDanhDienTu"] + "-") for d in at_centre)
    assert not any(d.get("MaDonViTiepNhan") for d in dossiers if d["KenhThucHien"] == 2)


def test_fees_the_law_sets_and_fee_lines_on_counter_dossiers(gen_set):
    """Issue #10 item 16: a Phiếu lý lịch tư pháp costs what TT 244/2016 sets, on every channel; the counter's
    dossiers of fee-bearing procedures mostly carry their fee lines (DanhSachLePhi)."""
    _, _, data = gen_set
    procs = {p["MaTTHC"]: p for p in data["procedures"]}
    lltp = {c for c, p in procs.items() if "phiếu lý lịch tư pháp" in p["TenTTHC"].lower()}
    assert lltp and all(procs[c]["CoPhiLePhi"] for c in lltp)
    legal = [{"MaPhiLePhi": "PLLTP", "TenPhiLePhi": "Phí cung cấp thông tin lý lịch tư pháp", "Gia": 200_000}]
    charged = [d for d in data["dossiers"] if d["MaTTHC"] in lltp and d.get("DanhSachLePhi")]
    assert charged and any(d["KenhThucHien"] == 1 for d in charged)
    assert all(d["DanhSachLePhi"] in (legal, [dict(legal[0], Gia=0)]) for d in charged)
    counter = [d for d in data["dossiers"] if d["KenhThucHien"] == 1 and procs[d["MaTTHC"]]["CoPhiLePhi"]]
    assert sum(bool(d.get("DanhSachLePhi")) for d in counter) / len(counter) > 0.6


# --------------------------------------------------------------------------- lifecycle

ALLOWED = {
    (1, 2),
    (1, 3),
    (1, 7),
    (7, 8),
    (2, 4),
    (4, 5),
    (5, 4),
    (5, 8),
    (4, 6),
    (6, 4),
    (4, 7),
    (4, 8),
    (4, 9),
    (9, 10),
}


def test_dossier_lifecycle_invariants(gen_set):
    _, _, data = gen_set
    procs = {p["MaTTHC"]: p for p in data["procedures"]}
    cal = WorkCalendar.official()
    seq = defaultdict(list)
    e_ids = {u["MaDonVi"]: u.get("MaDinhDanhDienTu") for u in data["units"]}
    for d in data["dossiers"]:
        # TT 03/2025 Art. 13: the receiving unit's electronic identifier, the date, the day's sequence.
        m = re.fullmatch(r"(\d{3}\.\d{2}\.\d{2}\.H44)-(\d{6})-(\d{4})", d["MaHoSo"])
        assert m and m.group(1) == e_ids[d.get("MaDonViTiepNhan") or d["MaDonVi"]]
        log = d["LichSuTrangThai"]
        assert log
        times = [ts(e["ThoiDiem"]) for e in log]
        assert times == sorted(times) and times[-1] < HORIZON
        statuses = [e["TrangThai"] for e in log]
        assert d["TrangThaiHoSo"] == statuses[-1]
        for a, b in zip(statuses, statuses[1:], strict=False):
            assert (a, b) in ALLOWED, (d["MaHoSo"], statuses)
        assert statuses.count(9) <= 1 and statuses.count(10) <= 1
        day = _assert_submission_and_reception(d, statuses, times, procs[d["MaTTHC"]], cal)
        assert m.group(2) == day.strftime("%y%m%d")
        seq[(m.group(1), m.group(2))].append(int(m.group(3)))
        _assert_supplements(d, statuses, times)
        _assert_later_facts(d, statuses, times)
        assert 1 <= len(d["TaiLieuNop"]) <= 5
    # Per-unit daily sequences are 1..k without gaps.
    for nums in seq.values():
        assert sorted(nums) == list(range(1, len(nums) + 1))


def _assert_submission_and_reception(d, statuses, times, p, cal):
    """Channel, submission and reception agree with the log and the due date; returns the code's day."""
    sub = ts(d["NgayNopHoSo"])
    assert sub < HORIZON
    assert (statuses[0] == 1) == (d["KenhThucHien"] == 2)
    if d["KenhThucHien"] == 2:
        assert d.get("MaDVC") and times[0] == sub
    else:
        assert not d.get("MaDVC") and d["NguonHoSo"] == "dia_phuong"
    received = d.get("NgayTiepNhan")
    if not received:
        assert 2 not in statuses and not d.get("NgayHenTra")
        return sub.date()
    rec = ts(received)
    assert sub <= rec < HORIZON and 2 in statuses and times[statuses.index(2)] == rec
    cutoff = time(15, 0) if p["GioChotTiepNhan"] else None
    assert ts(d["NgayHenTra"]) == cal.add(rec, p["ThoiGianGiaiQuyet"], p["DonViTinh"], cutoff)
    if d.get("NgayHenTraMoi"):
        assert ts(d["NgayHenTraMoi"]) > ts(d["NgayHenTra"])
    return rec.date()


def _assert_supplements(d, statuses, times):
    """Supplements mirror the 5 → 4 transitions of the log; an open one is still status 5
    (or the dossier was closed for want of an answer)."""
    sups = d.get("DanhSachHoSoBoSung", [])
    assert len(sups) == statuses.count(5)
    for s, t5 in zip(sups, [t for t, st in zip(times, statuses, strict=True) if st == 5], strict=True):
        assert ts(s["NgayYeuCau"]) == t5
        if s["NgayBoSung"]:
            assert ts(s["NgayBoSung"]) > t5
    if sups and sups[-1]["NgayBoSung"] is None:
        assert d["TrangThaiHoSo"] in (5, 8)


def _assert_later_facts(d, statuses, times):
    """Payment, result, rating and sync, when present, agree with the log."""
    if d.get("DuocThanhToanTrucTuyen"):
        assert d["DuocThanhToanTrucTuyen"] in (1, 2) and ts(d["NgayThanhToan"]) < HORIZON
        assert any(line["Gia"] > 0 for line in d["DanhSachLePhi"])
    if d.get("DuongDanTepTinKetQua"):
        assert 9 in statuses and d["MaKetQua"] and ts(d["NgayCoKetQua"]) == times[statuses.index(9)]
    if d.get("KhongHaiLong"):
        assert ts(d["NgayDanhGia"]) >= times[-1] or 10 in statuses
    if d.get("NgayDongBo"):
        assert times[0] <= ts(d["NgayDongBo"]) < HORIZON


def test_dossiers_spread_over_the_year_and_office_hours(gen_set):
    _, _, data = gen_set
    cal = WorkCalendar.official()
    months = Counter()
    counter_hours = Counter()
    for d in data["dossiers"]:
        sub = ts(d["NgayNopHoSo"])
        months[sub.strftime("%Y-%m")] += 1
        if d["KenhThucHien"] == 1:
            assert cal.is_working_day(sub.date())
            counter_hours[sub.hour] += 1
            assert time(7, 0) <= sub.time() <= time(17, 0) and not time(11, 30) < sub.time() < time(13, 30)
    assert sorted(months)[0] == "2025-07" and sorted(months)[-1] == "2026-06" and len(months) == 12
    assert min(months.values()) > 0
    assert months["2026-02"] < months["2026-03"]  # Tết dip
    assert counter_hours[8] + counter_hours[9] > counter_hours[15] + counter_hours[16]


# --------------------------------------------------------------------------- coverage of indicators


def _late(d) -> bool:
    """interchange.md §4 on-time rule, at the horizon."""
    log = d["LichSuTrangThai"]
    statuses = [e["TrangThai"] for e in log]
    sups = d.get("DanhSachHoSoBoSung", [])
    if len(sups) > 1:
        return True
    end = None
    for st in (9, 10, 8, 7):
        if st in statuses:
            end = ts(log[statuses.index(st)]["ThoiDiem"])
            break
    if sups and sups[-1]["NgayBoSung"] is None:
        end = ts(sups[-1]["NgayYeuCau"])
    end = end or HORIZON
    paused = sum(((ts(s["NgayBoSung"]) - ts(s["NgayYeuCau"])) for s in sups if s["NgayBoSung"]), timedelta())
    return end - paused > ts(d["NgayHenTra"])


def test_data_exercises_every_indicator(gen_set):
    _, _, data = gen_set
    dossiers = data["dossiers"]
    procs = {p["MaTTHC"]: p for p in data["procedures"]}
    received = [d for d in dossiers if d.get("NgayTiepNhan")]
    late = [d for d in received if _late(d)]
    share_late = len(late) / len(received)
    assert 0.08 < share_late < 0.3  # 2.1: mediocre
    by_unit = defaultdict(lambda: [0, 0])
    for d in received:
        by_unit[d["MaDonVi"]][0] += 1
        by_unit[d["MaDonVi"]][1] += _late(d)
    rates = [b / a for a, b in by_unit.values() if a >= 60]
    assert max(rates) - min(rates) > 0.12  # good and bad units
    statuses = Counter(d["TrangThaiHoSo"] for d in dossiers)
    for st in (1, 3, 4, 5, 8, 9, 10):
        assert statuses[st] > 0, st
    logs = [[e["TrangThai"] for e in d["LichSuTrangThai"]] for d in dossiers]
    assert any(6 in s for s in logs) and any(1 in s and 7 in s and 2 not in s for s in logs)
    assert any(7 in s for d, s in zip(dossiers, logs, strict=True) if d.get("NgayTiepNhan"))
    channels = Counter(d["KenhThucHien"] for d in dossiers)
    assert 0.4 < channels[2] / len(dossiers) < 0.7 and channels[3] > 0.02 * len(dossiers)
    assert Counter(d["NguonHoSo"] for d in dossiers if d["KenhThucHien"] == 2)["dia_phuong"] > 0
    sups = Counter(len(d.get("DanhSachHoSoBoSung", [])) for d in dossiers)
    assert 0.04 < (sups[1] + sups[2]) / len(dossiers) < 0.14 and sups[2] > 0
    assert any(
        d["DanhSachHoSoBoSung"][-1]["NgayBoSung"] is None and d["TrangThaiHoSo"] == 5
        for d in dossiers
        if d.get("DanhSachHoSoBoSung")
    )
    assert any(d.get("NgayHenTraMoi") for d in dossiers)
    assert any(d.get("MaDonViTiepNhan") for d in dossiers)
    fee = [d for d in dossiers if procs[d["MaTTHC"]]["CoPhiLePhi"]]
    assert any(not d.get("DanhSachLePhi") for d in fee)  # 3.6: stays in the denominator
    assert any(d.get("DanhSachLePhi") and all(x["Gia"] == 0 for x in d["DanhSachLePhi"]) for d in fee)
    assert {d.get("DuocThanhToanTrucTuyen") for d in dossiers} >= {1, 2, None}
    assert any(d.get("DuongDanTepTinKetQua") for d in dossiers)
    finished = [d for d in dossiers if d["TrangThaiHoSo"] in (9, 10)]
    assert 0.4 < sum(bool(d.get("DuongDanTepTinKetQua")) for d in finished) / len(finished) < 0.95
    assert any(d.get("KetQuaDayVaoKho") for d in dossiers)
    comps = [c for d in dossiers for c in d["TaiLieuNop"]]
    assert any(c.get("DuocTaiSuDung") for c in comps) and any(c.get("DuocLayTuKhoDMQG") for c in comps)
    assert any(not c.get("CoTepDinhKem") for c in comps)
    assert any(d.get("HoSoCoThanhPhanSoHoa") for d in dossiers)
    assert any(d.get("TaiKhoanDuocXacThucVoiVNeID") for d in dossiers)
    assert any(d.get("MaCSDL") for d in dossiers)
    synced = sum(bool(d.get("NgayDongBo")) for d in dossiers) / len(dossiers)
    assert 0.85 < synced < 0.995  # 1.4
    unhappy = sum(bool(d.get("KhongHaiLong")) for d in dossiers) / len(dossiers)
    assert 0.002 < unhappy < 0.05  # 5.4
    # Publications: on-time and late decisions (1.1) and publications (1.2), some unpublished.
    pubs = data["publications"]
    assert {p["Loai"] for p in pubs} == {"them_moi", "sua_doi", "bai_bo"}
    assert all(re.fullmatch(r"\d+/QĐ-UBND", p["SoQuyetDinh"]) for p in pubs)
    items = [(date.fromisoformat(p["NgayQuyetDinh"]), i) for p in pubs for i in p["DanhSachTTHC"]]
    assert any(date.fromisoformat(i["NgayHieuLucCanCu"]) < dd + timedelta(days=5) for dd, i in items)
    assert any(date.fromisoformat(i["NgayHieuLucCanCu"]) > dd + timedelta(days=10) for dd, i in items)
    published = [(dd, ts(i["NgayCongKhai"]).date()) for dd, i in items if i["NgayCongKhai"]]
    assert any(p > dd + timedelta(days=9) for dd, p in published)
    assert any(p <= dd + timedelta(days=3) for dd, p in published)
    assert any(i["NgayCongKhai"] is None for _, i in items)
    # Complaints: both classes, linked or not, transfers, refusals, likes, repeats, and units
    # without any.
    cs = data["complaints"]
    assert 40 <= len(cs) <= 0.006 * len(dossiers) + 60  # at least 40 a year, ~0.3 % of dossiers
    assert {c["PhanLoai"] for c in cs} == {"quy_dinh", "hanh_vi"}
    assert any(c["MaHoSo"] for c in cs) and any(not c["MaHoSo"] for c in cs)
    steps = [[e["TrangThai"] for e in c["LichSu"]] for c in cs]
    assert all(s[0] == "cho_tiep_nhan" for s in steps)
    assert any("chuyen_xu_ly" in s for s in steps) and any("tu_choi" in s for s in steps)
    assert any(s[-1] == "da_cong_khai" for s in steps)
    assert any(c["SoKhongThich"] > c["SoThich"] for c in cs)
    assert any(c["SoThich"] >= c["SoKhongThich"] for c in cs if c["LichSu"][-1]["TrangThai"] == "da_cong_khai")
    assert any(c["MaPAKNTruoc"] for c in cs)
    for c in cs:
        t = [ts(e["ThoiDiem"]) for e in c["LichSu"]]
        assert t == sorted(t) and t[0] == ts(c["NgayGui"]) and t[-1] < HORIZON
    active = {u["MaDonVi"] for u in data["units"] if u["LoaiDonVi"] in ("SO", "XA") and not u["HieuLucDen"]}
    assert active - {c["MaDonVi"] for c in cs}  # 5.2/5.3 full points for units without PAKN
    # Reference counts near our received counts, never below.
    ours = Counter((d["MaDonVi"], d["NgayTiepNhan"][:7]) for d in received)
    refs = {(r["MaDonVi"], r["Ky"]): r for r in data["reference_counts"]}
    assert set(refs) == set(ours)
    assert all(r["SoHoSoBCQG"] >= ours[k] for k, r in refs.items())
    assert any(r["SoHoSoBCQG"] > ours[k] for k, r in refs.items())
    assert all(r["SoHoSoDVCQG"] <= ours[k] + 2 for k, r in refs.items())


# --------------------------------------------------------------------------- scaling and command


def test_scales_with_dossiers(tmp_path):
    small = generate_exchange_set(tmp_path / "s", dossiers=500, seed=3, until=UNTIL, units=60, procedures=200)
    big = generate_exchange_set(tmp_path / "b", dossiers=20_000, seed=3, until=UNTIL, units=60, procedures=200)
    assert small["dossiers"] == 500 and big["dossiers"] == 20_000
    assert small["units"] == big["units"] == 60 and small["procedures"] == 200
    assert big["complaints"] > small["complaints"]
    assert big["reference_counts"] >= small["reference_counts"]
    # The catalogue does not depend on the number of dossiers.
    for name in ("units", "procedures", "online_services", "publications"):
        assert (tmp_path / "s" / f"{name}.jsonl").read_bytes() == (tmp_path / "b" / f"{name}.jsonl").read_bytes()
    empty = generate_exchange_set(tmp_path / "z", dossiers=0, seed=3, until=UNTIL, units=60, procedures=200)
    assert empty["dossiers"] == empty["complaints"] == empty["reference_counts"] == 0


def test_smallest_province_the_command_allows_is_generated(tmp_path):
    # MIN_UNITS was once 40 while the units drawn needed 42: the least allowed value failed.
    counts = generate_exchange_set(tmp_path / "m", dossiers=100, seed=3, until=UNTIL, units=MIN_UNITS, procedures=100)
    assert counts["units"] == MIN_UNITS
    kinds = Counter(u["LoaiDonVi"] for u in _load(tmp_path / "m", "units"))
    assert kinds["XA"] >= 10
    with pytest.raises(ValueError, match="at least"):
        generate_exchange_set(tmp_path / "n", dossiers=100, seed=3, until=UNTIL, units=MIN_UNITS - 1, procedures=100)


def test_large_catalogue_codes_unique(tmp_path):
    counts = generate_exchange_set(tmp_path / "l", dossiers=200, seed=5, until=UNTIL, units=1000, procedures=2000)
    assert counts["units"] == 1000 and counts["procedures"] == 2000
    units = _load(tmp_path / "l", "units")
    assert len({u["MaDonVi"] for u in units}) == 1000 and len({u["TenDonVi"] for u in units}) > 950
    procs = _load(tmp_path / "l", "procedures")
    assert len({p["TenTTHC"] for p in procs}) == 2000


def test_command_writes_and_refuses(tmp_path, capsys):
    out = tmp_path / "cmd"
    call_command(
        "generate",
        output=str(out),
        dossiers=300,
        seed=1,
        until="2026-03-31",
        units=50,
        procedures=100,
    )
    line = capsys.readouterr().out.strip()
    assert line.startswith("units: 50, procedures: 100,") and "dossiers: 300" in line and line.endswith(" s")
    assert sum(1 for _ in open(out / "dossiers.jsonl", encoding="utf-8")) == 300
    with pytest.raises(SystemExit) as exc:
        call_command("generate", output=str(out), dossiers=10)
    assert exc.value.code == 2
    assert "không rỗng" in capsys.readouterr().err
    call_command(
        "generate",
        output=str(out),
        dossiers=20,
        seed=1,
        until="2026-03-31",
        units=50,
        procedures=100,
        force=True,
    )
    assert sum(1 for _ in open(out / "dossiers.jsonl", encoding="utf-8")) == 20


@pytest.mark.parametrize(
    "args",
    [
        {"until": "2026-13-01"},
        {"until": "1999-01-01"},
        {"dossiers": -1},
        {"units": 5},
        {"procedures": 10},
    ],
)
def test_command_bad_input_exits_2(tmp_path, capsys, args):
    with pytest.raises(SystemExit) as exc:
        call_command("generate", output=str(tmp_path / "x"), **args)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("Lỗi:") and "\n" not in err


def test_until_today_never_writes_the_future(tmp_path, pinned_now):
    """The demo passes today's date: events stop at now (appointments may lie ahead)."""
    generate_exchange_set(
        tmp_path / "t",
        dossiers=800,
        seed=2,
        until=datetime.now(VN_TZ).date(),
        units=50,
        procedures=100,
    )
    now = datetime.now(VN_TZ)
    events = []
    for d in _load(tmp_path / "t", "dossiers"):
        events += [ts(e["ThoiDiem"]) for e in d["LichSuTrangThai"]]
        events += [
            ts(d[k])
            for k in (
                "NgayNopHoSo",
                "NgayTiepNhan",
                "NgayThanhToan",
                "NgayDongBo",
                "NgayDanhGia",
                "NgayCoKetQua",
            )
            if d.get(k)
        ]
    for c in _load(tmp_path / "t", "complaints"):
        events += [ts(e["ThoiDiem"]) for e in c["LichSu"]]
    assert len(events) > 3000 and max(events) <= now
