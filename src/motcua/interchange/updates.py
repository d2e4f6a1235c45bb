"""A line of an exchange set applied to a dossier that already exists.

Only the fields the line carries change (JSON Lines: its keys; CSV and XLSX: the
header's columns). Child rows — components, supplement requests, the result, the
rating — are matched with what the line lists and updated in place, so what only
the web fills in survives a correction: component names and scans, result titles,
hashes and signatures, supplement reasons, rating comments, and the procedure
version the dossier was received under. A line that would delete such a row,
change the file of a signed or hashed result, or rewrite a status history
recorded on the web is refused with an error naming its field.
"""

from __future__ import annotations

from django.apps import apps
from django.utils import timezone

from motcua.dossiers.models import (
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierResult,
    FeeLine,
    Proposal,
    SupplementRequest,
)
from motcua.feedback.models import Rating

from .rows import APPLICANT_FIELDS, IDENTITY_FIELDS, TABLES, DossierRows
from .schema import FILES
from .validation import FieldError

DECLARED = frozenset(FILES["dossiers"].field_names)

#: The dossier columns each scalar field is stored in (the others are child rows or ``extra``).
COLUMNS = {
    "MaTTHC": ("procedure", "procedure_version"),  # a new procedure: the version in force now
    "MaDVC": ("online_service",),
    "MaDonVi": ("handling_unit",),
    "MaDonViTiepNhan": ("receiving_unit",),
    "KenhThucHien": ("channel",),
    "NguonHoSo": ("origin",),
    "TrangThaiHoSo": ("status",),
    "NgayNopHoSo": ("submitted_at",),
    "NgayTiepNhan": ("received_at",),
    "NgayHenTra": ("due_at",),
    "NgayHenTraMoi": ("extended_due_at",),
    "NgayKetThucXuLy": ("ended_at",),
    "DuocThanhToanTrucTuyen": ("online_payment",),
    "NgayThanhToan": ("paid_at",),
    "HoSoCoThanhPhanSoHoa": ("has_digitized_component",),
    "TaiKhoanDuocXacThucVoiVNeID": ("vneid_authenticated",),
    "MaCSDL": ("population_db_ref",),
    "NgayDongBo": ("synced_at",),
    **{national: (column,) for national, column in APPLICANT_FIELDS.items()},
}
CHILD_FIELDS = frozenset(
    {
        "LichSuTrangThai",
        "DanhSachHoSoBoSung",
        "DanhSachLePhi",
        "TaiLieuNop",
        "MaKetQua",
        "DuongDanTepTinKetQua",
        "NgayCoKetQua",
        "KetQuaDayVaoKho",
        "KhongHaiLong",
        "NgayDanhGia",
    }
)
#: The fields Dossier.effective_due_at is computed from (rows._effective_due): a line changing any of them
#: stores the new effective due instant too, or the queue and the 766 engine would judge different instants.
DUE_INPUTS = frozenset({"NgayTiepNhan", "NgayHenTra", "NgayHenTraMoi", "DanhSachHoSoBoSung"})
RESULT_FIELDS = ("MaKetQua", "DuongDanTepTinKetQua", "NgayCoKetQua", "KetQuaDayVaoKho")
RATING_FIELDS = ("KhongHaiLong", "NgayDanhGia")
assert DECLARED - {"MaHoSo"} == (set(COLUMNS) - set(APPLICANT_FIELDS)) | CHILD_FIELDS


def carried_changes(stored: dict, line: dict, carried) -> dict:
    """Field → [stored, new], in canonical JSON form, for the fields the line carries and changes."""
    return {name: [stored.get(name), line.get(name)] for name in carried if stored.get(name) != line.get(name)}


def merged_record(stored: dict, record: dict, changes: dict) -> dict:
    """The stored normalized record with the line's changed fields."""
    merged = {**stored, "extra": dict(stored["extra"])}
    for name in changes:
        if name in DECLARED:
            merged[name] = record[name]
        elif name in record["extra"]:
            merged["extra"][name] = record["extra"][name]
        else:  # a CSV column left empty
            merged["extra"].pop(name, None)
    return merged


def _pairs(old: list, new: list[dict], key_old, key_new) -> list[tuple]:
    """(stored row or None, new row or None), matched by key in order; unmatched stored rows last."""
    unmatched = list(old)
    pairs = []
    for item in new:
        row = next((r for r in unmatched if key_old(r) == key_new(item)), None)
        if row is not None:
            unmatched.remove(row)
        pairs.append((row, item))
    return pairs + [(row, None) for row in unmatched]


def _local(instant) -> str:
    return f"{timezone.localtime(instant):%H:%M %d/%m/%Y}" if instant else "?"


class DossierUpdate:
    """What a changed line does to an existing dossier; ``errors`` when it would destroy something."""

    def __init__(
        self, rows_context: dict, source: str, line: int, dossier: Dossier, stored: dict, record: dict, changes: dict
    ):
        self.dossier, self.line, self.source, self.changes = dossier, line, source, changes
        self.rows = DossierRows(**rows_context)
        self.rows.add(dossier.pk, line, merged_record(stored, record, changes), audit=False)
        self.errors: list[FieldError] = []
        self.create: dict[str, list[tuple]] = {}
        self.updates: list[tuple] = []  # (row, {column: value})
        self.deletes: list = []  # querysets and rows, deleted in order
        self.note: dict = {"line": line}  # for the audit entry
        self._plan_events()
        self._plan_components()
        self._plan_supplements()
        self._plan_fees()
        self._plan_result()
        self._plan_rating()

    # -- writing

    def apply(self, write_rows) -> None:
        """Write the plan; ``write_rows(table, rows)`` writes new rows of a table."""
        Dossier.objects.filter(pk=self.dossier.pk).update(**self.columns())
        for doomed in self.deletes:
            doomed.delete()
        for row, values in self.updates:
            type(row).objects.filter(pk=row.pk).update(**values)
        for table, rows in self.create.items():
            write_rows(table, rows)

    def columns(self) -> dict:
        """The dossier columns the changed fields are stored in, keyed for ``QuerySet.update``."""
        names, row = TABLES["dossiers"][1], self.rows.tables["dossiers"][0]
        values = dict(zip(names, row, strict=True))
        wanted = {"updated_at"}
        for name in self.changes:
            wanted.update(COLUMNS.get(name, () if name in DECLARED else ("extra",)))
        if DUE_INPUTS & self.changes.keys():
            wanted.add("effective_due_at")
        columns = {(f"{c}_id" if Dossier._meta.get_field(c).is_relation else c): values[c] for c in wanted}
        if moved := [name for name in IDENTITY_FIELDS if name in self.changes]:
            # A correction moved it: the step it waited at belongs to the old procedure's or unit's
            # workflow, so it waits unassigned at its new unit (the audit entry says what was cleared).
            self.note["correction"] = moved
            if self.dossier.current_step_id or self.dossier.current_assignee_id:
                self.note["cleared"] = {
                    "step": str(self.dossier.current_step or ""),
                    "assignee": str(self.dossier.current_assignee or ""),
                }
            columns.update(current_step_id=None, current_assignee_id=None, step_due_at=None)
        return columns

    # -- planning, one child table at a time

    def _new(self, table: str) -> list[dict]:
        names = TABLES[table][1]
        return [dict(zip(names, row, strict=True)) for row in self.rows.tables[table]]

    def _refuse(self, field: str, message: str, message_en: str):
        self.errors.append(
            FieldError("dossiers", self.line, field, "would_destroy", message, message_en, source=self.source)
        )

    def _update(self, row, new: dict, fields: tuple[str, ...]):
        values = {f: new[f] for f in fields if getattr(row, f) != new[f]}
        if values:
            self.updates.append((row, values))

    def _plan_events(self):
        if "LichSuTrangThai" not in self.changes:
            return
        stored_log, new_log = (log or [] for log in self.changes["LichSuTrangThai"])
        events = self.rows.tables["events"]
        if new_log[: len(stored_log)] == stored_log:  # the history only grew: append, never rewrite
            self.create["events"] = events[len(stored_log) :]
            return
        status_events = DossierEvent.objects.filter(dossier=self.dossier, kind=DossierEvent.Kind.STATUS)
        recorded_here = list(status_events.exclude(action="import").order_by("occurred_at", "pk")[:1])
        if recorded_here:
            event = recorded_here[0]
            self._refuse(
                "LichSuTrangThai",
                f"lịch sử trạng thái có thao tác ghi trên hệ thống (ví dụ «{event.action}» lúc "
                f"{_local(event.occurred_at)}); dòng này viết lại lịch sử, nhập dữ liệu chỉ được nối thêm",
                "the status history holds steps recorded on the web; the line rewrites it, an import may only append",
            )
            return
        self.deletes.append(status_events)  # the source corrected what earlier imports wrote
        self.create["events"] = events

    def _plan_components(self):
        if "TaiLieuNop" not in self.changes:
            return
        stored = list(DossierComponent.objects.filter(dossier=self.dossier).order_by("pk"))
        for row, new in _pairs(
            stored, self._new("components"), lambda r: r.component_code, lambda n: n["component_code"]
        ):
            if row is None:
                self.create.setdefault("components", []).append(tuple(new.values()))
            elif new is not None:
                self._update(row, new, ("has_file", "digitized", "reused", "from_citizen_store", "extra"))
            elif row.name or row.file or row.file_sha256:
                self._refuse(
                    "TaiLieuNop",
                    f"thành phần «{row.component_code or row.name}» có tên giấy tờ hoặc tệp quét nhập trên hệ thống; "
                    "dòng này bỏ nó đi nhưng nhập dữ liệu không xóa được",
                    f"component {row.component_code or row.name!r} has a name or a scan entered on the web; "
                    "the line drops it, an import cannot delete it",
                )
            else:
                self.deletes.append(row)

    def _plan_supplements(self):
        if "DanhSachHoSoBoSung" not in self.changes:
            return
        stored = list(SupplementRequest.objects.filter(dossier=self.dossier).order_by("requested_at", "pk"))
        for row, new in _pairs(stored, self._new("supplements"), lambda r: r.requested_at, lambda n: n["requested_at"]):
            if row is None:
                self.create.setdefault("supplements", []).append(tuple(new.values()))
            elif new is not None:
                self._update(row, new, ("completed_at", "extra"))
            elif row.items or row.reason or row.override_reason or row.requested_by_id:
                self._refuse(
                    "DanhSachHoSoBoSung",
                    f"yêu cầu bổ sung lúc {_local(row.requested_at)} có nội dung nhập trên hệ thống; "
                    "dòng này bỏ nó đi nhưng nhập dữ liệu không xóa được",
                    f"the supplement request of {row.requested_at.isoformat()} was entered on the web; "
                    "the line drops it, an import cannot delete it",
                )
            else:
                self.deletes.append(row)

    def _plan_fees(self):
        if "DanhSachLePhi" in self.changes:  # fee lines hold nothing but what the exchange format carries
            self.deletes.append(FeeLine.objects.filter(dossier=self.dossier))
            self.create["fees"] = self.rows.tables["fees"]

    def _plan_result(self):
        changed = [name for name in RESULT_FIELDS if name in self.changes]
        if not changed:
            return
        new = next(iter(self._new("results")), None)
        row = DossierResult.objects.filter(dossier=self.dossier).order_by("pk").first()
        if row is None:
            if new is not None:
                self.create["results"] = self.rows.tables["results"]
            return
        protected = self._result_entered_on_the_web(row)
        if new is None and protected:
            self._refuse(
                changed[0],
                f"kết quả «{row.code or row.title}» có {', '.join(protected)} nhập trên hệ thống; "
                "dòng này xóa kết quả nhưng nhập dữ liệu không xóa được",
                f"result {row.code or row.title!r} holds data entered on the web; the line deletes it",
            )
        elif new is None:
            self.deletes.append(row)
        elif (renamed := [n for n in ("MaKetQua", "DuongDanTepTinKetQua") if n in changed]) and (
            row.file_sha256 or row.signature_state != DossierResult.Signature.UNSIGNED
        ):
            self._refuse(
                renamed[0],
                f"kết quả «{row.code or row.title}» đã ký số hoặc có mã băm tệp trên hệ thống; "
                "nhập dữ liệu không được đổi mã hay tệp của nó",
                f"result {row.code or row.title!r} is signed or hashed; an import cannot change its code or file",
            )
        else:
            self._update(row, new, ("code", "file_url", "issued_at", "pushed_to_citizen_store"))

    @staticmethod
    def _result_entered_on_the_web(row: DossierResult) -> list[str]:
        return [
            what
            for what, present in (
                ("tên giấy tờ", row.title),
                ("mã băm tệp", row.file_sha256),
                ("chữ ký số", row.signature_state != DossierResult.Signature.UNSIGNED),
                ("ngày trả", row.delivered_at),
                ("hình thức trả", row.delivery_method),
                ("dự thảo trình ký", Proposal.objects.filter(result=row).exists()),
            )
            if present
        ]

    def _plan_rating(self):
        changed = [name for name in RATING_FIELDS if name in self.changes]
        if not changed:
            return
        new = next(iter(self._new("ratings")), None)
        row = Rating.objects.filter(dossier=self.dossier).order_by("rated_at", "pk").last()  # as the export
        if row is None:
            if new is not None:
                self.create["ratings"] = self.rows.tables["ratings"]
        elif new is not None:
            self._update(row, new, ("dissatisfied", "rated_at"))
        elif row.comment or row.score is not None:
            self._refuse(
                changed[0],
                f"đánh giá có ý kiến hoặc điểm nhập trên hệ thống («{row.comment}»); "
                "dòng này xóa đánh giá nhưng nhập dữ liệu không xóa được",
                "the rating holds a comment or a score entered on the web; the line deletes it",
            )
        else:
            self.deletes.append(row)


def write_rows_with(writer):
    """``write_rows`` for :meth:`DossierUpdate.apply` on a :class:`~motcua.core.bulk.TableWriter`."""

    def write_rows(table: str, rows: list[tuple]) -> None:
        if rows:
            label, columns = TABLES[table]
            writer.write(apps.get_model(label), columns, rows)

    return write_rows
