"""Declarative schema of the exchange format (specs/interchange.md §1).

This module is pure Python: no Django models, no database.

Normalized record form
======================
``validation.validate`` turns a raw line (a dict from JSONL, CSV or XLSX) into a
*normalized record*, the contract every consumer (importer, exporter, scoring of
an exchange set) relies on:

* a plain ``dict`` keyed by the national field names, **every declared field
  present**, in schema order, plus the key ``"extra"``;
* ``str``   → ``str`` or ``None`` (an empty string counts as omitted → ``None``);
* ``url``   → like ``str``, and only an absolute http(s) URL (it is rendered as a link);
* ``int``   → ``int`` (amounts and counts are never negative; ``Gia`` is VND);
* ``number``→ ``int`` when integral, else ``float`` (``ThoiGianGiaiQuyet`` may be 0.5);
* ``bool``  → ``bool`` (omitted or null → ``False``);
* ``list``  → ``list`` (omitted or null → ``[]``) of normalized scalars, or of
  dicts whose declared sub-fields are all present; unknown keys of such a
  sub-object are kept verbatim in the same dict after the declared ones;
* ``date``  → ``datetime.date``;
* ``timestamp`` → timezone-aware ``datetime`` in ``Asia/Ho_Chi_Minh``
  (``zoneinfo``); input without an offset means +07:00, any offset is accepted
  and converted;
* enumerations → their canonical Python type: ``KenhThucHien``,
  ``TrangThaiHoSo``, ``DuocThanhToanTrucTuyen`` and the status in
  ``LichSuTrangThai`` are ``int``; every other enumeration is ``str``;
* ``hhmm``  → ``"HH:MM"``; ``period`` → ``str`` (``2026``, ``2026-H1``,
  ``2026-Q3``, ``2026-08``);
* every other (omitted) field → ``None``;
* ``extra`` → ``dict`` of the unknown top-level fields with their raw values
  (``{}`` when none) — unknown data is never dropped.

``record_to_json_dict(file, record)`` gives the canonical JSON form of a record
(timestamps ``YYYY-MM-DDTHH:MM:SS+07:00`` with microseconds only when non-zero,
dates ``YYYY-MM-DD``, declared fields in schema order, then the ``extra`` fields
in sorted order). It is deterministic and ``normalize(file,
record_to_json_dict(file, r)) == r``, so export → import → export is
byte-identical.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from motcua.dossiers.codes import (
    DOSSIER_CODE_MAX_LENGTH,
    DOSSIER_CODE_REGEX,
    DOSSIER_CODE_RULE,
    DOSSIER_CODE_RULE_EN,
)

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# Field kinds.
STR = "str"
URL = "url"  # a str that must be an absolute http(s) URL (it is shown as a link)
INT = "int"
NUMBER = "number"
BOOL = "bool"
DATE = "date"
TIMESTAMP = "timestamp"
ENUM = "enum"
HHMM = "hhmm"
PERIOD = "period"
LIST = "list"

SCALAR_KINDS = frozenset({STR, URL, INT, NUMBER, BOOL, DATE, TIMESTAMP, ENUM, HHMM, PERIOD})


@dataclass(frozen=True)
class Pattern:
    """The shape a text field must have, with what it means for messages."""

    regex: str
    rule: str  # Vietnamese
    rule_en: str


# The sizes of the columns the values are stored in (tests/interchange check them against the
# models): the import refuses what a column cannot hold, the same way on SQLite and PostgreSQL.
CODE = 64  # unit, procedure, service, decision, complaint codes; MaCSDL; fee codes
LONG_CODE = 128  # component and result codes
NAME = 255
URL_LENGTH = 1000
INT_MAX = 2**31 - 1  # PositiveIntegerField
BIGINT_MAX = 2**63 - 1  # BigIntegerField
TIME_LIMIT_MAX = 999999.99  # DecimalField(max_digits=8, decimal_places=2)

DOSSIER_CODE = Pattern(DOSSIER_CODE_REGEX, DOSSIER_CODE_RULE, DOSSIER_CODE_RULE_EN)


@dataclass(frozen=True)
class FieldSpec:
    """One field of a file, or a sub-field of an object list.

    ``values`` (enum) is the tuple of allowed canonical values; their Python type
    (int or str) is the normalized type. ``item`` is the element spec of a scalar
    list; ``fields`` the sub-fields of an object list. ``minimum`` bounds int and
    number fields (amounts and counts are non-negative), ``maximum`` keeps them within their
    database column; ``max_length`` is the text column's size and ``pattern`` the shape of a text field.
    """

    name: str
    kind: str
    label: str
    required: bool = False
    values: tuple | None = None
    item: FieldSpec | None = None
    fields: tuple[FieldSpec, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    pattern: Pattern | None = None
    # Object lists whose items must be in non-decreasing order of this sub-field.
    ordered_by: str | None = None

    @property
    def is_object_list(self) -> bool:
        return self.kind == LIST and self.fields is not None


@dataclass(frozen=True)
class FileSpec:
    name: str  # e.g. "dossiers"; the file is dossiers.jsonl / .csv / an XLSX sheet
    label: str
    key: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    by_name: dict[str, FieldSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "by_name", {f.name: f for f in self.fields})

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def key_of(self, record: dict) -> Any:
        """The key of a normalized record: the value itself or a tuple for composite keys."""
        if len(self.key) == 1:
            return record[self.key[0]]
        return tuple(record[k] for k in self.key)


# --- enumerations (exactly as interchange.md §1) ---------------------------------

LOAI_DON_VI = ("BO", "TINH", "SO", "HUYEN", "XA")
CAP_THUC_HIEN = ("BO", "TINH", "HUYEN", "XA")
KENH_THUC_HIEN = (1, 2, 3)  # trực tiếp, trực tuyến, bưu chính công ích
TRANG_THAI_HO_SO = tuple(range(1, 11))  # process-rules.md §1.11
DUOC_THANH_TOAN_TRUC_TUYEN = (0, 1, 2)
DON_VI_TINH = ("ngay_lam_viec", "gio_lam_viec", "ngay")
TRANG_THAI_CONG_KHAI = ("dang_cong_khai", "sua_doi_bo_sung", "bai_bo")
MUC_DO = ("toan_trinh", "mot_phan")
TRANG_THAI_DVC = ("dang_cong_khai", "cho_dung_cong_khai", "dang_kiem_thu", "dung_cong_khai")
LOAI_QUYET_DINH = ("them_moi", "sua_doi", "bai_bo")
NGUON_HO_SO = ("dvcqg", "dia_phuong")
PHAN_LOAI_PAKN = ("quy_dinh", "hanh_vi")
TRANG_THAI_PAKN = (
    "cho_tiep_nhan",
    "da_tiep_nhan",
    "yeu_cau_bo_sung",
    "tu_choi",
    "dang_xu_ly",
    "cho_cong_khai",
    "da_cong_khai",
    "chuyen_xu_ly",
    "tra_lai",
)


def _f(name, kind, label, **kw) -> FieldSpec:
    return FieldSpec(name, kind, label, **kw)


def _enum(name, values, label, **kw) -> FieldSpec:
    return FieldSpec(name, ENUM, label, values=tuple(values), **kw)


def _objects(name, label, *fields: FieldSpec, ordered_by: str | None = None) -> FieldSpec:
    return FieldSpec(name, LIST, label, fields=tuple(fields), ordered_by=ordered_by)


def _scalars(name, label, item: FieldSpec) -> FieldSpec:
    return FieldSpec(name, LIST, label, item=item)


UNITS = FileSpec(
    "units",
    "đơn vị",
    ("MaDonVi",),
    (
        _f("MaDonVi", STR, "mã đơn vị", required=True, max_length=CODE),
        _f("TenDonVi", STR, "tên đơn vị", required=True, max_length=NAME),
        _f("MaDonViCha", STR, "mã đơn vị cha", max_length=CODE),
        _enum("LoaiDonVi", LOAI_DON_VI, "loại đơn vị"),
        _f("CungCapChungThucDienTu", BOOL, "cung cấp chứng thực điện tử"),
        _f("HieuLucTu", DATE, "hiệu lực từ"),
        _f("HieuLucDen", DATE, "hiệu lực đến"),
    ),
)

PROCEDURES = FileSpec(
    "procedures",
    "thủ tục hành chính",
    ("MaTTHC",),
    (
        _f("MaTTHC", STR, "mã thủ tục", required=True, max_length=CODE),
        _f("TenTTHC", STR, "tên thủ tục"),
        _f("MaLinhVuc", STR, "mã lĩnh vực", max_length=CODE),
        _f("TenLinhVuc", STR, "tên lĩnh vực", max_length=NAME),
        _scalars("CapThucHien", "cấp thực hiện", _enum("CapThucHien", CAP_THUC_HIEN, "cấp")),
        _scalars("DonViThucHien", "đơn vị thực hiện", _f("DonViThucHien", STR, "mã đơn vị", max_length=CODE)),
        _f("ThoiGianGiaiQuyet", NUMBER, "thời gian giải quyết", minimum=0, maximum=TIME_LIMIT_MAX),
        _enum("DonViTinh", DON_VI_TINH, "đơn vị tính thời gian"),
        _f("CoPhiLePhi", BOOL, "có phí, lệ phí"),
        _f("KetQuaGiay", BOOL, "kết quả bản giấy"),
        _scalars("DoiTuongThucHien", "đối tượng thực hiện", _f("DoiTuongThucHien", STR, "đối tượng")),
        _f("DuDieuKienToanTrinh", BOOL, "đủ điều kiện toàn trình"),
        _f("DayDuBayBoPhan", BOOL, "đầy đủ bảy bộ phận"),
        _enum("TrangThaiCongKhai", TRANG_THAI_CONG_KHAI, "trạng thái công khai"),
        _f("GioChotTiepNhan", HHMM, "giờ chốt tiếp nhận"),
    ),
)

ONLINE_SERVICES = FileSpec(
    "online_services",
    "dịch vụ công trực tuyến",
    ("MaDVC",),
    (
        _f("MaDVC", STR, "mã dịch vụ công", required=True, max_length=CODE),
        _f("MaTTHC", STR, "mã thủ tục", required=True, max_length=CODE),
        _f("MaDonVi", STR, "mã đơn vị", required=True, max_length=CODE),
        _enum("MucDo", MUC_DO, "mức độ"),
        _enum("TrangThai", TRANG_THAI_DVC, "trạng thái"),
        _f("HieuLucTu", DATE, "hiệu lực từ"),
        _f("HieuLucDen", DATE, "hiệu lực đến"),
    ),
)

PUBLICATIONS = FileSpec(
    "publications",
    "quyết định công bố",
    ("MaDonVi", "SoQuyetDinh"),
    (
        _f("SoQuyetDinh", STR, "số quyết định", required=True, max_length=CODE),
        _f("MaDonVi", STR, "mã đơn vị", required=True, max_length=CODE),
        _f("NgayQuyetDinh", DATE, "ngày quyết định"),
        _enum("Loai", LOAI_QUYET_DINH, "loại quyết định"),
        _objects(
            "DanhSachTTHC",
            "danh sách thủ tục",
            _f("MaTTHC", STR, "mã thủ tục", required=True, max_length=CODE),
            _f("NgayHieuLucCanCu", DATE, "ngày hiệu lực của căn cứ"),
            _f("NgayCongKhai", TIMESTAMP, "ngày công khai"),
        ),
    ),
)

DOSSIERS = FileSpec(
    "dossiers",
    "hồ sơ",
    ("MaHoSo",),
    (
        _f("MaHoSo", STR, "mã hồ sơ", required=True, max_length=DOSSIER_CODE_MAX_LENGTH, pattern=DOSSIER_CODE),
        _f("MaTTHC", STR, "mã thủ tục", required=True, max_length=CODE),
        _f("MaDVC", STR, "mã dịch vụ công", max_length=CODE),
        _f("MaDonVi", STR, "mã đơn vị xử lý", required=True, max_length=CODE),
        _f("MaDonViTiepNhan", STR, "mã đơn vị tiếp nhận", max_length=CODE),
        _enum("KenhThucHien", KENH_THUC_HIEN, "kênh thực hiện"),
        _f("NgayNopHoSo", TIMESTAMP, "ngày nộp hồ sơ"),
        _f("NgayTiepNhan", TIMESTAMP, "ngày tiếp nhận"),
        _f("NgayHenTra", TIMESTAMP, "ngày hẹn trả"),
        _f("NgayHenTraMoi", TIMESTAMP, "ngày hẹn trả mới"),
        _enum("NguonHoSo", NGUON_HO_SO, "nguồn hồ sơ"),
        _enum("TrangThaiHoSo", TRANG_THAI_HO_SO, "trạng thái hồ sơ"),
        _objects(
            "LichSuTrangThai",
            "lịch sử trạng thái",
            _enum("TrangThai", TRANG_THAI_HO_SO, "trạng thái", required=True),
            _f("ThoiDiem", TIMESTAMP, "thời điểm", required=True),
            ordered_by="ThoiDiem",  # §1: "status log, oldest first"
        ),
        _f("NgayKetThucXuLy", TIMESTAMP, "ngày kết thúc xử lý"),
        _objects(
            "DanhSachHoSoBoSung",
            "danh sách bổ sung hồ sơ",
            _f("NgayYeuCau", TIMESTAMP, "ngày yêu cầu bổ sung", required=True),
            _f("NgayBoSung", TIMESTAMP, "ngày bổ sung"),
        ),
        _objects(
            "DanhSachLePhi",
            "danh sách phí, lệ phí",
            _f("MaPhiLePhi", STR, "mã phí, lệ phí", max_length=CODE),
            _f("TenPhiLePhi", STR, "tên phí, lệ phí", max_length=NAME),
            _f("Gia", INT, "mức giá (đồng)", required=True, minimum=0, maximum=BIGINT_MAX),
        ),
        _enum("DuocThanhToanTrucTuyen", DUOC_THANH_TOAN_TRUC_TUYEN, "thanh toán trực tuyến"),
        _f("NgayThanhToan", TIMESTAMP, "ngày thanh toán"),
        _objects(
            "TaiLieuNop",
            "tài liệu nộp",
            _f("MaThanhPhanHoSo", STR, "mã thành phần hồ sơ", max_length=LONG_CODE),
            _f("CoTepDinhKem", BOOL, "có tệp đính kèm"),
            _f("DuocSoHoa", BOOL, "được số hóa"),
            _f("DuocTaiSuDung", BOOL, "được tái sử dụng"),
            _f("DuocLayTuKhoDMQG", BOOL, "được lấy từ kho dữ liệu quốc gia"),
        ),
        _f("HoSoCoThanhPhanSoHoa", BOOL, "hồ sơ có thành phần số hóa"),
        _f("MaKetQua", STR, "mã kết quả", max_length=LONG_CODE),
        _f("DuongDanTepTinKetQua", URL, "đường dẫn tệp kết quả", max_length=URL_LENGTH),
        _f("NgayCoKetQua", TIMESTAMP, "ngày có kết quả"),
        _f("KetQuaDayVaoKho", BOOL, "kết quả đẩy vào kho"),
        _f("TaiKhoanDuocXacThucVoiVNeID", BOOL, "tài khoản xác thực VNeID"),
        _f("MaCSDL", STR, "mã cơ sở dữ liệu dân cư", max_length=CODE),
        _f("NgayDongBo", TIMESTAMP, "ngày đồng bộ"),
        _f("KhongHaiLong", BOOL, "không hài lòng"),
        _f("NgayDanhGia", TIMESTAMP, "ngày đánh giá"),
    ),
)

COMPLAINTS = FileSpec(
    "complaints",
    "phản ánh, kiến nghị",
    ("MaPAKN",),
    (
        _f("MaPAKN", STR, "mã phản ánh, kiến nghị", required=True, max_length=CODE),
        _f("MaDonVi", STR, "mã đơn vị", required=True, max_length=CODE),
        _f("MaHoSo", STR, "mã hồ sơ", max_length=DOSSIER_CODE_MAX_LENGTH, pattern=DOSSIER_CODE),
        _enum("PhanLoai", PHAN_LOAI_PAKN, "phân loại"),
        _f("NgayGui", TIMESTAMP, "ngày gửi"),
        _objects(
            "LichSu",
            "lịch sử xử lý",
            _enum("TrangThai", TRANG_THAI_PAKN, "trạng thái", required=True),
            _f("ThoiDiem", TIMESTAMP, "thời điểm", required=True),
        ),
        _f("SoThich", INT, "số lượt thích", minimum=0, maximum=INT_MAX),
        _f("SoKhongThich", INT, "số lượt không thích", minimum=0, maximum=INT_MAX),
        _f("MaPAKNTruoc", STR, "mã phản ánh trước", max_length=CODE),
    ),
)

REFERENCE_COUNTS = FileSpec(
    "reference_counts",
    "số liệu đối chiếu",
    ("MaDonVi", "Ky"),
    (
        # Not marked required in §1, but they form the key.
        _f("MaDonVi", STR, "mã đơn vị", required=True, max_length=CODE),
        _f("Ky", PERIOD, "kỳ", required=True),
        _f("SoHoSoBCQG", INT, "số hồ sơ theo hệ thống báo cáo quốc gia", minimum=0, maximum=INT_MAX),
        _f("SoHoSoDVCQG", INT, "số hồ sơ theo Cổng DVCQG", minimum=0, maximum=INT_MAX),
    ),
)

# Import order: every file after the files it refers to.
IMPORT_ORDER: tuple[str, ...] = (
    "units",
    "procedures",
    "online_services",
    "publications",
    "dossiers",
    "complaints",
    "reference_counts",
)

FILES: dict[str, FileSpec] = {
    s.name: s
    for s in (
        UNITS,
        PROCEDURES,
        ONLINE_SERVICES,
        PUBLICATIONS,
        DOSSIERS,
        COMPLAINTS,
        REFERENCE_COUNTS,
    )
}
assert tuple(FILES) == IMPORT_ORDER


def get_file_spec(file: str) -> FileSpec:
    try:
        return FILES[file]
    except KeyError:
        raise ValueError(f"unknown exchange file {file!r}; expected one of {IMPORT_ORDER}") from None


# --- canonical JSON form ------------------------------------------------------------


def timestamp_to_json(v: _dt.datetime) -> str:
    """Canonical text of an instant: ISO 8601 in Asia/Ho_Chi_Minh (+07:00)."""
    if v.tzinfo is None:  # a naive instant means Asia/Ho_Chi_Minh
        v = v.replace(tzinfo=VN_TZ)
    elif v.tzinfo is not VN_TZ:
        v = v.astimezone(VN_TZ)
    return v.isoformat()


def _number_to_json(v):
    return int(v) if type(v) is float and v.is_integer() else v


def _scalar_serializer(spec: FieldSpec):
    if spec.kind == TIMESTAMP:
        return timestamp_to_json
    if spec.kind == DATE:
        return _dt.date.isoformat
    if spec.kind == NUMBER:
        return _number_to_json
    return None  # already JSON-ready


def _compile_object_serializer(fields: tuple[FieldSpec, ...]):
    """A function turning a normalized dict into its canonical JSON dict."""
    plan = []
    for spec in fields:
        # An absent bool or list is written as its normalized value (false, []),
        # so a record built by hand serializes like its normalized twin.
        default = 1 if spec.kind == BOOL else 2 if spec.kind == LIST else 0
        plan.append((spec.name, _value_serializer(spec), default))
    names = frozenset(spec.name for spec in fields)

    def serialize(obj: dict, extra: dict | None) -> dict:
        out: dict[str, Any] = {}
        get = obj.get
        for name, conv, default in plan:
            v = get(name)
            if v is None:
                out[name] = None if default == 0 else False if default == 1 else []
            elif conv is None:
                out[name] = v
            else:
                out[name] = conv(v)
        if extra:
            for k in sorted(extra):
                if k not in names:
                    out[k] = extra[k]
        return out

    return serialize, names


def _value_serializer(spec: FieldSpec):
    if spec.kind != LIST:
        return _scalar_serializer(spec)
    if spec.fields is None:
        assert spec.item is not None, f"{spec.name}: a scalar list names its item"
        item = _scalar_serializer(spec.item)
        if item is None:
            return list
        return lambda v: [None if x is None else item(x) for x in v]
    sub, names = _compile_object_serializer(spec.fields)

    def serialize_list(v):
        out = []
        for obj in v:
            # Unknown keys of a sub-object live in the same dict, after the declared ones.
            if not names.issuperset(obj):
                out.append(sub(obj, {k: x for k, x in obj.items() if k not in names}))
            else:
                out.append(sub(obj, None))
        return out

    return serialize_list


@cache
def _file_serializer(file: str):
    return _compile_object_serializer(get_file_spec(file).fields)


def record_to_json_dict(file: str, record: dict) -> dict:
    """The canonical JSON form of a normalized record (see the module docstring).

    Declared fields come first in schema order (``null``/``false``/``[]`` written
    explicitly), then the ``extra`` fields in sorted order. Lenient with records
    built by hand: an absent field is written as its normalized default, an
    integral float number as an int, and a stray top-level key as an extra.
    """
    serialize, names = _file_serializer(file)
    extra = record.get("extra")
    if not names.issuperset(record):
        # Stray top-level keys (neither declared nor "extra") are kept like extras.
        stray = {k: v for k, v in record.items() if k not in names and k != "extra"}
        if stray:
            extra = {**stray, **(extra or {})}
    return serialize(record, extra)
