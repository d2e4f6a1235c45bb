"""Import an exchange set into the database (``motcua import``, specs/interchange.md §3).

* All or nothing: the whole set is imported in one transaction. A set with
  errors imports nothing unless ``skip_invalid`` is set; then every skipped
  line is reported.
* Idempotent: records are upserted by their key. An identical record changes
  nothing; a changed one is updated and the change is audited with its
  before/after values.
* Streaming: files are read line by line and dossiers are written in batches
  (COPY on PostgreSQL), so memory stays bounded for millions of dossiers.

Every run leaves an :class:`~motcua.interchange.models.ImportRun` row, also
when it was rejected or failed.
"""

from __future__ import annotations

import logging
import time as clock
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import time
from decimal import Decimal
from pathlib import Path

from auditlog.models import LogEntry
from django.db import connection, transaction
from django.utils import timezone

from motcua.catalog.models import (
    OnlineService,
    Procedure,
    ProcedureVersion,
    PublicationDecision,
    PublicationItem,
)
from motcua.core.audit import LOG_ENTRY_COLUMNS, audit_context, log_entry_rows
from motcua.core.bulk import TableWriter
from motcua.core.errors import UserError
from motcua.dossiers.models import (
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierResult,
    FeeLine,
    SupplementRequest,
)
from motcua.dossiers.services import _current_version
from motcua.feedback.models import Complaint, ComplaintStatusLog, Rating
from motcua.index766.models import ReferenceCount
from motcua.org.models import Unit

from . import exporter
from .models import ImportRun
from .readers import ExchangeSetError, open_exchange_set
from .schema import FILES, IMPORT_ORDER, record_to_json_dict
from .validation import FieldError

logger = logging.getLogger("motcua.interchange")

BATCH = 5000
MAX_STORED_ERRORS = 1000


@dataclass
class FileCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    seconds: float = 0.0

    def as_dict(self):
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged, "skipped": self.skipped,
                "seconds": round(self.seconds, 3)}


@dataclass
class ImportReport:
    run_id: int
    outcome: str
    counts: dict[str, FileCounts] = field(default_factory=dict)
    errors: list[FieldError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.outcome in (ImportRun.Outcome.IMPORTED, ImportRun.Outcome.DRY_RUN)


class _Abort(Exception):
    """Roll the transaction back (errors found, or a dry run)."""


def _ref_error(file, source, line, field_name, value, what) -> FieldError:
    return FieldError(
        file, line, field_name, "unknown_reference",
        f"{what} «{value}» không có trong tệp hay trong cơ sở dữ liệu.",
        f"unknown {what_en(what)} {value!r}", value=value, source=source,
    )


def what_en(what: str) -> str:
    return {"mã đơn vị": "unit code", "mã TTHC": "procedure code", "mã DVC": "online service code",
            "mã PAKN": "complaint code"}.get(what, what)


def _diff(before: dict, after: dict) -> dict:
    """Field → [before, after] in canonical JSON form, for the audit log."""
    changes = {}
    for key in after:
        if before.get(key) != after[key]:
            changes[key] = [before.get(key), after[key]]
    return changes


class Importer:
    def __init__(self, path, *, dry_run=False, skip_invalid=False, user=None):
        self.path = Path(path)
        self.dry_run = dry_run
        self.skip_invalid = skip_invalid
        self.user = user
        self.errors: list[FieldError] = []
        self.counts: dict[str, FileCounts] = {}
        self.writer = TableWriter()

    # -- orchestration ---------------------------------------------------------------------------

    def run(self) -> ImportReport:
        try:
            exchange_set = open_exchange_set(self.path)
        except ExchangeSetError as exc:
            raise UserError(exc.message, exc.message_en) from None
        run = ImportRun.objects.create(
            source=str(self.path), user=self.user if getattr(self.user, "is_authenticated", False) else None,
            options={"dry_run": self.dry_run, "skip_invalid": self.skip_invalid},
        )
        self.source = f"import:{run.pk}"
        outcome = ImportRun.Outcome.IMPORTED
        try:
            with exchange_set, transaction.atomic(), audit_context(self.user, self.source):
                if connection.vendor == "postgresql":
                    # One big transaction: don't wait for its WAL flush at commit. A crash in that
                    # instant loses the import (it can be re-run), never corrupts the database.
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL synchronous_commit TO OFF")
                for name in IMPORT_ORDER:
                    if name in exchange_set:
                        self.counts[name] = FileCounts()
                        started = clock.perf_counter()
                        getattr(self, f"_import_{name}")(exchange_set, name)
                        self.counts[name].seconds = clock.perf_counter() - started
                if self.errors and not self.skip_invalid:
                    outcome = ImportRun.Outcome.REJECTED
                    raise _Abort
                if self.dry_run:
                    outcome = ImportRun.Outcome.DRY_RUN
                    raise _Abort
        except _Abort:
            pass
        except Exception:
            logger.exception("import %s failed; transaction rolled back", self.path)
            run.outcome, run.finished_at = ImportRun.Outcome.FAILED, timezone.now()
            run.save(update_fields=["outcome", "finished_at"])
            raise UserError(
                "Lỗi hệ thống khi nhập dữ liệu; không có dữ liệu nào được ghi. Chi tiết trong nhật ký hệ thống.",
                f"import of {self.path} failed with an internal error; nothing was written",
            ) from None
        if outcome != ImportRun.Outcome.IMPORTED:
            for counts in self.counts.values():
                if outcome == ImportRun.Outcome.REJECTED:
                    counts.created = counts.updated = counts.unchanged = 0
        run.outcome, run.finished_at = outcome, timezone.now()
        run.counts = {name: c.as_dict() for name, c in self.counts.items()}
        run.errors = [str(e) for e in self.errors[:MAX_STORED_ERRORS]]
        run.save(update_fields=["outcome", "finished_at", "counts", "errors"])
        return ImportReport(run.pk, outcome, self.counts, self.errors)

    def _valid_records(self, exchange_set, name) -> Iterator[tuple[int, dict]]:
        """Validated records; errors are collected, and once the set is doomed we only validate."""
        for line, record, errors in exchange_set.iter_validated(name):
            if errors:
                self._fail(name, errors)
                continue
            yield line, record

    def _fail(self, name, errors: list[FieldError]):
        self.errors.extend(errors)
        self.counts[name].skipped += 1
        for error in errors:
            logger.info("import: %s", error.str_en())

    @property
    def writing(self) -> bool:
        """False once an error dooms an all-or-nothing import: keep validating, stop writing."""
        return self.skip_invalid or not self.errors

    # -- reference data: new rows in bulk (audited here), changed rows through the ORM (audited by signals)

    def _sync(self, name, records, existing: dict, key_of, build, update, model):
        """Upsert ``records``; returns the (record, instance) pairs created."""
        counts = self.counts[name]
        created = []
        for _line, record in records:
            key = key_of(record)
            canonical = record_to_json_dict(name, record)
            if key in existing:
                if existing[key] == canonical:
                    counts.unchanged += 1
                    continue
                counts.updated += 1
                if self.writing:
                    update(record)
            else:
                counts.created += 1
                if self.writing:
                    created.append((record, build(record)))
            existing[key] = canonical
        if created:
            self.writer.write_instances(model, [instance for _, instance in created])
            self._audit(model, [(instance.pk, str(key_of(record)), LogEntry.Action.CREATE, None, None)
                                for record, instance in created])
        return created

    def _import_units(self, exchange_set, name):
        existing = {r["MaDonVi"]: record_to_json_dict(name, r) for r in exporter.export_units()}
        records = list(self._valid_records(exchange_set, name))
        known = set(existing) | {r["MaDonVi"] for _, r in records}
        source = exchange_set.source_name(name)
        valid = []
        for line, record in records:
            parent = record["MaDonViCha"]
            if parent is not None and (parent not in known or parent == record["MaDonVi"]):
                self._fail(name, [_ref_error(name, source, line, "MaDonViCha", parent, "mã đơn vị")])
            else:
                valid.append((line, record))

        def values(record):
            return {"name": record["TenDonVi"], "kind": record["LoaiDonVi"],
                    "offers_e_certified_copy": record["CungCapChungThucDienTu"], "valid_from": record["HieuLucTu"],
                    "valid_to": record["HieuLucDen"], "extra": record["extra"]}

        def update(record):
            unit = Unit.objects.get(code=record["MaDonVi"])
            for attr, value in values(record).items():
                setattr(unit, attr, value)
            unit.save()

        self._sync(name, valid, existing, lambda r: r["MaDonVi"], lambda r: Unit(code=r["MaDonVi"], **values(r)),
                   update, Unit)
        if self.writing:
            # Parents may come later in the file than their children: link once all exist.
            ids = dict(Unit.objects.values_list("code", "pk"))
            wanted = {r["MaDonVi"]: ids.get(r["MaDonViCha"]) for _, r in valid}
            for unit in Unit.objects.filter(code__in=list(wanted)):
                if unit.parent_id != wanted[unit.code]:
                    unit.parent_id = wanted[unit.code]
                    unit.save(update_fields=["parent"])
        self.units = dict(Unit.objects.values_list("code", "pk"))

    def _unit_ids(self) -> dict[str, int]:
        if not hasattr(self, "units"):
            self.units = dict(Unit.objects.values_list("code", "pk"))
        return self.units

    def _import_procedures(self, exchange_set, name):
        existing = {r["MaTTHC"]: record_to_json_dict(name, r) for r in exporter.export_procedures()}
        units = self._unit_ids()
        source = exchange_set.source_name(name)
        valid = []
        for line, record in self._valid_records(exchange_set, name):
            unknown = [code for code in record["DonViThucHien"] if code not in units]
            if unknown:
                self._fail(name, [_ref_error(name, source, line, "DonViThucHien", unknown[0], "mã đơn vị")])
                continue
            valid.append((line, {**record, "DonViThucHien": sorted(set(record["DonViThucHien"])),
                                 "CapThucHien": [lv for lv in exporter.LEVELS if lv in record["CapThucHien"]]}))

        def values(record):
            levels = set(record["CapThucHien"])
            limit = record["ThoiGianGiaiQuyet"]
            return {
                "name": record["TenTTHC"] or "", "field_code": record["MaLinhVuc"] or "",
                "field_name": record["TenLinhVuc"] or "",
                **{Procedure.LEVEL_FIELDS[level]: level in levels for level in exporter.LEVELS},
                "time_limit": None if limit is None else Decimal(str(limit)),
                "time_unit": record["DonViTinh"] or "", "has_fee": record["CoPhiLePhi"],
                "paper_result": record["KetQuaGiay"], "subjects": record["DoiTuongThucHien"],
                "eligible_full_online": record["DuDieuKienToanTrinh"], "all_seven_parts": record["DayDuBayBoPhan"],
                "publication_status": record["TrangThaiCongKhai"] or "dang_cong_khai",
                "cutoff_time": time.fromisoformat(record["GioChotTiepNhan"]) if record["GioChotTiepNhan"] else None,
                "extra": record["extra"],
            }

        def update(record):
            procedure = Procedure.objects.get(code=record["MaTTHC"])
            for attr, value in values(record).items():
                setattr(procedure, attr, value)
            procedure.save()
            procedure.competent_units.set([units[code] for code in record["DonViThucHien"]])
            _current_version(procedure)  # a changed legal content gets a new version

        created = self._sync(name, valid, existing, lambda r: r["MaTTHC"], lambda r: Procedure(code=r["MaTTHC"], **values(r)),
                             update, Procedure)
        if created:
            through = Procedure.competent_units.through
            self.writer.write_instances(
                through, [through(procedure_id=p.pk, unit_id=units[code]) for r, p in created for code in r["DonViThucHien"]]
            )
            versions = [ProcedureVersion(procedure=p, number=1, values=p.versioned_values(), valid_from=timezone.now())
                        for _, p in created]
            self.writer.write_instances(ProcedureVersion, versions)
            for (_, procedure), version in zip(created, versions, strict=True):
                procedure.current_version = version
            Procedure.objects.bulk_update([p for _, p in created], ["current_version"], batch_size=1000)
        self.procedures = dict(Procedure.objects.values_list("code", "pk"))

    def _procedure_ids(self):
        if not hasattr(self, "procedures"):
            self.procedures = dict(Procedure.objects.values_list("code", "pk"))
        return self.procedures

    def _import_online_services(self, exchange_set, name):
        existing = {r["MaDVC"]: record_to_json_dict(name, r) for r in exporter.export_online_services()}
        units, procedures = self._unit_ids(), self._procedure_ids()
        source = exchange_set.source_name(name)
        valid = []
        for line, record in self._valid_records(exchange_set, name):
            if error := self._check_refs(name, source, line, record, procedures=("MaTTHC",), units=("MaDonVi",)):
                self._fail(name, [error])
            else:
                valid.append((line, record))

        def values(record):
            return {"procedure_id": procedures[record["MaTTHC"]], "unit_id": units[record["MaDonVi"]],
                    "level": record["MucDo"], "status": record["TrangThai"], "valid_from": record["HieuLucTu"],
                    "valid_to": record["HieuLucDen"], "extra": record["extra"]}

        def update(record):
            service = OnlineService.objects.get(code=record["MaDVC"])
            for attr, value in values(record).items():
                setattr(service, attr, value)
            service.save()

        self._sync(name, valid, existing, lambda r: r["MaDVC"], lambda r: OnlineService(code=r["MaDVC"], **values(r)),
                   update, OnlineService)

    def _check_refs(self, name, source, line, record, procedures=(), units=(), services=()) -> FieldError | None:
        for field_name in procedures:
            if record[field_name] is not None and record[field_name] not in self._procedure_ids():
                return _ref_error(name, source, line, field_name, record[field_name], "mã TTHC")
        for field_name in units:
            if record[field_name] is not None and record[field_name] not in self._unit_ids():
                return _ref_error(name, source, line, field_name, record[field_name], "mã đơn vị")
        for field_name in services:
            if record[field_name] is not None and record[field_name] not in self.services:
                return _ref_error(name, source, line, field_name, record[field_name], "mã DVC")
        return None

    def _import_publications(self, exchange_set, name):
        existing = {(r["MaDonVi"], r["SoQuyetDinh"]): record_to_json_dict(name, r) for r in exporter.export_publications()}
        units, procedures = self._unit_ids(), self._procedure_ids()
        source = exchange_set.source_name(name)
        valid = []
        for line, record in self._valid_records(exchange_set, name):
            error = self._check_refs(name, source, line, record, units=("MaDonVi",))
            for index, item in enumerate(record["DanhSachTTHC"]):
                if error is None and item["MaTTHC"] not in procedures:
                    error = _ref_error(name, source, line, f"DanhSachTTHC[{index}].MaTTHC", item["MaTTHC"], "mã TTHC")
            if error:
                self._fail(name, [error])
            else:
                valid.append((line, record))

        def items(decision, record):
            return [
                PublicationItem(
                    decision=decision, procedure_id=procedures[item["MaTTHC"]], position=position,
                    basis_effective_on=item["NgayHieuLucCanCu"], published_at=item["NgayCongKhai"],
                    extra={k: v for k, v in item.items() if k not in ("MaTTHC", "NgayHieuLucCanCu", "NgayCongKhai")},
                )
                for position, item in enumerate(record["DanhSachTTHC"])
            ]

        def build(record):
            return PublicationDecision(unit_id=units[record["MaDonVi"]], number=record["SoQuyetDinh"],
                                       decided_on=record["NgayQuyetDinh"], kind=record["Loai"], extra=record["extra"])

        def update(record):
            decision = PublicationDecision.objects.get(unit_id=units[record["MaDonVi"]], number=record["SoQuyetDinh"])
            decision.decided_on, decision.kind, decision.extra = record["NgayQuyetDinh"], record["Loai"], record["extra"]
            decision.save()
            decision.items.all().delete()
            PublicationItem.objects.bulk_create(items(decision, record))

        created = self._sync(name, valid, existing, lambda r: (r["MaDonVi"], r["SoQuyetDinh"]), build, update,
                             PublicationDecision)
        self.writer.write_instances(PublicationItem, [i for record, d in created for i in items(d, record)])

    def _import_reference_counts(self, exchange_set, name):
        existing = {(r["MaDonVi"], r["Ky"]): record_to_json_dict(name, r) for r in exporter.export_reference_counts()}
        units = self._unit_ids()
        source = exchange_set.source_name(name)
        valid = []
        for line, record in self._valid_records(exchange_set, name):
            if error := self._check_refs(name, source, line, record, units=("MaDonVi",)):
                self._fail(name, [error])
            else:
                valid.append((line, record))

        def build(record):
            return ReferenceCount(unit_id=units[record["MaDonVi"]], period=record["Ky"],
                                  national_reporting_count=record["SoHoSoBCQG"], national_portal_count=record["SoHoSoDVCQG"])

        def update(record):
            row = ReferenceCount.objects.get(unit_id=units[record["MaDonVi"]], period=record["Ky"])
            row.national_reporting_count, row.national_portal_count = record["SoHoSoBCQG"], record["SoHoSoDVCQG"]
            row.save()

        self._sync(name, valid, existing, lambda r: (r["MaDonVi"], r["Ky"]), build, update, ReferenceCount)

    # -- complaints (moderate volume: ORM, audited by signals) ---------------------------------

    def _import_complaints(self, exchange_set, name):
        units = self._unit_ids()
        source = exchange_set.source_name(name)
        known_codes = set(Complaint.objects.values_list("code", flat=True))
        repeats: dict[str, str] = {}
        pending: list[tuple[int, dict]] = []
        for line, record in self._valid_records(exchange_set, name):
            if error := self._check_refs(name, source, line, record, units=("MaDonVi",)):
                self._fail(name, [error])
                continue
            pending.append((line, record))
            known_codes.add(record["MaPAKN"])
            if len(pending) >= BATCH:
                self._write_complaints(name, pending, units, repeats)
                pending = []
        self._write_complaints(name, pending, units, repeats)
        # MaPAKNTruoc may point to a complaint later in the file: link after all are written.
        for code, earlier in repeats.items():
            if earlier not in known_codes:
                self._fail(name, [_ref_error(name, source, None, "MaPAKNTruoc", earlier, "mã PAKN")])
            elif self.writing:
                complaint = Complaint.objects.get(code=code)
                complaint.repeats = Complaint.objects.get(code=earlier)
                complaint.save(update_fields=["repeats"])

    def _write_complaints(self, name, pending, units, repeats):
        if not pending:
            return
        counts = self.counts[name]
        codes = [r["MaPAKN"] for _, r in pending]
        current = {c.code: c for c in Complaint.objects.filter(code__in=codes)}
        before = {r["MaPAKN"]: record_to_json_dict(name, r) for r in exporter.complaint_records(list(current.values()))}
        dossier_ids = dict(Dossier.objects.filter(code__in={r["MaHoSo"] for _, r in pending if r["MaHoSo"]}).values_list("code", "pk"))
        for _line, record in pending:
            code = record["MaPAKN"]
            canonical = record_to_json_dict(name, record)
            if code in before and before[code] == canonical:
                counts.unchanged += 1
                continue
            if code in current:
                counts.updated += 1
            else:
                counts.created += 1
            if record["MaPAKNTruoc"]:
                repeats[code] = record["MaPAKNTruoc"]
            if not self.writing:
                continue
            log = record["LichSu"]
            complaint, _ = Complaint.objects.update_or_create(code=code, defaults={
                "unit_id": units[record["MaDonVi"]], "dossier_id": dossier_ids.get(record["MaHoSo"]),
                "dossier_code": record["MaHoSo"] or "", "category": record["PhanLoai"] or "",
                "submitted_at": record["NgayGui"], "status": log[-1]["TrangThai"] if log else "cho_tiep_nhan",
                "likes": record["SoThich"], "dislikes": record["SoKhongThich"], "extra": record["extra"],
            })
            complaint.status_log.all().delete()
            ComplaintStatusLog.objects.bulk_create([
                ComplaintStatusLog(complaint=complaint, status=step["TrangThai"], occurred_at=step["ThoiDiem"],
                                   extra={k: v for k, v in step.items() if k not in ("TrangThai", "ThoiDiem")})
                for step in log
            ])

    # -- dossiers (the hot path: batched, COPY on PostgreSQL) ---------------------------------

    def _import_dossiers(self, exchange_set, name):
        self.services = dict(OnlineService.objects.values_list("code", "pk"))
        self.versions = dict(Procedure.objects.values_list("pk", "current_version_id"))
        self.table_was_empty = not Dossier.objects.exists()
        source = exchange_set.source_name(name)
        batch: list[tuple[int, dict]] = []
        for line, record in self._valid_records(exchange_set, name):
            # Null and the default mean the same here (not paid online, in person, local system,
            # newly registered): store and compare the explicit value, so re-imports are no-ops.
            for field_name, default in DOSSIER_DEFAULTS.items():
                if record[field_name] is None:
                    record[field_name] = default
            error = self._check_refs(name, source, line, record, procedures=("MaTTHC",),
                                     units=("MaDonVi", "MaDonViTiepNhan"), services=("MaDVC",))
            if error:
                self._fail(name, [error])
                continue
            batch.append((line, record))
            if len(batch) >= BATCH:
                self._write_dossier_batch(name, batch)
                batch = []
        self._write_dossier_batch(name, batch)

    def _version_id(self, procedure_id: int) -> int | None:
        version_id = self.versions.get(procedure_id)
        if version_id is None and self.writing:  # a procedure created outside an import has no version yet
            version_id = self.versions[procedure_id] = _current_version(Procedure.objects.get(pk=procedure_id)).pk
        return version_id

    def _write_dossier_batch(self, name, batch):
        if not batch:
            return
        counts = self.counts[name]
        existing: dict[str, Dossier] = {}
        if not self.table_was_empty:
            existing = {d.code: d for d in Dossier.objects.filter(code__in=[r["MaHoSo"] for _, r in batch])}
        before = {}
        if existing:
            before = {r["MaHoSo"]: record_to_json_dict(name, r) for r in exporter.dossier_records(list(existing.values()))}
        new, changed = [], []
        for line, record in batch:
            code = record["MaHoSo"]
            if code in existing:
                after = record_to_json_dict(name, record)
                if before[code] == after:
                    counts.unchanged += 1
                else:
                    counts.updated += 1
                    changed.append((line, record, existing[code], _diff(before[code], after)))
            else:
                counts.created += 1
                new.append((line, record))
        if not self.writing:
            return
        if new:
            ids = self.writer.reserve_ids(Dossier, len(new))
            self._insert_dossiers([(pk, line, record) for pk, (line, record) in zip(ids, new, strict=True)])
        for line, record, dossier, changes in changed:
            self._update_dossier(line, record, dossier, changes)

    DOSSIER_COLUMNS = (
        "id", "code", "procedure", "procedure_version", "online_service", "handling_unit", "receiving_unit", "channel",
        "origin", "status", "applicant_name", "applicant_id_number", "applicant_address", "applicant_phone",
        "applicant_email", "summary", "submitted_at", "received_at", "due_at", "extended_due_at", "ended_at",
        "online_payment", "paid_at", "has_digitized_component", "vneid_authenticated", "population_db_ref",
        "synced_at", "extra", "created_at", "updated_at",
    )

    def _dossier_row(self, pk, record, now):
        extra = dict(record["extra"])
        applicant = [extra.pop(national, None) or "" for national in exporter.DOSSIER_APPLICANT_FIELDS]
        procedure_id = self.procedures[record["MaTTHC"]]
        return (
            pk, record["MaHoSo"], procedure_id, self._version_id(procedure_id), self.services.get(record["MaDVC"]),
            self.units[record["MaDonVi"]], self.units.get(record["MaDonViTiepNhan"]), record["KenhThucHien"],
            record["NguonHoSo"], record["TrangThaiHoSo"], *(str(v)[:500] for v in applicant),
            record["NgayNopHoSo"], record["NgayTiepNhan"], record["NgayHenTra"], record["NgayHenTraMoi"],
            record["NgayKetThucXuLy"], record["DuocThanhToanTrucTuyen"], record["NgayThanhToan"],
            record["HoSoCoThanhPhanSoHoa"], record["TaiKhoanDuocXacThucVoiVNeID"], record["MaCSDL"] or "",
            record["NgayDongBo"], extra, now, now,
        )

    def _child_rows(self, pk, record, rows: dict[str, list], now):
        previous = None
        for step in record["LichSuTrangThai"]:
            extra = {k: v for k, v in step.items() if k not in ("TrangThai", "ThoiDiem")} if len(step) > 2 else None
            rows["events"].append((pk, "status", "import", previous, step["TrangThai"], step["ThoiDiem"], now,
                                   self.source, "", {"extra": extra} if extra else {}))
            previous = step["TrangThai"]
        received = record["NgayTiepNhan"]
        for item in record["DanhSachHoSoBoSung"]:
            stage = "appraisal" if received is not None and item["NgayYeuCau"] >= received else "reception"
            extra = {k: v for k, v in item.items() if k not in ("NgayYeuCau", "NgayBoSung")}
            rows["supplements"].append((pk, stage, item["NgayYeuCau"], item["NgayBoSung"], [], "", "", extra))
        for fee in record["DanhSachLePhi"]:
            extra = {k: v for k, v in fee.items() if k not in ("MaPhiLePhi", "TenPhiLePhi", "Gia")} if len(fee) > 3 else {}
            rows["fees"].append((pk, fee["MaPhiLePhi"] or "", fee["TenPhiLePhi"] or "", fee["Gia"], extra))
        for component in record["TaiLieuNop"]:
            extra = {k: v for k, v in component.items() if k not in COMPONENT_FIELDS} if len(component) > len(COMPONENT_FIELDS) else {}
            rows["components"].append((pk, component["MaThanhPhanHoSo"] or "", "", component["CoTepDinhKem"],
                                       component["DuocSoHoa"], component["DuocTaiSuDung"], component["DuocLayTuKhoDMQG"],
                                       "", "", extra))
        if record["MaKetQua"] or record["DuongDanTepTinKetQua"] or record["NgayCoKetQua"] or record["KetQuaDayVaoKho"]:
            rows["results"].append((pk, record["MaKetQua"] or "", "", record["DuongDanTepTinKetQua"] or "", "",
                                    record["NgayCoKetQua"], "unsigned", record["KetQuaDayVaoKho"], ""))
        if record["KhongHaiLong"] or record["NgayDanhGia"]:
            rows["ratings"].append((pk, record["KhongHaiLong"], record["NgayDanhGia"], ""))

    CHILD_TABLES = {
        "events": (DossierEvent, ("dossier", "kind", "action", "from_status", "to_status", "occurred_at", "recorded_at",
                                  "actor_label", "reason", "data")),
        "supplements": (SupplementRequest, ("dossier", "stage", "requested_at", "completed_at", "items", "reason",
                                            "override_reason", "extra")),
        "fees": (FeeLine, ("dossier", "code", "name", "amount", "extra")),
        "components": (DossierComponent, ("dossier", "component_code", "name", "has_file", "digitized", "reused",
                                          "from_citizen_store", "file", "file_sha256", "extra")),
        "results": (DossierResult, ("dossier", "code", "title", "file_url", "file_sha256", "issued_at", "signature_state",
                                    "pushed_to_citizen_store", "delivery_method")),
        "ratings": (Rating, ("dossier", "dissatisfied", "rated_at", "comment")),
    }

    def _insert_dossiers(self, items: list[tuple[int, int, dict]]):
        now = timezone.now()
        rows = {key: [] for key in self.CHILD_TABLES}
        dossier_rows = []
        for pk, _line, record in items:
            dossier_rows.append(self._dossier_row(pk, record, now))
            self._child_rows(pk, record, rows, now)
        self.writer.write(Dossier, self.DOSSIER_COLUMNS, dossier_rows)
        for key, (model, columns) in self.CHILD_TABLES.items():
            self.writer.write(model, columns, rows[key])
        # A created record's "after" is the stored row itself; the entry names where it came from.
        self._audit(Dossier, [(pk, record["MaHoSo"], LogEntry.Action.CREATE, None, {"line": line})
                              for pk, line, record in items])

    def _update_dossier(self, line, record, dossier: Dossier, changes: dict):
        """A changed dossier: new column values, children replaced, imported history extended or corrected."""
        now = timezone.now()
        row = dict(zip(self.DOSSIER_COLUMNS, self._dossier_row(dossier.pk, record, now), strict=True))
        for key in ("id", "code", "created_at"):
            row.pop(key)
        Dossier.objects.filter(pk=dossier.pk).update(**{
            (f"{k}_id" if k in ("procedure", "procedure_version", "online_service", "handling_unit", "receiving_unit") else k): v
            for k, v in row.items()
        })
        rows = {key: [] for key in self.CHILD_TABLES}
        self._child_rows(dossier.pk, record, rows, now)
        old_log = changes.get("LichSuTrangThai", [None, None])[0] or []
        new_log = record_to_json_dict("dossiers", record)["LichSuTrangThai"]
        if "LichSuTrangThai" in changes:
            if new_log[: len(old_log)] == old_log:
                rows["events"] = rows["events"][len(old_log):]  # history only grew: append, never rewrite
            else:
                DossierEvent.objects.filter(dossier=dossier, kind="status").delete()  # a correction of the source's history
        else:
            rows["events"] = []
        for key, (model, _columns) in self.CHILD_TABLES.items():
            if key != "events":
                model.objects.filter(dossier=dossier).delete()
        for key, (model, columns) in self.CHILD_TABLES.items():
            self.writer.write(model, columns, rows[key])
        self._audit(Dossier, [(dossier.pk, dossier.code, LogEntry.Action.UPDATE, changes, {"file": "dossiers", "line": line})])

    def _audit(self, model, entries):
        """``entries``: (pk, repr, action, changes, additional_data)."""
        self.writer.write(LogEntry, LOG_ENTRY_COLUMNS,
                          log_entry_rows(model, entries, actor=self.user, source=self.source))


DOSSIER_DEFAULTS = {"DuocThanhToanTrucTuyen": 0, "KenhThucHien": 1, "NguonHoSo": "dia_phuong", "TrangThaiHoSo": 1}
COMPONENT_FIELDS = tuple(f.name for f in FILES["dossiers"].by_name["TaiLieuNop"].fields)


def import_exchange_set(path, *, dry_run=False, skip_invalid=False, user=None) -> ImportReport:
    """Validate and import the exchange set at ``path`` (folder, .zip or .xlsx)."""
    return Importer(path, dry_run=dry_run, skip_invalid=skip_invalid, user=user).run()
