"""Fact sources: exchange sets (interchange.md §1) loaded into DuckDB, and snapshots.

``load_exchange_set(path)`` reads a folder (or .zip) of JSON Lines with DuckDB's
own ``read_json`` (explicit column types, list fields unnested in SQL), adds
the calendar-derived columns (derive.py) and returns :class:`Facts` on an
in-memory DuckDB. ``prepare_snapshot(path, out)`` does the same into a DuckDB
file that ``open_snapshot(out)`` reopens read-only, so repeated scores skip
parsing and calendar work.

Sets that are not JSON Lines (CSV, XLSX) go through
``motcua.interchange.readers`` when that module is available.
"""

from __future__ import annotations

import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ibis
import pandas as pd
from django.conf import settings

from motcua.core.errors import UserError
from motcua.index766 import derive
from motcua.index766.facts import SCHEMAS, Facts
from motcua.interchange.schema import IMPORT_ORDER

FILES = IMPORT_ORDER

# Instants are read as text and cast by ts_utc() while the session time zone is
# Asia/Ho_Chi_Minh: no offset (or a bare date) means +07:00, an explicit offset or Z
# is honoured, and the UTC wall clock is kept (ICU is built into DuckDB). Not typed
# TIMESTAMPTZ in read_json: its parser ignores the session zone (offset-less = UTC).
_TS = "VARCHAR"

# Raw column types for read_json. Unknown fields are ignored by the engine
# (the interchange importer keeps them in `extra`; scoring does not need them).
RAW_COLUMNS: dict[str, dict[str, str]] = {
    "units": {
        "MaDonVi": "VARCHAR",
        "TenDonVi": "VARCHAR",
        "MaDonViCha": "VARCHAR",
        "LoaiDonVi": "VARCHAR",
        "CungCapChungThucDienTu": "BOOLEAN",
        "HieuLucTu": "DATE",
        "HieuLucDen": "DATE",
    },
    "procedures": {
        "MaTTHC": "VARCHAR",
        "TenTTHC": "VARCHAR",
        "MaLinhVuc": "VARCHAR",
        "CapThucHien": "VARCHAR[]",
        "DonViThucHien": "VARCHAR[]",
        "ThoiGianGiaiQuyet": "DOUBLE",
        "DonViTinh": "VARCHAR",
        "CoPhiLePhi": "BOOLEAN",
        "KetQuaGiay": "BOOLEAN",
        "DoiTuongThucHien": "VARCHAR[]",
        "DuDieuKienToanTrinh": "BOOLEAN",
        "DayDuBayBoPhan": "BOOLEAN",
        "TrangThaiCongKhai": "VARCHAR",
        "GioChotTiepNhan": "VARCHAR",
    },
    "online_services": {
        "MaDVC": "VARCHAR",
        "MaTTHC": "VARCHAR",
        "MaDonVi": "VARCHAR",
        "MucDo": "VARCHAR",
        "TrangThai": "VARCHAR",
        "HieuLucTu": "DATE",
        "HieuLucDen": "DATE",
    },
    "publications": {
        "SoQuyetDinh": "VARCHAR",
        "MaDonVi": "VARCHAR",
        "NgayQuyetDinh": "DATE",
        "Loai": "VARCHAR",
        "DanhSachTTHC": f"STRUCT(MaTTHC VARCHAR, NgayHieuLucCanCu DATE, NgayCongKhai {_TS})[]",
    },
    "dossiers": {
        "MaHoSo": "VARCHAR",
        "MaTTHC": "VARCHAR",
        "MaDVC": "VARCHAR",
        "MaDonVi": "VARCHAR",
        "MaDonViTiepNhan": "VARCHAR",
        "KenhThucHien": "INTEGER",
        "NgayNopHoSo": _TS,
        "NgayTiepNhan": _TS,
        "NgayHenTra": _TS,
        "NguonHoSo": "VARCHAR",
        "TrangThaiHoSo": "INTEGER",
        "LichSuTrangThai": f"STRUCT(TrangThai INTEGER, ThoiDiem {_TS})[]",
        "NgayKetThucXuLy": _TS,
        "DanhSachHoSoBoSung": f"STRUCT(NgayYeuCau {_TS}, NgayBoSung {_TS})[]",
        "DanhSachLePhi": "STRUCT(MaPhiLePhi VARCHAR, TenPhiLePhi VARCHAR, Gia DOUBLE)[]",
        "DuocThanhToanTrucTuyen": "INTEGER",
        "NgayThanhToan": _TS,
        "TaiLieuNop": (
            "STRUCT(MaThanhPhanHoSo VARCHAR, CoTepDinhKem BOOLEAN, DuocSoHoa BOOLEAN, "
            "DuocTaiSuDung BOOLEAN, DuocLayTuKhoDMQG BOOLEAN)[]"
        ),
        "HoSoCoThanhPhanSoHoa": "BOOLEAN",
        "MaKetQua": "VARCHAR",
        "DuongDanTepTinKetQua": "VARCHAR",
        "NgayCoKetQua": _TS,
        "KetQuaDayVaoKho": "BOOLEAN",
        "TaiKhoanDuocXacThucVoiVNeID": "BOOLEAN",
        "MaCSDL": "VARCHAR",
        "NgayDongBo": _TS,
        "KhongHaiLong": "BOOLEAN",
        "NgayDanhGia": _TS,
    },
    "complaints": {
        "MaPAKN": "VARCHAR",
        "MaDonVi": "VARCHAR",
        "MaHoSo": "VARCHAR",
        "PhanLoai": "VARCHAR",
        "NgayGui": _TS,
        "LichSu": f"STRUCT(TrangThai VARCHAR, ThoiDiem {_TS})[]",
        "SoThich": "BIGINT",
        "SoKhongThich": "BIGINT",
        "MaPAKNTruoc": "VARCHAR",
    },
    "reference_counts": {
        "MaDonVi": "VARCHAR",
        "Ky": "VARCHAR",
        "SoHoSoBCQG": "BIGINT",
        "SoHoSoDVCQG": "BIGINT",
    },
}

_DUCK_TYPES = {
    "string": "VARCHAR",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
    "boolean": "BOOLEAN",
    "int64": "BIGINT",
    "float64": "DOUBLE",
}

_MACROS = r"""
CREATE OR REPLACE TEMP MACRO ts_utc(s) AS timezone('UTC', CAST(nullif(trim(s), '') AS TIMESTAMPTZ));
"""


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _read_json_sql(path: Path, name: str) -> str:
    cols = ", ".join(f"{_sql_str(k)}: {_sql_str(v)}" for k, v in RAW_COLUMNS[name].items())
    fmt = "auto" if path.suffix.lower() == ".json" else "newline_delimited"
    return f"read_json({_sql_str(str(path))}, format='{fmt}', columns={{{cols}}}, maximum_object_size=67108864)"


def _empty_raw_sql(name: str) -> str:
    cols = ", ".join(f'CAST(NULL AS {t}) AS "{c}"' for c, t in RAW_COLUMNS[name].items())
    return f"(SELECT {cols} WHERE false)"


def _find(folder: Path, name: str) -> Path | None:
    for suffix in (".jsonl", ".ndjson", ".json"):
        p = folder / f"{name}{suffix}"
        if p.exists():
            return p
    return None


# Derived relations, in dependency order. raw_* tables hold the files as read.
_BUILD_SQL: list[tuple[str, str]] = [
    (
        "units",
        """SELECT MaDonVi, TenDonVi, MaDonViCha, upper(LoaiDonVi) AS LoaiDonVi,
                  coalesce(CungCapChungThucDienTu, false) AS CungCapChungThucDienTu,
                  HieuLucTu, HieuLucDen
           FROM raw_units""",
    ),
    (
        "unit_tree",
        """WITH RECURSIVE t(ancestor, descendant, depth) AS (
             SELECT MaDonVi, MaDonVi, 0 FROM units
             UNION ALL
             SELECT u.MaDonViCha, t.descendant, t.depth + 1
             FROM t JOIN units u ON u.MaDonVi = t.ancestor
             WHERE u.MaDonViCha IS NOT NULL AND t.depth < 32
               AND u.MaDonViCha IN (SELECT MaDonVi FROM units))
           SELECT DISTINCT ancestor, descendant, CAST(depth AS BIGINT) AS depth FROM t""",
    ),
    (
        "procedures",
        """SELECT MaTTHC, TenTTHC, MaLinhVuc, ThoiGianGiaiQuyet, DonViTinh,
                  coalesce(CoPhiLePhi, false) AS CoPhiLePhi,
                  coalesce(KetQuaGiay, false) AS KetQuaGiay,
                  coalesce(DuDieuKienToanTrinh, false) AS DuDieuKienToanTrinh,
                  coalesce(DayDuBayBoPhan, false) AS DayDuBayBoPhan,
                  TrangThaiCongKhai, GioChotTiepNhan
           FROM raw_procedures""",
    ),
    (
        "procedure_levels",
        """SELECT DISTINCT MaTTHC, upper(Cap) AS Cap
           FROM (SELECT MaTTHC, unnest(CapThucHien) AS Cap FROM raw_procedures)
           WHERE Cap IS NOT NULL""",
    ),
    (
        "procedure_units",
        """SELECT DISTINCT MaTTHC, MaDonVi
           FROM (SELECT MaTTHC, unnest(DonViThucHien) AS MaDonVi FROM raw_procedures)
           WHERE MaDonVi IS NOT NULL""",
    ),
    (
        "procedure_subjects",
        """SELECT DISTINCT MaTTHC, DoiTuongThucHien
           FROM (SELECT MaTTHC, unnest(DoiTuongThucHien) AS DoiTuongThucHien FROM raw_procedures)
           WHERE DoiTuongThucHien IS NOT NULL""",
    ),
    (
        "online_services",
        "SELECT MaDVC, MaTTHC, MaDonVi, MucDo, TrangThai, HieuLucTu, HieuLucDen FROM raw_online_services",
    ),
    (
        "publication_items_base",
        """SELECT p.SoQuyetDinh, p.MaDonVi, p.NgayQuyetDinh, p.Loai,
                  i.MaTTHC, i.NgayHieuLucCanCu, ts_utc(i.NgayCongKhai) AS NgayCongKhai,
                  CASE WHEN u.LoaiDonVi = 'BO' THEN 'ministry' ELSE 'province' END AS publisher_kind
           FROM (SELECT SoQuyetDinh, MaDonVi, NgayQuyetDinh, Loai, unnest(DanhSachTTHC) AS i
                 FROM raw_publications) p
           LEFT JOIN units u ON u.MaDonVi = p.MaDonVi""",
    ),
    (
        "dossier_status_log",
        """SELECT MaHoSo, e.TrangThai AS TrangThai, ts_utc(e.ThoiDiem) AS ThoiDiem, pos
           FROM (SELECT MaHoSo, unnest(LichSuTrangThai) AS e,
                        unnest(generate_series(1, len(LichSuTrangThai))) AS pos
                 FROM raw_dossiers WHERE len(LichSuTrangThai) > 0)
           UNION ALL
           -- no log: one synthetic terminal entry from NgayKetThucXuLy
           SELECT MaHoSo, TrangThaiHoSo, ts_utc(NgayKetThucXuLy), 1
           FROM raw_dossiers
           WHERE coalesce(len(LichSuTrangThai), 0) = 0 AND TrangThaiHoSo IN (7, 8, 9, 10)
             AND ts_utc(NgayKetThucXuLy) IS NOT NULL""",
    ),
    (
        "dossier_supplements",
        """WITH explicit AS (
             SELECT MaHoSo, ts_utc(s.NgayYeuCau) AS NgayYeuCau, ts_utc(s.NgayBoSung) AS NgayBoSung
             FROM (SELECT MaHoSo, unnest(DanhSachHoSoBoSung) AS s FROM raw_dossiers
                   WHERE len(DanhSachHoSoBoSung) > 0)),
           ordered AS (
             SELECT MaHoSo, TrangThai, ThoiDiem,
                    row_number() OVER (PARTITION BY MaHoSo ORDER BY ThoiDiem, pos) AS rn
             FROM dossier_status_log
             WHERE MaHoSo IN (SELECT MaHoSo FROM dossier_status_log WHERE TrangThai = 5)
               AND MaHoSo NOT IN (SELECT MaHoSo FROM explicit)),
           marked AS (
             SELECT *, lag(TrangThai) OVER (PARTITION BY MaHoSo ORDER BY rn) AS prev FROM ordered),
           requests AS (
             SELECT MaHoSo, ThoiDiem AS NgayYeuCau, rn FROM marked
             WHERE TrangThai = 5 AND (prev IS NULL OR prev <> 5)),
           leaving AS (  -- first non-5 entry after each request
             SELECT r.MaHoSo, r.NgayYeuCau,
                    arg_min(m.TrangThai, m.rn) AS next_status, min(m.rn) AS next_rn
             FROM requests r JOIN marked m
               ON m.MaHoSo = r.MaHoSo AND m.rn > r.rn AND m.TrangThai <> 5
             GROUP BY r.MaHoSo, r.NgayYeuCau)
           SELECT MaHoSo, NgayYeuCau, NgayBoSung FROM explicit
           UNION ALL
           SELECT r.MaHoSo, r.NgayYeuCau,
                  CASE WHEN l.next_status = 4 THEN m.ThoiDiem END AS NgayBoSung
           FROM requests r
           LEFT JOIN leaving l ON l.MaHoSo = r.MaHoSo AND l.NgayYeuCau = r.NgayYeuCau
           LEFT JOIN marked m ON m.MaHoSo = l.MaHoSo AND m.rn = l.next_rn""",
    ),
    (
        "dossier_fees",
        """SELECT MaHoSo, f.MaPhiLePhi AS MaPhiLePhi, f.Gia AS Gia
           FROM (SELECT MaHoSo, unnest(DanhSachLePhi) AS f FROM raw_dossiers
                 WHERE len(DanhSachLePhi) > 0)""",
    ),
    (
        "dossier_components",
        """SELECT MaHoSo, c.MaThanhPhanHoSo AS MaThanhPhanHoSo,
                  coalesce(c.CoTepDinhKem, false) AS CoTepDinhKem,
                  coalesce(c.DuocSoHoa, false) AS DuocSoHoa,
                  coalesce(c.DuocTaiSuDung, false) AS DuocTaiSuDung,
                  coalesce(c.DuocLayTuKhoDMQG, false) AS DuocLayTuKhoDMQG
           FROM (SELECT MaHoSo, unnest(TaiLieuNop) AS c FROM raw_dossiers WHERE len(TaiLieuNop) > 0)""",
    ),
    (
        "dossiers_base",
        """SELECT d.MaHoSo, d.MaTTHC, d.MaDVC, d.MaDonVi, d.MaDonViTiepNhan,
                  CAST(d.KenhThucHien AS BIGINT) AS KenhThucHien,
                  ts_utc(d.NgayNopHoSo) AS NgayNopHoSo, ts_utc(d.NgayTiepNhan) AS NgayTiepNhan,
                  ts_utc(d.NgayHenTra) AS NgayHenTra, d.NguonHoSo,
                  CAST(d.TrangThaiHoSo AS BIGINT) AS TrangThaiHoSo,
                  ts_utc(d.NgayKetThucXuLy) AS NgayKetThucXuLy,
                  CAST(coalesce(d.DuocThanhToanTrucTuyen, 0) AS BIGINT) AS DuocThanhToanTrucTuyen,
                  ts_utc(d.NgayThanhToan) AS NgayThanhToan,
                  coalesce(d.HoSoCoThanhPhanSoHoa, false) AS HoSoCoThanhPhanSoHoa,
                  nullif(trim(d.MaKetQua), '') AS MaKetQua,
                  nullif(trim(d.DuongDanTepTinKetQua), '') AS DuongDanTepTinKetQua,
                  ts_utc(d.NgayCoKetQua) AS NgayCoKetQua,
                  coalesce(d.KetQuaDayVaoKho, false) AS KetQuaDayVaoKho,
                  coalesce(d.TaiKhoanDuocXacThucVoiVNeID, false) AS TaiKhoanDuocXacThucVoiVNeID,
                  nullif(trim(d.MaCSDL), '') AS MaCSDL,
                  ts_utc(d.NgayDongBo) AS NgayDongBo,
                  coalesce(d.KhongHaiLong, false) AS KhongHaiLong,
                  ts_utc(d.NgayDanhGia) AS NgayDanhGia,
                  f.finished_at,
                  p.ThoiGianGiaiQuyet, p.DonViTinh, p.GioChotTiepNhan
           FROM raw_dossiers d
           LEFT JOIN (SELECT MaHoSo, coalesce(min(ThoiDiem) FILTER (WHERE TrangThai = 9),
                                              min(ThoiDiem) FILTER (WHERE TrangThai = 10)) AS finished_at
                      FROM dossier_status_log GROUP BY MaHoSo) f ON f.MaHoSo = d.MaHoSo
           LEFT JOIN procedures p ON p.MaTTHC = d.MaTTHC""",
    ),
    (
        "complaints",
        """SELECT MaPAKN, MaDonVi, MaHoSo, PhanLoai, ts_utc(NgayGui) AS NgayGui,
                  coalesce(SoThich, 0) AS SoThich, coalesce(SoKhongThich, 0) AS SoKhongThich,
                  MaPAKNTruoc
           FROM raw_complaints""",
    ),
    (
        "complaint_status_log_base",
        """SELECT MaPAKN, e.TrangThai AS TrangThai, ts_utc(e.ThoiDiem) AS ThoiDiem
           FROM (SELECT MaPAKN, unnest(LichSu) AS e FROM raw_complaints WHERE len(LichSu) > 0)""",
    ),
    (
        "complaint_clock_starts",
        """SELECT DISTINCT MaPAKN, start_at FROM (
             SELECT MaPAKN, NgayGui AS start_at FROM complaints WHERE NgayGui IS NOT NULL
             UNION ALL
             SELECT MaPAKN, ThoiDiem FROM complaint_status_log_base
             WHERE TrangThai = 'chuyen_xu_ly' AND ThoiDiem IS NOT NULL)""",
    ),
    (
        "reference_counts",
        """SELECT MaDonVi, upper(Ky) AS Ky, SoHoSoBCQG, SoHoSoDVCQG FROM raw_reference_counts""",
    ),
]


def _materialize_zip(path: Path) -> tuple[Path, tempfile.TemporaryDirectory | None]:
    if path.is_file() and path.suffix.lower() == ".zip":
        tmp = tempfile.TemporaryDirectory(prefix="motcua766-")
        with zipfile.ZipFile(path) as zf:
            zf.extractall(tmp.name)
        root = Path(tmp.name)
        # A zip of a folder: descend into the single top folder.
        entries = [p for p in root.iterdir() if not p.name.startswith(("__MACOSX", "."))]
        if len(entries) == 1 and entries[0].is_dir():
            root = entries[0]
        return root, tmp
    return path, None


def _json_default(value: Any) -> Any:
    iso = getattr(value, "isoformat", None)
    if iso is not None:
        return iso()
    return str(value)


def _other_format_files(path: Path) -> tuple[Any, set[str]]:
    """Files of the set that are not JSONL (CSV, XLSX), via the interchange readers."""
    try:
        from motcua.interchange.readers import open_exchange_set
    except ImportError:  # pragma: no cover - the readers ship with motcua
        return None, set()
    try:
        xs = open_exchange_set(path)
    except Exception:  # noqa: BLE001 - our own checks below report missing data
        return None, set()
    return xs, {f for f in xs.files if f in FILES and xs.format_of(f) != "jsonl"}


def _load_via_readers(xs: Any, name: str, raw: Any, skipped: dict[str, int]) -> None:
    """Validated records -> temporary JSONL -> the same DuckDB reader (one code path)."""
    import json

    bad = 0
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as tmp:
        for _line, record, errors in xs.iter_validated(name):
            if record is None or errors:
                bad += 1
                continue
            tmp.write(json.dumps(record, ensure_ascii=False, default=_json_default) + "\n")
    if bad:
        skipped[name] = bad
    try:
        raw.execute(f"CREATE OR REPLACE TEMP TABLE raw_{name} AS SELECT * FROM {_read_json_sql(Path(tmp.name), name)}")
    finally:
        Path(tmp.name).unlink(missing_ok=True)


def _build(con: Any, src: Path, folder: Path, cal: Any, timings: dict[str, float]) -> dict[str, int]:
    raw = con.con  # the duckdb connection under Ibis
    raw.execute("SET TimeZone = 'Asia/Ho_Chi_Minh'")  # see _TS; reset to UTC at the end
    raw.execute("SET enable_progress_bar = false")
    raw.execute(_MACROS)

    t0 = time.perf_counter()
    jsonl = {n: _find(folder, n) for n in FILES} if folder.is_dir() else {}
    others: set[str] = set()
    xs = None
    if not all(jsonl.get(n) for n in FILES):
        xs, others = _other_format_files(src)
    if not any(jsonl.values()) and not others:
        raise UserError(
            f"Không tìm thấy tệp dữ liệu trao đổi (units.jsonl, dossiers.jsonl …) trong {src}.",
            f"no exchange-set files found in {src}",
        )
    skipped: dict[str, int] = {}
    try:
        for name in FILES:
            if jsonl.get(name):
                src_sql = _read_json_sql(jsonl[name], name)
            elif name in others:
                _load_via_readers(xs, name, raw, skipped)
                continue
            else:
                src_sql = _empty_raw_sql(name)
            raw.execute(f"CREATE OR REPLACE TEMP TABLE raw_{name} AS SELECT * FROM {src_sql}")
    finally:
        if xs is not None:
            xs.close()
    timings["read"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    for name, sql in _BUILD_SQL:
        t1 = time.perf_counter()
        raw.execute(f"CREATE OR REPLACE TABLE {name} AS {sql}")
        timings[f"flatten.{name}"] = time.perf_counter() - t1
    raw.execute("SET TimeZone = 'UTC'")
    timings["flatten"] = time.perf_counter() - t0
    for name in ("raw_" + n for n in FILES):  # flattened: free their memory before the calendar step
        raw.execute(f"DROP TABLE IF EXISTS {name}")

    t0 = time.perf_counter()
    _derive_calendar_columns(raw, cal)
    timings["calendar"] = time.perf_counter() - t0
    for name in (
        "publication_items_base",
        "complaint_status_log_base",
        "complaint_clock_starts",
    ):
        raw.execute(f"DROP TABLE IF EXISTS {name}")
    _conform(raw)
    return skipped


def _derive_calendar_columns(raw: Any, cal: Any) -> None:
    # 2.1 due without NgayHenTra, and 2.2 elapsed working days.
    need = raw.sql(
        """SELECT MaHoSo, NgayTiepNhan, NgayHenTra, ThoiGianGiaiQuyet, DonViTinh,
                  GioChotTiepNhan, finished_at
           FROM dossiers_base
           WHERE NgayTiepNhan IS NOT NULL AND (NgayHenTra IS NULL OR finished_at IS NOT NULL)"""
    ).df()
    no_due = need["NgayHenTra"].isna().to_numpy()
    due = pd.Series(pd.NaT, index=need.index, dtype="datetime64[us]")
    if no_due.any():
        sub = need[no_due]
        due.loc[sub.index] = derive.statutory_due(
            cal, sub["NgayTiepNhan"], sub["ThoiGianGiaiQuyet"], sub["DonViTinh"], sub["GioChotTiepNhan"]
        ).to_numpy()
    frame = pd.DataFrame(
        {
            "MaHoSo": need["MaHoSo"].astype(object),
            "due_computed": due,
            "elapsed_wd": derive.elapsed_working_days(cal, need["NgayTiepNhan"], need["finished_at"]),
        }
    )
    raw.register("calendar_dossiers", frame)
    raw.execute("CREATE OR REPLACE TABLE dossier_calendar AS SELECT * FROM calendar_dossiers")
    raw.unregister("calendar_dossiers")
    # A view: the dossiers are written once, by _store_summary (dossier_wide), not twice.
    raw.execute(
        """CREATE OR REPLACE VIEW dossiers AS
           SELECT b.* EXCLUDE (ThoiGianGiaiQuyet, DonViTinh, GioChotTiepNhan, finished_at),
                  coalesce(b.NgayHenTra, CAST(c.due_computed AS TIMESTAMP)) AS due_effective,
                  b.finished_at, c.elapsed_wd
           FROM dossiers_base b LEFT JOIN dossier_calendar c USING (MaHoSo)"""
    )

    # PAKN: deadlines from each possible clock start; publish deadline after cho_cong_khai.
    starts = raw.sql("SELECT MaPAKN, start_at FROM complaint_clock_starts").df()
    clocks = pd.DataFrame(
        {
            "MaPAKN": starts["MaPAKN"].astype(object),
            "start_at": starts["start_at"].astype("datetime64[us]"),
            "refuse_due": derive.add_working_hours(cal, starts["start_at"], derive.PAKN_REFUSE_HOURS),
            "supplement_due": derive.add_working_hours(cal, starts["start_at"], derive.PAKN_SUPPLEMENT_HOURS),
            "handle_due": derive.add_working_hours(cal, starts["start_at"], derive.PAKN_HANDLE_HOURS),
        }
    )
    raw.register("calendar_clocks", clocks)
    raw.execute("CREATE OR REPLACE TABLE complaint_clocks AS SELECT * FROM calendar_clocks")
    raw.unregister("calendar_clocks")

    pending = raw.sql(
        "SELECT DISTINCT ThoiDiem FROM complaint_status_log_base "
        "WHERE TrangThai = 'cho_cong_khai' AND ThoiDiem IS NOT NULL"
    ).df()
    pub = pd.DataFrame(
        {
            "ThoiDiem": pending["ThoiDiem"].astype("datetime64[us]"),
            "publish_due": derive.add_working_hours(cal, pending["ThoiDiem"], derive.PAKN_PUBLISH_HOURS),
        }
    )
    raw.register("calendar_publish", pub)
    raw.execute(
        """CREATE OR REPLACE TABLE complaint_status_log AS
           SELECT l.MaPAKN, l.TrangThai, l.ThoiDiem,
                  CASE WHEN l.TrangThai = 'cho_cong_khai' THEN CAST(c.publish_due AS TIMESTAMP) END
                    AS publish_due
           FROM complaint_status_log_base l
           LEFT JOIN calendar_publish c ON c.ThoiDiem = l.ThoiDiem"""
    )
    raw.unregister("calendar_publish")

    # 1.1 / 1.2 date deadlines (few distinct dates: plain Python).
    items = raw.sql(
        "SELECT DISTINCT NgayQuyetDinh, NgayHieuLucCanCu, publisher_kind FROM publication_items_base"
    ).fetchall()
    dec, pubd = derive.publication_deadlines(cal, [r[0] for r in items], [r[1] for r in items], [r[2] for r in items])
    frame = pd.DataFrame(
        {
            "NgayQuyetDinh": pd.Series([r[0] for r in items], dtype=object),
            "NgayHieuLucCanCu": pd.Series([r[1] for r in items], dtype=object),
            "publisher_kind": pd.Series([r[2] for r in items], dtype=object),
            "decision_deadline": pd.Series(dec, dtype=object),
            "publish_deadline": pd.Series(pubd, dtype="datetime64[us]"),
        }
    )
    raw.register("calendar_pub", frame)
    raw.execute(
        """CREATE OR REPLACE TABLE publication_items AS
           SELECT b.SoQuyetDinh, b.MaDonVi, b.NgayQuyetDinh, b.Loai, b.MaTTHC,
                  b.NgayHieuLucCanCu, b.NgayCongKhai,
                  CAST(c.decision_deadline AS DATE) AS decision_deadline,
                  CAST(c.publish_deadline AS TIMESTAMP) AS publish_deadline
           FROM publication_items_base b
           LEFT JOIN calendar_pub c
             ON c.NgayQuyetDinh IS NOT DISTINCT FROM b.NgayQuyetDinh
            AND c.NgayHieuLucCanCu IS NOT DISTINCT FROM b.NgayHieuLucCanCu
            AND c.publisher_kind = b.publisher_kind"""
    )
    raw.unregister("calendar_pub")


def _conform(raw: Any) -> None:
    """Cast every relation to exactly the documented columns and types (facts.SCHEMAS)."""
    for name, cols in SCHEMAS.items():
        described = [(r[0], r[1]) for r in raw.sql(f"DESCRIBE {name}").fetchall()]
        if described == [(c, _DUCK_TYPES[t]) for c, t in cols.items()]:
            continue  # already exactly the contract: no copy
        have = {c for c, _ in described}
        select = ", ".join(
            (f'CAST("{c}" AS {_DUCK_TYPES[t]}) AS "{c}"' if c in have else f'CAST(NULL AS {_DUCK_TYPES[t]}) AS "{c}"')
            for c, t in cols.items()
        )
        raw.execute(f"CREATE OR REPLACE TABLE {name}__c AS SELECT {select} FROM {name}")
        _drop_relation(raw, name)
        raw.execute(f"ALTER TABLE {name}__c RENAME TO {name}")


def _drop_relation(raw: Any, name: str) -> None:
    """Drop a DuckDB table or view (the dossiers are a view until _store_summary)."""
    kind = raw.execute("SELECT table_type FROM information_schema.tables WHERE table_name = ?", [name]).fetchone()
    if kind is not None:
        raw.execute(f"DROP {'VIEW' if kind[0] == 'VIEW' else 'TABLE'} {name}")


def _connect_duckdb(database: str | Path = ":memory:", *, read_only: bool = False) -> Any:
    con = ibis.duckdb.connect(str(database), read_only=read_only)
    con.raw_sql("SET TimeZone = 'UTC'")
    con.raw_sql("SET enable_progress_bar = false")
    # DuckDB's own memory (its default is 80 % of the machine). Above it, an in-memory build spills to
    # a temporary folder instead of growing: a 2-million-dossier set (2 GB of JSON Lines) is prepared
    # in ~2.8 GB of process memory at ~115 MB/s; a lower limit saves memory and costs speed.
    con.raw_sql(f"SET memory_limit = '{settings.MOTCUA_DUCKDB_MEMORY}'")
    return con


def _store_summary(facts: Facts) -> None:
    """Persist the optional relations dossier_wide (the dossiers with their summary alongside,
    made by the engine's own definition) and dossier_summary (a view of it): a period's flags
    then read one relation instead of joining two of millions of rows."""
    from motcua.index766.context import dossier_summary
    from motcua.index766.facts import OPTIONAL_SCHEMAS

    sql = facts.con.compile(dossier_summary(facts, wide=True))
    raw = facts.con.con
    raw.execute(f"CREATE OR REPLACE TABLE dossier_wide AS {sql}")
    # The dossiers themselves become a view of it too: stored (and copied to a snapshot) once.
    _drop_relation(raw, "dossiers")
    raw.execute("DROP TABLE IF EXISTS dossiers_base")
    raw.execute("DROP TABLE IF EXISTS dossier_calendar")
    for name, schema in (("dossiers", SCHEMAS["dossiers"]), ("dossier_summary", OPTIONAL_SCHEMAS["dossier_summary"])):
        cols = ", ".join(f'"{c}"' for c in schema)
        raw.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT {cols} FROM dossier_wide")
    facts._cache.pop("dossiers", None)
    facts.meta.pop("_has_dossier_summary", None)
    facts.meta.pop("_has_dossier_wide", None)


def load_exchange_set(
    path: str | Path,
    *,
    calendar: Any | None = None,
    con: Any | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> Facts:
    """Read an exchange set (folder or .zip) into DuckDB and return its facts."""
    src = Path(path)
    if not src.exists():
        raise UserError(f"Không tìm thấy bộ dữ liệu: {src}", f"exchange set not found: {src}")
    folder, tmp = _materialize_zip(src)
    try:
        cal = calendar if calendar is not None else derive.official_calendar()
        con = con if con is not None else _connect_duckdb()
        timings: dict[str, float] = {}
        skipped = _build(con, src, folder, cal, timings)
    finally:
        if tmp is not None:
            tmp.cleanup()
    facts = Facts.from_backend(con)
    t0 = time.perf_counter()
    _store_summary(facts)
    timings["summary"] = time.perf_counter() - t0
    facts.meta.update({"source": str(src), "timings": timings, "skipped_invalid": skipped})
    return facts


def prepare_snapshot(path: str | Path, out: str | Path, *, calendar: Any | None = None) -> Path:
    """Load an exchange set once into a DuckDB file that later scores reopen.

    Built in memory, then written once (COPY FROM DATABASE into the attached
    file), which is much faster than building on disk.
    """
    out = Path(out)
    if out.exists():
        out.unlink()
    facts = load_exchange_set(path, calendar=calendar)
    raw = facts.con.con
    try:
        raw.execute(f"ATTACH {_sql_str(str(out))} AS snap")
        raw.execute("COPY FROM DATABASE memory TO snap")
        raw.execute("DETACH snap")
    finally:
        facts.con.disconnect()
    return out


def open_snapshot(path: str | Path) -> Facts:
    p = Path(path)
    if not p.exists():
        raise UserError(f"Không tìm thấy tệp ảnh chụp dữ liệu: {p}", f"snapshot not found: {p}")
    facts = Facts.from_backend(_connect_duckdb(p, read_only=True))
    facts.meta["source"] = str(p)
    return facts


_SQLITE_TYPES = {
    "string": "TEXT",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
    "boolean": "BOOLEAN",
    "int64": "INTEGER",
    "float64": "REAL",
}


def copy_to_sqlite(facts: Facts, database: str | Path = ":memory:") -> Facts:
    """Copy fact relations into SQLite (engine conformance tests, small demos).

    Written with plain sqlite3 (instants as 'YYYY-MM-DD HH:MM:SS[.ffffff]' text, as
    Ibis's SQLite backend compares them) because Ibis 12's create_table is broken
    with the installed sqlglot.
    """
    import datetime as dt

    con = ibis.sqlite.connect(str(database))
    raw = con.con

    def conv(v: Any) -> Any:
        if isinstance(v, dt.datetime):
            return v.isoformat(sep=" ")
        if isinstance(v, dt.date):
            return v.isoformat()
        return v

    for name, cols in SCHEMAS.items():
        col_list = ", ".join(f'"{c}"' for c in cols)
        raw.execute(f'DROP TABLE IF EXISTS "{name}"')
        raw.execute(f'CREATE TABLE "{name}" (' + ", ".join(f'"{c}" {_SQLITE_TYPES[t]}' for c, t in cols.items()) + ")")
        rows = facts.con.raw_sql(f'SELECT {col_list} FROM "{facts.prefix}{name}"').fetchall()
        raw.executemany(
            f'INSERT INTO "{name}" VALUES ({", ".join("?" * len(cols))})',
            [tuple(conv(v) for v in r) for r in rows],
        )
    raw.commit()
    return Facts.from_backend(con)


_PG_TYPES = {
    "string": "TEXT",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
    "boolean": "BOOLEAN",
    "int64": "BIGINT",
    "float64": "DOUBLE PRECISION",
}


def copy_to_postgres(facts: Facts, url: str, *, schema: str = "public") -> Facts:
    """Copy fact relations into PostgreSQL tables (engine conformance tests).

    ``url`` is a libpq URL of an existing, scratch database; tables are replaced.
    """
    import psycopg

    with psycopg.connect(url, autocommit=True) as pg:
        for name, cols in SCHEMAS.items():
            col_list = ", ".join(f'"{c}"' for c in cols)
            pg.execute(f'DROP TABLE IF EXISTS "{schema}"."{name}"')
            pg.execute(
                f'CREATE TABLE "{schema}"."{name}" ('
                + ", ".join(f'"{c}" {_PG_TYPES[t]}' for c, t in cols.items())
                + ")"
            )
            rows = facts.con.raw_sql(f'SELECT {col_list} FROM "{facts.prefix}{name}"').fetchall()
            with pg.cursor() as cur, cur.copy(f'COPY "{schema}"."{name}" ({col_list}) FROM STDIN') as cp:
                for r in rows:
                    cp.write_row(r)
    con = ibis.connect(url)
    return Facts.from_backend(con)
