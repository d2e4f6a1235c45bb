"""Table rows for imported dossiers, built from validated exchange records.

Pure Python (no Django, no database): the importer uses it in-process and in
its worker processes (:mod:`motcua.interchange.parallel`). Tables are named
by model label; columns by model attribute, in the order of the tuples.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from motcua.dossiers.due import due_instant

from .validation import FieldError, boolean, show_value, text_issue

_WHAT_EN = {
    "mã đơn vị": "unit code",
    "mã TTHC": "procedure code",
    "mã DVC": "online service code",
    "mã PAKN": "complaint code",
}


def reference_error(file: str, source: str, line: int | None, field_name: str, value, what: str) -> FieldError:
    """A record names something that exists neither in the set nor in the database."""
    return FieldError(
        file,
        line,
        field_name,
        "unknown_reference",
        f"{what} «{value}» không có trong tệp hay trong cơ sở dữ liệu.",
        f"unknown {_WHAT_EN.get(what, what)} {value!r}",
        value=value,
        source=source,
    )


# National fields of a dossier that live in model columns rather than in ``extra``
# (peers send them in the sync payload, process-rules.md R8.3).
APPLICANT_FIELDS = {
    "ChuHoSo": "applicant_name",
    "MaDoiTuong": "applicant_id_number",
    "DiaChi": "applicant_address",
    "SoDienThoai": "applicant_phone",
    "Email": "applicant_email",
    "TrichYeuHoSo": "summary",
}
# Their columns' sizes (None: a text column); tests/interchange checks them against the model.
APPLICANT_MAX_LENGTHS = {
    "ChuHoSo": 255,
    "MaDoiTuong": 32,
    "DiaChi": 500,
    "SoDienThoai": 32,
    "Email": 254,
    "TrichYeuHoSo": None,
}

# A line that changes an existing dossier's identity (procedure, handling or receiving unit) must say it
# is a correction with this marker; it is an instruction to the import, not stored.
CORRECTION_FIELD = "DinhChinh"
IDENTITY_FIELDS = ("MaTTHC", "MaDonVi", "MaDonViTiepNhan")

# Plausibility: what happened cannot lie in the future (a year's slack for clocks and time zones), and an
# appointment is never years away (statutory time limits are weeks or months).
EVENT_SLACK = timedelta(days=366)
FARTHEST_DUE = timedelta(days=5 * 366)
EVENT_FIELDS = (
    "NgayNopHoSo",
    "NgayTiepNhan",
    "NgayKetThucXuLy",
    "NgayThanhToan",
    "NgayCoKetQua",
    "NgayDongBo",
    "NgayDanhGia",
)

# Null and these defaults mean the same (not paid online, in person, local system, newly
# registered): the importer stores and compares the explicit value, so re-imports are no-ops.
DOSSIER_DEFAULTS = {"DuocThanhToanTrucTuyen": 0, "KenhThucHien": 1, "NguonHoSo": "dia_phuong", "TrangThaiHoSo": 1}

COMPONENT_FIELDS = ("MaThanhPhanHoSo", "CoTepDinhKem", "DuocSoHoa", "DuocTaiSuDung", "DuocLayTuKhoDMQG")

TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "dossiers": (
        "dossiers.Dossier",
        (
            "id",
            "code",
            "procedure",
            "procedure_version",
            "online_service",
            "handling_unit",
            "receiving_unit",
            "channel",
            "origin",
            "status",
            *APPLICANT_FIELDS.values(),
            "submitted_at",
            "received_at",
            "due_at",
            "extended_due_at",
            "effective_due_at",
            "ended_at",
            "online_payment",
            "paid_at",
            "has_digitized_component",
            "vneid_authenticated",
            "population_db_ref",
            "synced_at",
            "extra",
            "created_at",
            "updated_at",
        ),
    ),
    "events": (
        "dossiers.DossierEvent",
        (
            "dossier",
            "kind",
            "action",
            "from_status",
            "to_status",
            "occurred_at",
            "recorded_at",
            "actor_label",
            "reason",
            "data",
        ),
    ),
    "supplements": (
        "dossiers.SupplementRequest",
        ("dossier", "stage", "requested_at", "completed_at", "items", "reason", "override_reason", "extra"),
    ),
    "fees": ("dossiers.FeeLine", ("dossier", "code", "name", "amount", "extra")),
    "components": (
        "dossiers.DossierComponent",
        (
            "dossier",
            "component_code",
            "name",
            "has_file",
            "digitized",
            "reused",
            "from_citizen_store",
            "file",
            "file_sha256",
            "extra",
        ),
    ),
    "results": (
        "dossiers.DossierResult",
        (
            "dossier",
            "code",
            "title",
            "file_url",
            "file_sha256",
            "issued_at",
            "signature_state",
            "pushed_to_citizen_store",
            "delivery_method",
        ),
    ),
    "ratings": ("feedback.Rating", ("dossier", "dissatisfied", "rated_at", "comment")),
    "audit": (
        "auditlog.LogEntry",
        (
            "content_type",
            "object_pk",
            "object_id",
            "object_repr",
            "action",
            "changes",
            "changes_text",
            "actor",
            "cid",
            "timestamp",
            "additional_data",
        ),
    ),
}
AUDIT_CREATE = 0  # auditlog LogEntry.Action.CREATE


class DossierRows:
    """Accumulates the rows of every dossier table for a batch of new dossiers."""

    def __init__(
        self,
        *,
        units: dict,
        procedures: dict,
        services: dict,
        versions: dict,
        source: str,
        content_type_id: int,
        actor_id: int | None,
        now: datetime,
    ):
        self.units, self.procedures, self.services, self.versions = units, procedures, services, versions
        self.source, self.content_type_id, self.actor_id, self.now = source, content_type_id, actor_id, now
        self.tables: dict[str, list[tuple]] = {name: [] for name in TABLES}
        self.corrections: set[str] = set()  # codes whose line is marked as a correction

    def prepare(self, record: dict, source: str, line: int | None) -> FieldError | None:
        """Fill the canonical defaults in place; the error if the record names something unknown."""
        for field_name, default in DOSSIER_DEFAULTS.items():
            if record[field_name] is None:
                record[field_name] = default
        if (error := self.take_correction(record, source, line)) is not None:
            return error
        missing = self.unknown_reference(record)
        if missing is not None:
            return reference_error("dossiers", source, line, *missing)
        if (implausible := implausible_dates(record, self.now)) is not None:
            return FieldError("dossiers", line, *implausible, source=source)
        return self.applicant_error(record, source, line)

    def take_correction(self, record: dict, source: str, line: int | None) -> FieldError | None:
        marker = record["extra"].pop(CORRECTION_FIELD, None)
        corrects = boolean(marker)
        if corrects is None:
            shown = show_value(marker)
            return FieldError(
                "dossiers",
                line,
                CORRECTION_FIELD,
                "type",
                f"{shown} không phải giá trị đúng/sai (true/false, 1/0)",
                f"{shown} is not a boolean",
                value=marker,
                source=source,
            )
        if corrects:
            self.corrections.add(record["MaHoSo"])
        return None

    @staticmethod
    def applicant_error(record: dict, source: str, line: int | None) -> FieldError | None:
        """The applicant's fields arrive outside the schema (in ``extra``) but are stored in sized columns."""
        extra = record["extra"]
        for national, max_length in APPLICANT_MAX_LENGTHS.items():
            value = extra.get(national)
            if value is not None and (issue := text_issue(value, max_length)) is not None:
                code, message, message_en = issue
                return FieldError("dossiers", line, national, code, message, message_en, value=value, source=source)
        return None

    def unknown_reference(self, record: dict) -> tuple[str, str, str] | None:
        """(field, value, what) of the first reference that does not exist, else None."""
        if record["MaTTHC"] not in self.procedures:
            return "MaTTHC", record["MaTTHC"], "mã TTHC"
        for field_name in ("MaDonVi", "MaDonViTiepNhan"):
            if record[field_name] is not None and record[field_name] not in self.units:
                return field_name, record[field_name], "mã đơn vị"
        if record["MaDVC"] is not None and record["MaDVC"] not in self.services:
            return "MaDVC", record["MaDVC"], "mã DVC"
        return None

    def add(self, pk: int, line: int | None, record: dict, *, audit: bool = True) -> None:
        tables, now = self.tables, self.now
        extra = dict(record["extra"])
        applicant = [str(extra.pop(national, None) or "") for national in APPLICANT_FIELDS]
        procedure_id = self.procedures[record["MaTTHC"]]
        tables["dossiers"].append(
            (
                pk,
                record["MaHoSo"],
                procedure_id,
                self.versions.get(procedure_id),
                self.services.get(record["MaDVC"]),
                self.units[record["MaDonVi"]],
                self.units.get(record["MaDonViTiepNhan"]),
                record["KenhThucHien"],
                record["NguonHoSo"],
                record["TrangThaiHoSo"],
                *applicant,
                record["NgayNopHoSo"],
                record["NgayTiepNhan"],
                record["NgayHenTra"],
                record["NgayHenTraMoi"],
                _effective_due(record),
                record["NgayKetThucXuLy"],
                record["DuocThanhToanTrucTuyen"],
                record["NgayThanhToan"],
                record["HoSoCoThanhPhanSoHoa"],
                record["TaiKhoanDuocXacThucVoiVNeID"],
                record["MaCSDL"] or "",
                record["NgayDongBo"],
                extra,
                now,
                now,
            )
        )
        self.add_events(pk, record["LichSuTrangThai"])
        received = record["NgayTiepNhan"]
        for item in record["DanhSachHoSoBoSung"]:
            stage = "appraisal" if _is_processing_stage(item, received) else "reception"
            item_extra = (
                {k: v for k, v in item.items() if k not in ("NgayYeuCau", "NgayBoSung")} if len(item) > 2 else {}
            )
            tables["supplements"].append((pk, stage, item["NgayYeuCau"], item["NgayBoSung"], [], "", "", item_extra))
        for fee in record["DanhSachLePhi"]:
            fee_extra = (
                {k: v for k, v in fee.items() if k not in ("MaPhiLePhi", "TenPhiLePhi", "Gia")} if len(fee) > 3 else {}
            )
            tables["fees"].append((pk, fee["MaPhiLePhi"] or "", fee["TenPhiLePhi"] or "", fee["Gia"], fee_extra))
        for component in record["TaiLieuNop"]:
            component_extra = (
                {k: v for k, v in component.items() if k not in COMPONENT_FIELDS}
                if len(component) > len(COMPONENT_FIELDS)
                else {}
            )
            tables["components"].append(
                (
                    pk,
                    component["MaThanhPhanHoSo"] or "",
                    "",
                    component["CoTepDinhKem"],
                    component["DuocSoHoa"],
                    component["DuocTaiSuDung"],
                    component["DuocLayTuKhoDMQG"],
                    "",
                    "",
                    component_extra,
                )
            )
        if record["MaKetQua"] or record["DuongDanTepTinKetQua"] or record["NgayCoKetQua"] or record["KetQuaDayVaoKho"]:
            tables["results"].append(
                (
                    pk,
                    record["MaKetQua"] or "",
                    "",
                    record["DuongDanTepTinKetQua"] or "",
                    "",
                    record["NgayCoKetQua"],
                    "unsigned",
                    record["KetQuaDayVaoKho"],
                    "",
                )
            )
        if record["KhongHaiLong"] or record["NgayDanhGia"]:
            tables["ratings"].append((pk, record["KhongHaiLong"], record["NgayDanhGia"], ""))
        if audit:
            # A created record's "after" is the stored row itself; the entry says where it came from.
            tables["audit"].append(
                (
                    self.content_type_id,
                    str(pk),
                    pk,
                    record["MaHoSo"],
                    AUDIT_CREATE,
                    None,
                    "",
                    self.actor_id,
                    self.source,
                    now,
                    {"line": line},
                )
            )

    def add_events(self, pk: int, log: list[dict], previous: int | None = None) -> None:
        events, now, source = self.tables["events"], self.now, self.source
        for step in log:
            extra = {k: v for k, v in step.items() if k not in ("TrangThai", "ThoiDiem")} if len(step) > 2 else None
            events.append(
                (
                    pk,
                    "status",
                    "import",
                    previous,
                    step["TrangThai"],
                    step["ThoiDiem"],
                    now,
                    source,
                    "",
                    {"extra": extra} if extra else {},
                )
            )
            previous = step["TrangThai"]


def _events(record: dict):
    """(field path, instant) of everything the record says happened."""
    for name in EVENT_FIELDS:
        yield name, record[name]
    for index, step in enumerate(record["LichSuTrangThai"]):
        yield f"LichSuTrangThai[{index}].ThoiDiem", step["ThoiDiem"]
    for index, item in enumerate(record["DanhSachHoSoBoSung"]):
        yield f"DanhSachHoSoBoSung[{index}].NgayYeuCau", item["NgayYeuCau"]
        yield f"DanhSachHoSoBoSung[{index}].NgayBoSung", item["NgayBoSung"]


def implausible_dates(record: dict, now: datetime) -> tuple[str, str, str, str, datetime] | None:
    """(field, code, message, message_en, value) of the first date no real dossier has, else None."""
    submitted, received = record["NgayNopHoSo"], record["NgayTiepNhan"]
    if submitted is not None and received is not None and received < submitted:
        return (
            "NgayTiepNhan",
            "order",
            f"{received.isoformat()} sớm hơn ngày nộp hồ sơ ({submitted.isoformat()})",
            f"{received.isoformat()} is earlier than the submission ({submitted.isoformat()})",
            received,
        )
    for name, instant in _events(record):
        if instant is not None and instant > now + EVENT_SLACK:
            return (
                name,
                "future",
                f"{instant.isoformat()} muộn hơn thời điểm nhập dữ liệu quá một năm; "
                "việc đã xảy ra không thể ở tương lai",
                f"{instant.isoformat()} is more than a year after the import; an event cannot lie in the future",
                instant,
            )
    start = received or submitted or now
    for name in ("NgayHenTra", "NgayHenTraMoi"):
        due = record[name]
        if due is not None and received is not None and due < received:
            return (
                name,
                "order",
                f"{due.isoformat()} sớm hơn ngày tiếp nhận ({received.isoformat()})",
                f"{due.isoformat()} is earlier than the receipt ({received.isoformat()})",
                due,
            )
        if due is not None and due > start + FARTHEST_DUE:
            return (
                name,
                "far",
                f"{due.isoformat()} cách ngày tiếp nhận hồ sơ hơn 5 năm",
                f"{due.isoformat()} is more than 5 years after the receipt",
                due,
            )
    return None


def _is_processing_stage(item: dict, received) -> bool:
    """A supplement requested at or after reception is the agency's (stage ``appraisal``); before, counter guidance."""
    return received is not None and item["NgayYeuCau"] >= received


def _effective_due(record: dict):
    """Dossier.effective_due_at of an imported line, by the dossiers app's one rule (rules.due_instant)."""
    received = record["NgayTiepNhan"]
    spans = [
        (i["NgayYeuCau"], i["NgayBoSung"]) for i in record["DanhSachHoSoBoSung"] if _is_processing_stage(i, received)
    ]
    return due_instant(record["NgayHenTra"], spans, new_appointment=record["NgayHenTraMoi"])
