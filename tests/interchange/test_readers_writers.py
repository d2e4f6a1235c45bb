"""Reading and writing exchange sets: folders, zips, CSV, XLSX (no database)."""

import csv
import datetime as dt
import io
import json
import zipfile
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from motcua.interchange.readers import ExchangeSetError, open_exchange_set
from motcua.interchange.schema import IMPORT_ORDER, record_to_json_dict
from motcua.interchange.validation import ParseError, normalize
from motcua.interchange.writers import JsonlWriter, write_exchange_set

from .samples import RAW

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(scope="module")
def records():
    return {file: [normalize(file, raw) for raw in RAW[file]] for file in IMPORT_ORDER}


def read_all(path):
    with open_exchange_set(path) as es:
        out = {}
        for file in es.files:
            rows = list(es.iter_validated(file))
            assert all(not errors for _, _, errors in rows), [str(e) for _, _, errors in rows for e in errors]
            out[file] = [record for _, record, _ in rows]
        return out


def write_text(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def validated(es, file):
    return [(line, record, [str(e) for e in errors]) for line, record, errors in es.iter_validated(file)]


# --- round trips ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "target"),
    [
        ("jsonl", "set"),
        ("csv", "set"),
        ("xlsx", "set.xlsx"),
        ("jsonl", "set.zip"),
        ("csv", "set.zip"),
    ],
)
def test_round_trip(tmp_path, records, fmt, target):
    path = tmp_path / target
    # Iterators, not lists: the writers must stream (CSV/XLSX spool to find extra columns).
    counts = write_exchange_set(path, {f: iter(rs) for f, rs in records.items()}, fmt)
    assert counts == {f: len(rs) for f, rs in records.items()}
    assert read_all(path) == records


def test_jsonl_re_export_is_byte_identical(tmp_path, records):
    first, second, third = tmp_path / "a", tmp_path / "b", tmp_path / "c.zip"
    write_exchange_set(first, records)
    write_exchange_set(second, read_all(first))
    for file in IMPORT_ORDER:
        a = (first / f"{file}.jsonl").read_bytes()
        assert a == (second / f"{file}.jsonl").read_bytes()
        assert a.endswith(b"\n") and b": " not in a.split(b"\n")[0][:40]
    # Via CSV and XLSX the records (and hence the JSONL) come back the same too.
    write_exchange_set(tmp_path / "x.xlsx", records, "xlsx")
    write_exchange_set(third, read_all(tmp_path / "x.xlsx"))
    with zipfile.ZipFile(third) as zf:
        for file in IMPORT_ORDER:
            assert zf.read(f"{file}.jsonl") == (first / f"{file}.jsonl").read_bytes()


def test_output_is_deterministic(tmp_path, records):
    for fmt, name in [("xlsx", "w.xlsx"), ("csv", "w.zip")]:
        write_exchange_set(tmp_path / "1" / name, records, fmt)
        write_exchange_set(tmp_path / "2" / name, records, fmt)
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes()


def test_jsonl_line_content(tmp_path, records):
    write_exchange_set(tmp_path, {"dossiers": records["dossiers"]})
    first = (tmp_path / "dossiers.jsonl").read_text(encoding="utf-8").splitlines()[0]
    obj = json.loads(first)
    assert obj == record_to_json_dict("dossiers", records["dossiers"][0])
    assert "Nguyễn Văn A" in first  # not \u-escaped
    assert first.startswith('{"MaHoSo":"H44.12.01-260315-0001","MaTTHC":"1.001234",')


def test_csv_layout(tmp_path, records):
    write_exchange_set(tmp_path, {"dossiers": records["dossiers"]}, "csv")
    text = (tmp_path / "dossiers.csv").read_text(encoding="utf-8")
    header = text.split("\n", 1)[0].split(",")
    assert header[0] == "MaHoSo" and header[-2:] == ["MaHoSoCu", "TenNguoiNop"]
    assert '"[{""TrangThai"":1,""ThoiDiem"":""2026-03-15T09:12:33+07:00""}' in text
    assert ",true," in text and ",false," in text


# --- JsonlWriter ----------------------------------------------------------------------


def test_jsonl_writer_incremental_and_trusted(tmp_path, records):
    path = tmp_path / "dossiers.jsonl"
    with JsonlWriter.open(path, "dossiers") as w:
        w.write_record(records["dossiers"][0])
        w.write_records(records["dossiers"][1:])
    assert w.count == 2
    trusted = tmp_path / "t" / "dossiers.jsonl"
    trusted.parent.mkdir()
    with JsonlWriter(trusted, trusted=True) as w:
        for r in records["dossiers"]:
            w.write_record(record_to_json_dict("dossiers", r))
    assert trusted.read_bytes() == path.read_bytes()
    # Trusted dicts may still carry dates and instants.
    buf = io.StringIO()
    with JsonlWriter(buf, trusted=True) as w:
        w.write_record(
            {
                "MaDonVi": "U",
                "HieuLucTu": dt.date(2026, 1, 2),
                "T": dt.datetime(2026, 1, 1, 1, tzinfo=dt.UTC),
            }
        )
    assert buf.getvalue() == '{"MaDonVi":"U","HieuLucTu":"2026-01-02","T":"2026-01-01T08:00:00+07:00"}\n'
    with pytest.raises(ValueError):
        JsonlWriter(buf)


# --- reading JSONL --------------------------------------------------------------------


def test_malformed_lines_empty_lines_bom_and_extra(tmp_path):
    write_text(
        tmp_path / "units.jsonl",
        "\ufeff"
        '{"MaDonVi":"U1","TenDonVi":"A","MaCu":7}\n'
        "\n"
        '{"MaDonVi":"U2","TenDonVi":\n'
        "   \r\n"
        '["U3"]\r\n'
        '{"MaDonVi":"U4","TenDonVi":"D","LoaiDonVi":"XA"}\n'
        '{"MaDonVi":"U5","TenDonVi":"E","Diem":NaN}',
    )
    with open_exchange_set(tmp_path) as es:
        assert es.files == ["units"] and es.kind == "folder"
        raw = list(es.iter_records("units"))
        assert [line for line, _ in raw] == [1, 3, 5, 6, 7]
        rows = validated(es, "units")
    assert rows[0][1]["extra"] == {"MaCu": 7}
    line, record, errors = rows[1]
    assert (line, record) == (3, None)
    assert errors[0].startswith("units.jsonl, dòng 3: dòng không phải JSON hợp lệ")
    assert rows[2][2] == ['units.jsonl, dòng 5: dòng phải là một đối tượng JSON ({...}), không phải ["U3"]']
    assert rows[3][1]["MaDonVi"] == "U4"
    assert rows[4][1] is None and "NaN" in rows[4][2][0]


def test_parse_error_objects(tmp_path):
    write_text(tmp_path / "units.jsonl", '{"MaDonVi": }\n')
    with open_exchange_set(tmp_path) as es:
        ((line, err),) = list(es.iter_records("units"))
    assert isinstance(err, ParseError)
    assert (err.file, err.line, err.field, err.code) == ("units", 1, None, "json")
    assert "cột 13" in err.message


def test_non_utf8_file_gives_a_vietnamese_error(tmp_path):
    write_text(tmp_path / "units.jsonl", '{"MaDonVi":"U1","TenDonVi":"Đông Hà"}\n', "cp1258")
    write_text(tmp_path / "procedures.csv", "MaTTHC,TenTTHC\n1,Cấp phép\n", "utf-16")
    with open_exchange_set(tmp_path) as es:
        (u,) = validated(es, "units")
        (p,) = validated(es, "procedures")
    assert u[1] is None and "tệp không được mã hóa UTF-8" in u[2][0]
    assert u[2][0].startswith("units.jsonl, dòng 1: ")
    assert p[1] is None and "mã hóa UTF-8" in p[2][0]


def test_duplicate_keys_name_both_lines(tmp_path):
    write_text(
        tmp_path / "units.jsonl",
        '{"MaDonVi":"U1","TenDonVi":"A"}\n{"MaDonVi":"U2","TenDonVi":"B"}\n{"MaDonVi":"U1","TenDonVi":"C"}\n',
    )
    write_text(
        tmp_path / "reference_counts.jsonl",
        '{"MaDonVi":"H","Ky":"2026"}\n{"MaDonVi":"H","Ky":"2026-Q1"}\n{"MaDonVi":"H","Ky":2026}\n',
    )
    with open_exchange_set(tmp_path) as es:
        units = list(es.iter_validated("units"))
        refs = list(es.iter_validated("reference_counts"))
        assert len(list(es.iter_validated("units", seen_keys=False))) == 3
        assert all(r for _, r, _ in es.iter_validated("units", seen_keys=False))
    assert units[2][1] is None
    (err,) = units[2][2]
    assert (err.line, err.field, err.code) == (3, "MaDonVi", "duplicate")
    assert str(err) == ('units.jsonl, dòng 3, trường MaDonVi: khóa "U1" trùng với dòng 1 (dòng 1 và dòng 3 cùng khóa)')
    assert refs[1][1] is not None
    (err,) = refs[2][2]
    assert err.field == "MaDonVi, Ky" and 'khóa ["H", "2026"] trùng với dòng 1' in err.message


# --- CSV ------------------------------------------------------------------------------


def test_csv_neutralises_formula_cells_and_reads_them_back(tmp_path, records):
    """OWASP CSV injection: a cell starting with = + - @ gets a leading ' (numbers excepted); the reader
    removes it, so an export imports back unchanged."""
    from tests.spreadsheets import HOSTILE_CELLS

    units = [
        {**records["units"][0], "TenDonVi": HOSTILE_CELLS[0]},
        {**records["units"][1], "TenDonVi": "'" + HOSTILE_CELLS[1]},
    ]
    dossier = records["dossiers"][0]
    dossiers = [{**dossier, "MaKetQua": "+84912345678", "extra": {**dossier["extra"], "TenNguoiNop": HOSTILE_CELLS[3]}}]
    write_exchange_set(tmp_path, {"units": units, "dossiers": dossiers}, "csv")
    with open(tmp_path / "units.csv", encoding="utf-8", newline="") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    assert "'" + HOSTILE_CELLS[0] in cells and "''" + HOSTILE_CELLS[1] in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    text = (tmp_path / "dossiers.csv").read_text(encoding="utf-8")
    assert "'" + HOSTILE_CELLS[3] in text and ",+84912345678," in text
    assert read_all(tmp_path) == {"units": units, "dossiers": dossiers}


def test_csv_cells(tmp_path):
    write_text(
        tmp_path / "dossiers.csv",
        "\ufeffMaHoSo,MaTTHC,MaDonVi,KenhThucHien,KhongHaiLong,LichSuTrangThai,NgayTiepNhan,GhiChu\n"
        'HS1,T1,U1,2,1,"[{""TrangThai"":1,""ThoiDiem"":""2026-01-01T08:00:00""}]",,"hai\n'
        'dòng"\n'
        "\n"
        "HS2,T1,U1,,0,,2026-01-02 09:00,\n"
        "HS3,T1,,4,có,[x,2026-02-30T00:00,\n"
        "HS4,T1,U1,1,0,,,,extra-cell\n",
    )
    with open_exchange_set(tmp_path) as es:
        assert es.format_of("dossiers") == "csv"
        rows = list(es.iter_validated("dossiers"))
    assert [line for line, _, _ in rows] == [2, 5, 6, 7]
    r1, r2 = rows[0][1], rows[1][1]
    assert r1["KenhThucHien"] == 2 and r1["KhongHaiLong"] is True
    assert r1["LichSuTrangThai"] == [{"TrangThai": 1, "ThoiDiem": dt.datetime(2026, 1, 1, 8, tzinfo=VN)}]
    assert r1["NgayTiepNhan"] is None and r1["extra"] == {"GhiChu": "hai\ndòng"}
    assert r2["KhongHaiLong"] is False and r2["KenhThucHien"] is None and r2["extra"] == {}
    assert r2["NgayTiepNhan"] == dt.datetime(2026, 1, 2, 9, tzinfo=VN)
    errors = {(e.line, e.field, e.code) for e in rows[2][2]}
    assert errors == {
        (6, "MaDonVi", "required"),
        (6, "KenhThucHien", "enum"),
        (6, "KhongHaiLong", "type"),
        (6, "LichSuTrangThai", "json"),
        (6, "NgayTiepNhan", "timestamp"),
    }
    assert str(rows[3][2][0]).startswith("dossiers.csv, dòng 7: dòng có 9 ô")


def test_csv_duplicate_header(tmp_path):
    write_text(tmp_path / "units.csv", "MaDonVi,TenDonVi,MaDonVi\nU,T,U\n")
    with open_exchange_set(tmp_path) as es:
        ((line, err),) = list(es.iter_records("units"))
    assert line == 1 and err.code == "header" and "MaDonVi" in err.message


# --- set layout -----------------------------------------------------------------------


def test_same_file_in_two_formats_is_an_error(tmp_path):
    write_text(tmp_path / "units.jsonl", "")
    write_text(tmp_path / "units.csv", "")
    with pytest.raises(ExchangeSetError, match="units có hai lần"):
        open_exchange_set(tmp_path)


def test_folder_lists_present_and_ignored_files(tmp_path):
    write_text(tmp_path / "complaints.jsonl", "")
    write_text(tmp_path / "Units.JSONL", '{"MaDonVi":"U","TenDonVi":"T"}\n')
    write_text(tmp_path / "README.txt", "hi")
    with open_exchange_set(tmp_path) as es:
        assert es.files == ["units", "complaints"]
        assert "units" in es and "dossiers" not in es
        assert es.ignored == ["README.txt"]
        assert list(es.iter_records("complaints")) == []
        assert es.source_name("units") == "Units.JSONL"
        with pytest.raises(KeyError):
            es.iter_records("dossiers")


def test_bad_paths(tmp_path):
    with pytest.raises(ExchangeSetError, match="không tìm thấy"):
        open_exchange_set(tmp_path / "missing")
    with pytest.raises(ExchangeSetError, match="không tìm thấy tệp dữ liệu trao đổi"):
        open_exchange_set(tmp_path)
    single = write_text(tmp_path / "units.jsonl", "")
    with pytest.raises(ExchangeSetError, match="tệp đơn lẻ"):
        open_exchange_set(single)
    broken = write_text(tmp_path / "x.zip", "not a zip")
    with pytest.raises(ExchangeSetError, match="không phải tệp zip"):
        open_exchange_set(broken)


def test_zip_with_sub_folder(tmp_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("export-2026/units.jsonl", '{"MaDonVi":"U1","TenDonVi":"A"}\n{"bad"\n')
        zf.writestr("export-2026/procedures.csv", "MaTTHC,ThoiGianGiaiQuyet\nT1,0.5\n")
        zf.writestr("export-2026/ghi-chu.txt", "notes")
        zf.writestr("__MACOSX/export-2026/._units.jsonl", "junk")
    with open_exchange_set(path) as es:
        assert es.kind == "zip" and es.files == ["units", "procedures"]
        assert es.ignored == ["export-2026/ghi-chu.txt"]
        units = validated(es, "units")
        procs = validated(es, "procedures")
    assert units[0][1]["MaDonVi"] == "U1"
    assert units[1][2][0].startswith("export.zip:export-2026/units.jsonl, dòng 2: ")
    assert procs[0][1]["ThoiGianGiaiQuyet"] == 0.5


def test_zip_with_files_in_two_folders_is_an_error(tmp_path):
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a/units.jsonl", "")
        zf.writestr("b/dossiers.jsonl", "")
    with pytest.raises(ExchangeSetError, match="nhiều thư mục"):
        open_exchange_set(path)


def test_foreign_xlsx_workbook(tmp_path):
    path = tmp_path / "so-lieu.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "units"
    ws.append(["MaDonVi", "TenDonVi", "HieuLucTu", "CungCapChungThucDienTu", "MaSo"])
    ws.append([12345, "Xã A", dt.datetime(2025, 7, 1), True, 7.0])
    ws.append([None, None, None, None, None])
    ws.append(["U2", None, "2025-02-30", "khong", None])
    ws2 = wb.create_sheet("Dossiers")
    ws2.append(["MaHoSo", "MaTTHC", "MaDonVi", "KenhThucHien", "NgayTiepNhan", "NgayNopHoSo", "NgayCu"])
    midnight = dt.datetime(2026, 1, 5)
    ws2.append(["HS1", "T1", "U1", 2, dt.datetime(2026, 1, 5, 14, 30), midnight, midnight])
    ws3 = wb.create_sheet("procedures")
    ws3.append(["MaTTHC", "GioChotTiepNhan", "ThoiGianGiaiQuyet"])
    ws3.append(["T1", dt.time(15, 0), 0.5])
    wb.create_sheet("Ghi chú")
    wb.save(path)
    with open_exchange_set(path) as es:
        assert es.kind == "xlsx" and es.files == ["units", "procedures", "dossiers"]
        assert es.ignored == ["Ghi chú"]
        units = list(es.iter_validated("units"))
        dossiers = list(es.iter_validated("dossiers"))
        procedures = list(es.iter_validated("procedures"))
    record = units[0][1]
    assert record["MaDonVi"] == "12345" and record["HieuLucTu"] == dt.date(2025, 7, 1)
    assert record["CungCapChungThucDienTu"] is True and record["extra"] == {"MaSo": 7}
    line, record, errors = units[1]
    assert line == 4 and record is None
    assert {e.field for e in errors} == {"TenDonVi", "HieuLucTu", "CungCapChungThucDienTu"}
    assert str(errors[0]).startswith("so-lieu.xlsx, trang units, dòng 4, trường ")
    assert dossiers[0][1]["NgayTiepNhan"] == dt.datetime(2026, 1, 5, 14, 30, tzinfo=VN)
    # A midnight cell is still an instant in a timestamp field; unknown cells become text.
    assert dossiers[0][1]["NgayNopHoSo"] == dt.datetime(2026, 1, 5, tzinfo=VN)
    assert dossiers[0][1]["extra"] == {"NgayCu": "2026-01-05"}
    (procedure,) = procedures
    assert procedure[1]["GioChotTiepNhan"] == "15:00" and procedure[1]["ThoiGianGiaiQuyet"] == 0.5
