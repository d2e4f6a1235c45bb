"""Schema, validation and the normalized-record contract (no database)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.interchange.schema import (
    FILES,
    IMPORT_ORDER,
    LIST,
    get_file_spec,
    record_to_json_dict,
)
from motcua.interchange.validation import InvalidRecord, normalize, validate

from .samples import RAW

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def errors_of(file, raw, line=7):
    record, errors = validate(file, raw, line)
    assert record is None
    return errors


def only_error(file, raw, line=7):
    errors = errors_of(file, raw, line)
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


def dossier(**fields):
    return {"MaHoSo": "HS1", "MaTTHC": "T1", "MaDonVi": "U1", **fields}


# --- declarations --------------------------------------------------------------------


def test_files_keys_and_import_order():
    assert IMPORT_ORDER == (
        "units",
        "procedures",
        "online_services",
        "publications",
        "dossiers",
        "complaints",
        "reference_counts",
    )
    keys = {name: spec.key for name, spec in FILES.items()}
    assert keys == {
        "units": ("MaDonVi",),
        "procedures": ("MaTTHC",),
        "online_services": ("MaDVC",),
        "publications": ("MaDonVi", "SoQuyetDinh"),
        "dossiers": ("MaHoSo",),
        "complaints": ("MaPAKN",),
        "reference_counts": ("MaDonVi", "Ky"),
    }
    for spec in FILES.values():
        for key in spec.key:
            assert spec.by_name[key].required
        for f in spec.fields:
            assert f.label and f.label == f.label.strip()


def test_enumerations_follow_the_spec():
    d = FILES["dossiers"].by_name
    assert d["KenhThucHien"].values == (1, 2, 3)
    assert d["TrangThaiHoSo"].values == tuple(range(1, 11))
    assert d["DuocThanhToanTrucTuyen"].values == (0, 1, 2)
    assert d["NguonHoSo"].values == ("dvcqg", "dia_phuong")
    assert d["LichSuTrangThai"].fields[0].values == tuple(range(1, 11))
    assert FILES["units"].by_name["LoaiDonVi"].values == ("BO", "TINH", "SO", "HUYEN", "XA")
    p = FILES["procedures"].by_name
    assert p["DonViTinh"].values == ("ngay_lam_viec", "gio_lam_viec", "ngay")
    assert p["TrangThaiCongKhai"].values == ("dang_cong_khai", "sua_doi_bo_sung", "bai_bo")
    assert p["CapThucHien"].item.values == ("BO", "TINH", "HUYEN", "XA")
    s = FILES["online_services"].by_name
    assert s["MucDo"].values == ("toan_trinh", "mot_phan")
    assert s["TrangThai"].values == (
        "dang_cong_khai",
        "cho_dung_cong_khai",
        "dang_kiem_thu",
        "dung_cong_khai",
    )
    assert FILES["publications"].by_name["Loai"].values == ("them_moi", "sua_doi", "bai_bo")
    c = FILES["complaints"].by_name
    assert c["PhanLoai"].values == ("quy_dinh", "hanh_vi")
    assert len(c["LichSu"].fields[0].values) == 9
    assert "chuyen_xu_ly" in c["LichSu"].fields[0].values


def test_unknown_file_is_rejected():
    with pytest.raises(ValueError):
        get_file_spec("dossier")


# --- normalization -------------------------------------------------------------------


@pytest.mark.parametrize("file", IMPORT_ORDER)
def test_every_sample_normalizes_with_all_fields(file):
    spec = FILES[file]
    for raw in RAW[file]:
        record, errors = validate(file, raw, 1)
        assert errors == []
        assert list(record) == [*spec.field_names, "extra"]
        for f in spec.fields:
            if f.kind == LIST:
                assert isinstance(record[f.name], list)
                if f.fields:
                    for item in record[f.name]:
                        assert [x.name for x in f.fields] == list(item)[: len(f.fields)]


def test_types_are_canonical():
    r = normalize("dossiers", RAW["dossiers"][0])
    assert r["KenhThucHien"] == 2 and type(r["KenhThucHien"]) is int
    assert r["NgayTiepNhan"] == dt.datetime(2026, 3, 15, 10, 2, tzinfo=VN)
    assert r["NgayTiepNhan"].tzinfo is VN
    assert r["LichSuTrangThai"][3] == {
        "TrangThai": 10,
        "ThoiDiem": dt.datetime(2026, 3, 20, 15, 0, 0, 250000, tzinfo=VN),
    }
    assert r["DanhSachHoSoBoSung"][1] == {
        "NgayYeuCau": dt.datetime(2026, 3, 18, 8, tzinfo=VN),
        "NgayBoSung": None,
    }
    # Unknown sub-fields stay in the item, unknown fields go to extra.
    assert r["TaiLieuNop"][0]["GhiChu"] == "x"
    assert r["TaiLieuNop"][0]["DuocTaiSuDung"] is False
    assert r["extra"] == {"MaHoSoCu": "EGOV-77", "TenNguoiNop": RAW["dossiers"][0]["TenNguoiNop"]}
    # Omitted: bool → False, list → [], other → None.
    r2 = normalize("dossiers", RAW["dossiers"][1])
    assert r2["KhongHaiLong"] is False and r2["LichSuTrangThai"] == [] and r2["NgayHenTra"] is None
    assert r2["extra"] == {}

    p = normalize("procedures", RAW["procedures"][0])
    assert p["ThoiGianGiaiQuyet"] == 0.5 and p["GioChotTiepNhan"] == "15:00"
    assert normalize("procedures", {"MaTTHC": "x", "ThoiGianGiaiQuyet": "15.0"})["ThoiGianGiaiQuyet"] == 15
    u = normalize("units", RAW["units"][1])
    assert u["HieuLucTu"] == dt.date(2025, 7, 1) and u["CungCapChungThucDienTu"] is True
    assert normalize("reference_counts", {"MaDonVi": "H", "Ky": 2026})["Ky"] == "2026"


def test_timestamps_without_offset_mean_hanoi_time_and_offsets_are_converted():
    naive = normalize("dossiers", dossier(NgayTiepNhan="2026-03-01T08:00:00"))
    assert naive["NgayTiepNhan"] == dt.datetime(2026, 3, 1, 8, tzinfo=VN)
    assert naive["NgayTiepNhan"].utcoffset() == dt.timedelta(hours=7)
    utc = normalize("dossiers", dossier(NgayTiepNhan="2026-03-01T01:00:00+00:00"))
    assert utc["NgayTiepNhan"].tzinfo is VN
    assert utc["NgayTiepNhan"].hour == 8
    assert record_to_json_dict("dossiers", utc)["NgayTiepNhan"] == "2026-03-01T08:00:00+07:00"
    z = normalize("dossiers", dossier(NgayTiepNhan="2026-03-01T23:30:00Z"))
    assert record_to_json_dict("dossiers", z)["NgayTiepNhan"] == "2026-03-02T06:30:00+07:00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("true", True), ("FALSE", False), ("1", True), ("0", False), (1, True), (0, False)],
)
def test_boolean_spellings(text, expected):
    assert normalize("dossiers", dossier(KhongHaiLong=text))["KhongHaiLong"] is expected


def test_csv_style_strings_are_accepted():
    r = normalize(
        "dossiers",
        dossier(
            KenhThucHien="3",
            TrangThaiHoSo="10",
            LichSuTrangThai='[{"TrangThai":"2","ThoiDiem":"2026-01-01T08:00:00"}]',
            DanhSachLePhi='[{"Gia":"15000"}]',
        ),
    )
    assert r["KenhThucHien"] == 3 and r["TrangThaiHoSo"] == 10
    assert r["LichSuTrangThai"][0]["TrangThai"] == 2
    assert r["DanhSachLePhi"] == [{"MaPhiLePhi": None, "TenPhiLePhi": None, "Gia": 15000}]
    assert normalize("procedures", {"MaTTHC": "x", "GioChotTiepNhan": "7:05"})["GioChotTiepNhan"] == "07:05"


def test_empty_and_blank_strings_are_omitted():
    r = normalize("dossiers", dossier(MaDVC="", MaCSDL="   ", NgayHenTra=""))
    assert r["MaDVC"] is None and r["MaCSDL"] is None and r["NgayHenTra"] is None


# --- canonical JSON ---------------------------------------------------------------


@pytest.mark.parametrize("file", IMPORT_ORDER)
def test_json_form_round_trips(file):
    for raw in RAW[file]:
        record = normalize(file, raw)
        as_json = record_to_json_dict(file, record)
        assert normalize(file, as_json) == record
        assert record_to_json_dict(file, normalize(file, as_json)) == as_json
        assert list(as_json)[: len(FILES[file].fields)] == list(FILES[file].field_names)


def test_json_form_details():
    record = normalize("dossiers", RAW["dossiers"][0])
    j = record_to_json_dict("dossiers", record)
    assert j["NgayTiepNhan"] == "2026-03-15T10:02:00+07:00"
    assert j["LichSuTrangThai"][3]["ThoiDiem"] == "2026-03-20T15:00:00.250000+07:00"
    assert list(j)[-2:] == ["MaHoSoCu", "TenNguoiNop"]  # extra merged back, sorted
    assert "extra" not in j
    assert j["TaiLieuNop"][0] == {
        "MaThanhPhanHoSo": "TP1",
        "CoTepDinhKem": True,
        "DuocSoHoa": True,
        "DuocTaiSuDung": False,
        "DuocLayTuKhoDMQG": False,
        "GhiChu": "x",
    }
    assert j["MaDonViTiepNhan"] is None and j["DanhSachLePhi"][0]["Gia"] == 50000
    unit = record_to_json_dict("units", normalize("units", RAW["units"][1]))
    assert unit["HieuLucTu"] == "2025-07-01"


_instants = st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=st.just(VN))


@settings(max_examples=60, deadline=None)
@given(
    received=_instants,
    offset_minutes=st.integers(-12 * 60, 14 * 60),
    fee=st.integers(0, 10**9),
    limit=st.one_of(st.integers(0, 365), st.sampled_from([0.5, 1.5, 2.25])),
)
def test_round_trip_property(received, offset_minutes, fee, limit):
    shifted = received.astimezone(dt.timezone(dt.timedelta(minutes=offset_minutes)))
    record = normalize(
        "dossiers",
        dossier(NgayTiepNhan=shifted.isoformat(), DanhSachLePhi=[{"Gia": fee}]),
    )
    assert record["NgayTiepNhan"] == received
    assert normalize("dossiers", record_to_json_dict("dossiers", record)) == record
    p = normalize("procedures", {"MaTTHC": "x", "ThoiGianGiaiQuyet": limit})
    assert normalize("procedures", record_to_json_dict("procedures", p)) == p


# --- errors ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JAVASCRIPT:alert(1)", "data:text/html,x", "kq.pdf"])
def test_result_url_must_be_http(url):
    e = only_error("dossiers", dossier(DuongDanTepTinKetQua=url))
    assert (e.field, e.code) == ("DuongDanTepTinKetQua", "url")
    assert "http:// hoặc https://" in str(e)


def test_result_url_http_is_kept():
    record = normalize("dossiers", dossier(DuongDanTepTinKetQua="https://kq.example.vn/1.pdf"))
    assert record["DuongDanTepTinKetQua"] == "https://kq.example.vn/1.pdf"


def test_error_message_format():
    e = only_error("dossiers", dossier(NgayTiepNhan="2026-13-01"), line=12)
    assert (e.file, e.line, e.field, e.code) == ("dossiers", 12, "NgayTiepNhan", "timestamp")
    assert str(e) == (
        'dossiers.jsonl, dòng 12, trường NgayTiepNhan: "2026-13-01" không phải ngày giờ hợp lệ (ISO 8601)'
    )
    assert e.message_en == '"2026-13-01" is not a valid timestamp (ISO 8601)'
    assert e.value == "2026-13-01"
    _, errors = validate("dossiers", dossier(NgayTiepNhan="x"), 3, source="bo.zip:dossiers.csv")
    assert str(errors[0]).startswith("bo.zip:dossiers.csv, dòng 3, trường NgayTiepNhan: ")


@pytest.mark.parametrize(
    "value",
    ["2026-02-30T08:00:00", "2026-03-01T25:00:00", "hôm qua", "2026-03-01", 20260301, [], True],
)
def test_bad_timestamps(value):
    e = only_error("dossiers", dossier(NgayHenTra=value))
    assert (e.field, e.code) == ("NgayHenTra", "timestamp")
    assert "không phải ngày giờ hợp lệ" in e.message


@pytest.mark.parametrize("value", ["2026-02-30", "2026-2-3", "01/03/2026", "2026-03-01T00:00:00"])
def test_bad_dates(value):
    e = only_error("units", {"MaDonVi": "U", "TenDonVi": "T", "HieuLucTu": value})
    assert (e.field, e.code) == ("HieuLucTu", "date")
    assert "không phải ngày hợp lệ (YYYY-MM-DD)" in str(e)


def test_required_fields():
    errors = errors_of("dossiers", {"MaHoSo": "HS1", "MaDonVi": None, "MaTTHC": " "})
    assert {(e.field, e.code) for e in errors} == {("MaTTHC", "required"), ("MaDonVi", "required")}
    e = next(e for e in errors if e.field == "MaDonVi")
    assert str(e) == "dossiers.jsonl, dòng 7, trường MaDonVi: thiếu giá trị bắt buộc (mã đơn vị xử lý)"
    e = only_error("reference_counts", {"MaDonVi": "H44"})
    assert (e.field, e.code) == ("Ky", "required")


def test_enum_errors():
    e = only_error("dossiers", dossier(KenhThucHien=4))
    assert (e.field, e.code) == ("KenhThucHien", "enum")
    assert e.message == "4 không thuộc các giá trị cho phép: 1, 2, 3"
    e = only_error("units", {"MaDonVi": "U", "TenDonVi": "T", "LoaiDonVi": "xa"})
    assert e.message == '"xa" không thuộc các giá trị cho phép: BO, TINH, SO, HUYEN, XA'
    e = only_error("procedures", {"MaTTHC": "x", "CapThucHien": ["TINH", "SO"]})
    assert (e.field, e.code) == ("CapThucHien[1]", "enum")
    e = only_error("dossiers", dossier(TrangThaiHoSo=True))
    assert e.code == "enum"  # a boolean is not the number 1


def test_types_and_amounts():
    e = only_error("complaints", {"MaPAKN": "P", "MaDonVi": "U", "SoThich": -1})
    assert (e.field, e.code, e.message) == ("SoThich", "negative", "-1 không được là số âm")
    e = only_error("complaints", {"MaPAKN": "P", "MaDonVi": "U", "SoKhongThich": 1.5})
    assert (e.field, e.code) == ("SoKhongThich", "type")
    e = only_error("procedures", {"MaTTHC": "x", "ThoiGianGiaiQuyet": "nửa ngày"})
    assert (e.field, e.code) == ("ThoiGianGiaiQuyet", "type")
    e = only_error("procedures", {"MaTTHC": "x", "ThoiGianGiaiQuyet": -2})
    assert e.code == "negative"
    e = only_error("procedures", {"MaTTHC": "x", "ThoiGianGiaiQuyet": float("nan")})
    assert e.code == "type"
    e = only_error("dossiers", dossier(KhongHaiLong="có"))
    assert (e.field, e.code) == ("KhongHaiLong", "type")
    e = only_error("dossiers", dossier(MaDonVi={"a": 1}))
    assert (e.field, e.code) == ("MaDonVi", "type")
    e = only_error("procedures", {"MaTTHC": "x", "GioChotTiepNhan": "24:00"})
    assert (e.field, e.code) == ("GioChotTiepNhan", "hhmm")
    for bad in ("2026-Q5", "2026-13", "26", "2026-h1"):
        e = only_error("reference_counts", {"MaDonVi": "H", "Ky": bad})
        assert (e.field, e.code) == ("Ky", "period")


def test_list_shapes_and_dotted_paths():
    e = only_error(
        "dossiers",
        dossier(
            DanhSachHoSoBoSung=[
                {"NgayYeuCau": "2026-01-01T08:00:00"},
                {"NgayYeuCau": "2026-01-02T08:00:00"},
                {"NgayYeuCau": "2026-01-03T08:00:00", "NgayBoSung": "2026-01-32T08:00:00"},
            ]
        ),
        line=12,
    )
    assert (e.field, e.code) == ("DanhSachHoSoBoSung[2].NgayBoSung", "timestamp")
    assert str(e).startswith("dossiers.jsonl, dòng 12, trường DanhSachHoSoBoSung[2].NgayBoSung: ")

    e = only_error("dossiers", dossier(DanhSachLePhi={"Gia": 1}))
    assert (e.field, e.code) == ("DanhSachLePhi", "type")
    e = only_error("dossiers", dossier(DanhSachLePhi=[{"Gia": 1}, 5]))
    assert (e.field, e.code) == ("DanhSachLePhi[1]", "type")
    e = only_error("dossiers", dossier(DanhSachLePhi=[{"TenPhiLePhi": "x"}]))
    assert (e.field, e.code) == ("DanhSachLePhi[0].Gia", "required")
    e = only_error("dossiers", dossier(DanhSachLePhi=[{"Gia": -100}]))
    assert (e.field, e.code) == ("DanhSachLePhi[0].Gia", "negative")
    e = only_error("dossiers", dossier(TaiLieuNop="[{broken"))
    assert (e.field, e.code) == ("TaiLieuNop", "json")
    assert "không phải danh sách JSON hợp lệ" in e.message
    e = only_error("procedures", {"MaTTHC": "x", "DoiTuongThucHien": ["a", None]})
    assert (e.field, e.code) == ("DoiTuongThucHien[1]", "required")
    e = only_error("publications", {"SoQuyetDinh": "1", "MaDonVi": "H", "DanhSachTTHC": [{}]})
    assert (e.field, e.code) == ("DanhSachTTHC[0].MaTTHC", "required")


def test_status_log_must_be_oldest_first():
    log = [
        {"TrangThai": 1, "ThoiDiem": "2026-01-02T08:00:00+07:00"},
        {"TrangThai": 2, "ThoiDiem": "2026-01-02T08:00:00+07:00"},  # equal is fine
        {"TrangThai": 4, "ThoiDiem": "2026-01-02T00:59:00+00:00"},  # 07:59 local: earlier
    ]
    e = only_error("dossiers", dossier(LichSuTrangThai=log))
    assert (e.field, e.code) == ("LichSuTrangThai[2].ThoiDiem", "order")
    assert "sớm hơn mục trước" in e.message
    record = normalize("dossiers", dossier(LichSuTrangThai=log[:2]))
    assert [x["TrangThai"] for x in record["LichSuTrangThai"]] == [1, 2]


def test_several_errors_are_all_reported_and_values_truncated():
    errors = errors_of("dossiers", dossier(KenhThucHien=9, NgayTiepNhan="x" * 500, MaDonVi=None))
    assert [e.field for e in errors] == ["MaDonVi", "KenhThucHien", "NgayTiepNhan"]
    long = next(e for e in errors if e.field == "NgayTiepNhan")
    assert len(long.message) < 120 and "…" in long.message


def test_non_object_line_and_invalid_record_exception():
    record, errors = validate("units", ["not", "an", "object"], 4)
    assert record is None and errors[0].code == "type" and errors[0].field is None
    assert str(errors[0]).startswith("units.jsonl, dòng 4: dòng phải là một đối tượng JSON")
    with pytest.raises(InvalidRecord) as info:
        normalize("units", {"MaDonVi": "U"})
    assert info.value.errors[0].field == "TenDonVi"


def test_json_form_of_a_hand_built_record_matches_its_normalized_twin():
    built = {
        "MaTTHC": "x",
        "ThoiGianGiaiQuyet": 15.0,
        "CapThucHien": None,
        "Zeta": 1,
        "extra": {"A": 2},
    }
    j = record_to_json_dict("procedures", built)
    assert j["ThoiGianGiaiQuyet"] == 15 and j["CapThucHien"] == [] and j["CoPhiLePhi"] is False
    assert list(j)[-2:] == ["A", "Zeta"]
    assert record_to_json_dict("procedures", normalize("procedures", j)) == j
