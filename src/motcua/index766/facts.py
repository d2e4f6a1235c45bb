"""The canonical fact relations the 766 engine reads.

The engine reads ONLY these relations, through Ibis, so the same indicator
definitions run on DuckDB (exchange sets, prepared snapshots), SQLite and
PostgreSQL (views over the application database) and, later, Spark.

Conventions (every source must follow them):

* Column names are the national sync field names where one exists
  (interchange.md §1); derived columns have English names.
* **Instants are UTC-naive ``timestamp`` values** (the instant expressed in
  UTC, without zone). Every engine compares and subtracts them identically;
  period boundaries and the evaluation instant are computed in Python
  (Asia/Ho_Chi_Minh) and converted to UTC-naive literals.
* **Dates** (decision dates, legal-basis dates, validity) are local calendar
  dates (``date``).
* Booleans are never null (an omitted boolean is false).
* List-valued fields of the exchange format are flattened into their own
  relations (``procedure_levels``, ``dossier_fees`` …).
* Calendar-dependent values (working-day deadlines) cannot be computed
  portably in SQL, so they are precomputed in Python (``motcua.index766.derive``)
  while facts are prepared and stored as derived columns (marked "derived").
  They depend only on the data, never on the evaluation instant. A source that
  cannot run Python in its views (the application database) computes them with
  ``derive.derived_frames(con)`` from the base relations, stores the frames as
  tables and joins them in the views.
* On SQLite, instants are text ``YYYY-MM-DD HH:MM:SS[.ffffff]`` (what Ibis's
  SQLite backend compares); ``sources.copy_to_sqlite`` writes that form.

Sources: ``sources.load_exchange_set`` / ``prepare_snapshot`` / ``open_snapshot``
(DuckDB), ``Facts.from_backend(con, prefix)`` for any Ibis connection holding
these relations (e.g. views named ``m766_dossiers`` with ``prefix="m766_"``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir

TS = "timestamp"  # UTC-naive instant
DATE = "date"
STR = "string"
BOOL = "boolean"
INT = "int64"
FLOAT = "float64"

#: Relation name -> ordered {column: ibis type}. This is the contract the
#: application database views must honour (same names, compatible types).
SCHEMAS: dict[str, dict[str, str]] = {
    # Đơn vị. LoaiDonVi: BO, TINH, SO, HUYEN, XA.
    "units": {
        "MaDonVi": STR,
        "TenDonVi": STR,
        "MaDonViCha": STR,
        "LoaiDonVi": STR,
        "CungCapChungThucDienTu": BOOL,
        "HieuLucTu": DATE,
        "HieuLucDen": DATE,
    },
    # Closure of the unit tree, self included (depth 0): pooling = join on
    # descendant, group by ancestor.
    "unit_tree": {"ancestor": STR, "descendant": STR, "depth": INT},
    # Thủ tục hành chính (scalar fields).
    "procedures": {
        "MaTTHC": STR,
        "TenTTHC": STR,
        "MaLinhVuc": STR,
        "ThoiGianGiaiQuyet": FLOAT,
        "DonViTinh": STR,
        "CoPhiLePhi": BOOL,
        "KetQuaGiay": BOOL,
        "DuDieuKienToanTrinh": BOOL,
        "DayDuBayBoPhan": BOOL,
        "TrangThaiCongKhai": STR,
        "GioChotTiepNhan": STR,
    },
    "procedure_levels": {"MaTTHC": STR, "Cap": STR},  # CapThucHien, one row per level
    "procedure_units": {"MaTTHC": STR, "MaDonVi": STR},  # DonViThucHien, one row per unit
    "procedure_subjects": {"MaTTHC": STR, "DoiTuongThucHien": STR},  # one row per subject
    # Dịch vụ công trực tuyến.
    "online_services": {
        "MaDVC": STR,
        "MaTTHC": STR,
        "MaDonVi": STR,
        "MucDo": STR,
        "TrangThai": STR,
        "HieuLucTu": DATE,
        "HieuLucDen": DATE,
    },
    # One row per (quyết định công bố, TTHC), decision fields repeated.
    "publication_items": {
        "SoQuyetDinh": STR,
        "MaDonVi": STR,
        "NgayQuyetDinh": DATE,
        "Loai": STR,
        "MaTTHC": STR,
        "NgayHieuLucCanCu": DATE,
        "NgayCongKhai": TS,
        # derived: last date on which the decision is on time (1.1): the 5th
        # (ministry: 20th) working day before NgayHieuLucCanCu; null if no basis date.
        "decision_deadline": DATE,
        # derived: exclusive instant by which publication is on time (1.2): the
        # end (24:00) of the 5th (ministry: 10th) working day after NgayQuyetDinh.
        "publish_deadline": TS,
    },
    # Hồ sơ (scalar fields).
    "dossiers": {
        "MaHoSo": STR,
        "MaTTHC": STR,
        "MaDVC": STR,
        "MaDonVi": STR,
        "MaDonViTiepNhan": STR,
        "KenhThucHien": INT,
        "NgayNopHoSo": TS,
        "NgayTiepNhan": TS,
        "NgayHenTra": TS,
        "NguonHoSo": STR,
        "TrangThaiHoSo": INT,
        "NgayKetThucXuLy": TS,
        "DuocThanhToanTrucTuyen": INT,
        "NgayThanhToan": TS,
        "HoSoCoThanhPhanSoHoa": BOOL,
        "MaKetQua": STR,
        "DuongDanTepTinKetQua": STR,
        "NgayCoKetQua": TS,
        "KetQuaDayVaoKho": BOOL,
        "TaiKhoanDuocXacThucVoiVNeID": BOOL,
        "MaCSDL": STR,
        "NgayDongBo": TS,
        "KhongHaiLong": BOOL,
        "NgayDanhGia": TS,
        # derived: NgayHenTra, else NgayTiepNhan + the procedure's statutory
        # limit under the official calendar (null if neither is known).
        "due_effective": TS,
        # derived: first "Đã xử lý xong" (9), else "Đã trả kết quả" (10) instant.
        "finished_at": TS,
        # derived: working days (working hours / 8) from NgayTiepNhan to finished_at (2.2).
        "elapsed_wd": FLOAT,
    },
    # LichSuTrangThai. When a dossier has no log, sources synthesize one row
    # (TrangThaiHoSo, NgayKetThucXuLy) for a terminal status so the engine
    # reads end times from this relation only.
    "dossier_status_log": {"MaHoSo": STR, "TrangThai": INT, "ThoiDiem": TS},
    # Resolved supplement requests: DanhSachHoSoBoSung, else the 5→4
    # transitions of the log (request = entering 5, completion = next 4).
    "dossier_supplements": {"MaHoSo": STR, "NgayYeuCau": TS, "NgayBoSung": TS},
    "dossier_fees": {"MaHoSo": STR, "MaPhiLePhi": STR, "Gia": FLOAT},
    "dossier_components": {
        "MaHoSo": STR,
        "MaThanhPhanHoSo": STR,
        "CoTepDinhKem": BOOL,
        "DuocSoHoa": BOOL,
        "DuocTaiSuDung": BOOL,
        "DuocLayTuKhoDMQG": BOOL,
    },
    # Phản ánh, kiến nghị.
    "complaints": {
        "MaPAKN": STR,
        "MaDonVi": STR,
        "MaHoSo": STR,
        "PhanLoai": STR,
        "NgayGui": TS,
        "SoThich": INT,
        "SoKhongThich": INT,
        "MaPAKNTruoc": STR,
    },
    "complaint_status_log": {
        "MaPAKN": STR,
        "TrangThai": STR,
        "ThoiDiem": TS,
        # derived, on cho_cong_khai rows only: ThoiDiem + 2 WD (publish the answer).
        "publish_due": TS,
    },
    # derived: one row per possible clock start of a complaint (NgayGui and
    # every chuyen_xu_ly); the engine uses the latest start at or before T.
    # Deadlines in working hours, no cut-off: refuse 2 WD, first supplement
    # request 5 WD, reach cho_cong_khai 15 WD.
    "complaint_clocks": {
        "MaPAKN": STR,
        "start_at": TS,
        "refuse_due": TS,
        "supplement_due": TS,
        "handle_due": TS,
    },
    # Reference counts for 1.4 (BCQG / DVCQG), per unit and period code.
    "reference_counts": {"MaDonVi": STR, "Ky": STR, "SoHoSoBCQG": INT, "SoHoSoDVCQG": INT},
}

RELATIONS: tuple[str, ...] = tuple(SCHEMAS)

#: Optional relations: a source may provide them to speed scoring up; when absent the
#: engine derives them from the relations above (context.dossier_summary).
OPTIONAL_SCHEMAS: dict[str, dict[str, str]] = {
    # Per dossier, instant-independent: first instant of statuses 9, 10, 8, 7 in the
    # log; number of components with a file, reused, from the store; fee lines, lines
    # with Gia = 0, lines with Gia <> 0.
    "dossier_summary": {
        "MaHoSo": STR,
        "first_9": TS,
        "first_10": TS,
        "first_8": TS,
        "first_7": TS,
        "n_file": INT,
        "n_reuse": INT,
        "n_store": INT,
        "n_fee": INT,
        "n_fee_zero": INT,
        "n_fee_pos": INT,
    },
    # The dossiers relation with the summary's columns alongside (prepared snapshots): the
    # flags of a whole period then read it without joining two 2 M-row relations.
    "dossier_wide": {},  # filled below: SCHEMAS["dossiers"] + dossier_summary without MaHoSo
    # Who holds a dossier (explanations): current or last processing step and official.
    # Exchange sets have none; the application database can provide it.
    "dossier_responsibility": {"MaHoSo": STR, "step": STR, "official": STR},
}


OPTIONAL_SCHEMAS["dossier_wide"] = {
    **SCHEMAS["dossiers"],
    **{c: t for c, t in OPTIONAL_SCHEMAS["dossier_summary"].items() if c != "MaHoSo"},
}


def ibis_schema(name: str) -> ibis.Schema:
    return ibis.schema(SCHEMAS[name])


@dataclass
class Facts:
    """The fact relations on one Ibis backend connection.

    ``Facts.from_backend(con, prefix="m766_")`` reads ``m766_dossiers`` etc.;
    anything that can present relations with these names and columns (DuckDB
    tables, SQLite/PostgreSQL views, Parquet files registered on DuckDB) works.
    """

    con: Any
    prefix: str = ""
    #: free-form provenance (path, snapshot file, load timings) for reports.
    meta: dict[str, Any] = field(default_factory=dict)
    _cache: dict[str, ir.Table] = field(default_factory=dict, repr=False)

    @classmethod
    def from_backend(cls, con: Any, prefix: str = "", *, check: bool = True) -> Facts:
        facts = cls(con=con, prefix=prefix)
        if check:
            facts.check()
        return facts

    def has(self, name: str) -> bool:
        """Whether an optional relation is present (checked once)."""
        key = f"_has_{name}"
        if key not in self.meta:
            try:
                self.meta[key] = set(OPTIONAL_SCHEMAS[name]) <= set(self.con.table(self.prefix + name).columns)
            except Exception:  # noqa: BLE001 - any backend's "no such table"
                self.meta[key] = False
        return self.meta[key]

    def table(self, name: str) -> ir.Table:
        if name not in SCHEMAS and name not in OPTIONAL_SCHEMAS:
            raise KeyError(f"unknown fact relation {name!r}")
        if name not in self._cache:
            self._cache[name] = self.con.table(self.prefix + name)
        return self._cache[name]

    def __getattr__(self, name: str) -> ir.Table:
        # Convenience: facts.dossiers, facts.unit_tree ...
        if name.startswith("_") or (name not in SCHEMAS and name not in OPTIONAL_SCHEMAS):
            raise AttributeError(name)
        return self.table(name)

    def check(self) -> None:
        """Fail early, naming every missing relation or column."""
        problems = []
        for name, cols in SCHEMAS.items():
            full = self.prefix + name
            try:
                # Not list_tables(): Ibis 12's DuckDB list_tables breaks on DuckDB 2.0.
                have = set(self.table(name).columns)
            except Exception:  # noqa: BLE001 - any backend's "no such table"
                self._cache.pop(name, None)
                problems.append(f"missing relation {full}")
                continue
            missing = [c for c in cols if c not in have]
            if missing:
                problems.append(f"{full}: missing columns {', '.join(missing)}")
        if problems:
            raise ValueError("fact relations incomplete: " + "; ".join(problems))

    @property
    def backend_name(self) -> str:
        return getattr(self.con, "name", "?")
