"""Import an exchange set into the database (``motcua import``, specs/interchange.md §3).

* All or nothing: the whole set is imported in one transaction. A set with
  errors imports nothing unless ``skip_invalid`` is set; then every skipped
  line is reported.
* Idempotent: records are upserted by their key. An identical record changes
  nothing; a changed one is updated and the change is audited with its
  before/after values. A changed dossier gets only the fields its line carries,
  and nothing entered on the web is lost (see :mod:`.updates`).
* Streaming: files are read line by line and dossiers are written in batches
  (COPY on PostgreSQL), so memory stays bounded for millions of dossiers.

Every run leaves an :class:`~motcua.interchange.models.ImportRun` row, also
when it was rejected or failed.
"""

from __future__ import annotations

import logging
import os
import sys
import time as clock
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from auditlog.models import LogEntry
from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from motcua.catalog.models import (
    OnlineService,
    Procedure,
    ProcedureVersion,
    PublicationDecision,
    PublicationItem,
)
from motcua.catalog.versions import current_version
from motcua.core.audit import LOG_ENTRY_COLUMNS, audit_context, log_entry_rows
from motcua.core.bulk import TableWriter, foreign_keys_checked_at_end
from motcua.core.bulkflag import bulk_write
from motcua.core.errors import UserError
from motcua.core.text import fold_key
from motcua.dossiers.models import (
    Dossier,
)
from motcua.feedback.models import Complaint, ComplaintStatusLog
from motcua.feedback.services import refresh_due_instants
from motcua.org.models import Unit

from . import exporter, runs
from .models import ImportRun, ReferenceCount
from .readers import ExchangeSetError, open_exchange_set
from .rows import CORRECTION_FIELD, IDENTITY_FIELDS, TABLES, DossierRows, reference_error
from .schema import FILES, IMPORT_ORDER, record_to_json_dict
from .updates import DossierUpdate, carried_changes, write_rows_with
from .validation import FieldError

logger = logging.getLogger("motcua.interchange")

BATCH = 5000
PARALLEL_MIN_BYTES = 16 * 1024 * 1024  # ≈ 16,000 dossiers
MAX_STORED_ERRORS = 1000


@dataclass
class FileCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    seconds: float = 0.0

    def as_dict(self):
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "seconds": round(self.seconds, 3),
        }


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


class Importer:
    def __init__(self, path, *, dry_run=False, skip_invalid=False, user=None, workers: int | None = None):
        self.workers = workers
        self.path = Path(path)
        self.dry_run = dry_run
        self.skip_invalid = skip_invalid
        self.user = user
        self.errors: list[FieldError] = []
        self.counts: dict[str, FileCounts] = {}
        self.writer = TableWriter()

    # -- orchestration ---------------------------------------------------------------------------

    def run(self) -> ImportReport:
        runs.mark_interrupted()  # runs whose process was killed before they could record their end
        try:
            exchange_set = open_exchange_set(self.path)
        except ExchangeSetError as exc:
            raise UserError(exc.message, exc.message_en) from None
        with runs.running(
            source=str(self.path),
            user=self.user if getattr(self.user, "is_authenticated", False) else None,
            options={"dry_run": self.dry_run, "skip_invalid": self.skip_invalid},
        ) as run:
            return self._run(run, exchange_set)

    def _run(self, run: ImportRun, exchange_set) -> ImportReport:
        self.source = f"import:{run.pk}"
        outcome = ImportRun.Outcome.IMPORTED
        try:
            with exchange_set, transaction.atomic(), audit_context(self.user, self.source), bulk_write(self.source):
                if connection.vendor == "postgresql":
                    # One big transaction: don't wait for its WAL flush at commit. A crash in that
                    # instant loses the import (it can be re-run), never corrupts the database.
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL synchronous_commit TO OFF")
                self._import_files(exchange_set)
                outcome = self._outcome()
                if outcome != ImportRun.Outcome.IMPORTED:
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
        if outcome == ImportRun.Outcome.REJECTED:
            for counts in self.counts.values():
                counts.created = counts.updated = counts.unchanged = 0
        run.outcome, run.finished_at = outcome, timezone.now()
        run.counts = {name: c.as_dict() for name, c in self.counts.items()}
        run.errors = [str(e) for e in self.errors[:MAX_STORED_ERRORS]]
        run.save(update_fields=["outcome", "finished_at", "counts", "errors"])
        return ImportReport(run.pk, outcome, self.counts, self.errors)

    def _import_files(self, exchange_set) -> None:
        """Import each file the set holds, in dependency order, timing each."""
        for name in IMPORT_ORDER:
            if name in exchange_set:
                self.counts[name] = FileCounts()
                started = clock.perf_counter()
                getattr(self, f"_import_{name}")(exchange_set, name)
                self.counts[name].seconds = clock.perf_counter() - started

    def _outcome(self) -> ImportRun.Outcome:
        """Rejected when errors doom an all-or-nothing import, else a dry run, else imported."""
        if self.errors and not self.skip_invalid:
            return ImportRun.Outcome.REJECTED
        if self.dry_run:
            return ImportRun.Outcome.DRY_RUN
        return ImportRun.Outcome.IMPORTED

    def _valid_records(self, exchange_set, name) -> Iterator[tuple[int, dict]]:
        """Validated records; errors are collected, and once the set is doomed we only validate."""
        for line, record, _fields in self._valid_records_with_fields(exchange_set, name):
            yield line, record

    def _valid_records_with_fields(self, exchange_set, name) -> Iterator[tuple[int, dict, frozenset]]:
        """Validated records with the names of the fields their line carries."""
        for line, record, errors, fields in exchange_set.iter_validated(name, with_fields=True):
            if errors:
                self._fail(name, errors)
                continue
            yield line, record, fields

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
            self._audit(
                model,
                [
                    (instance.pk, str(key_of(record)), LogEntry.Action.CREATE, None, None)
                    for record, instance in created
                ],
            )
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
                self._fail(name, [reference_error(name, source, line, "MaDonViCha", parent, "mã đơn vị")])
            else:
                valid.append((line, record))
        valid = self._without_cycles(name, source, valid, {code: r["MaDonViCha"] for code, r in existing.items()})

        def values(record):
            return {
                "name": record["TenDonVi"],
                "kind": record["LoaiDonVi"],
                "offers_e_certified_copy": record["CungCapChungThucDienTu"],
                "valid_from": record["HieuLucTu"],
                "valid_to": record["HieuLucDen"],
                "extra": record["extra"],
            }

        def update(record):
            unit = Unit.objects.get(code=record["MaDonVi"])
            for attr, value in values(record).items():
                setattr(unit, attr, value)
            unit.save()

        self._sync(
            name, valid, existing, lambda r: r["MaDonVi"], lambda r: Unit(code=r["MaDonVi"], **values(r)), update, Unit
        )
        if self.writing:
            # Parents may come later in the file than their children: link once all exist.
            ids = dict(Unit.objects.values_list("code", "pk"))
            wanted = {r["MaDonVi"]: ids.get(r["MaDonViCha"]) for _, r in valid}
            for unit in Unit.objects.filter(code__in=list(wanted)):
                if unit.parent_id != wanted[unit.code]:
                    unit.parent_id = wanted[unit.code]
                    unit.save(update_fields=["parent"])
        self.units = self._known(Unit, [r["MaDonVi"] for _, r in valid])

    def _without_cycles(self, name, source, valid, stored_parents: dict) -> list:
        """The unit lines whose parent chain ends at a root; a line in a cycle is an error (the tree would loop)."""
        parents = {**stored_parents, **{r["MaDonVi"]: r["MaDonViCha"] for _, r in valid}}
        acyclic = []
        for line, record in valid:
            chain = [record["MaDonVi"]]
            while (parent := parents.get(chain[-1])) is not None and parent not in chain:
                chain.append(parent)
            if parent is None:
                acyclic.append((line, record))
                continue
            loop = " → ".join([*chain, parent])
            self._fail(
                name,
                [
                    FieldError(
                        name,
                        line,
                        "MaDonViCha",
                        "cycle",
                        f"chuỗi đơn vị cha của «{record['MaDonVi']}» quay vòng: {loop}",
                        f"the parents of unit {record['MaDonVi']!r} go round in a cycle: {loop}",
                        value=record["MaDonViCha"],
                        source=source,
                    )
                ],
            )
        return acyclic

    def _known(self, model, codes) -> dict:
        """Code → id of ``model``; once the import is doomed, the file's valid codes count too (without an id),
        so that one bad line is one error, not also a missing reference on every line naming its file's rows."""
        ids = dict(model.objects.values_list("code", "pk"))
        if not self.writing:
            ids.update((code, None) for code in codes if code not in ids)
        return ids

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
                self._fail(name, [reference_error(name, source, line, "DonViThucHien", unknown[0], "mã đơn vị")])
                continue
            valid.append(
                (
                    line,
                    {
                        **record,
                        "DonViThucHien": sorted(set(record["DonViThucHien"])),
                        "CapThucHien": [lv for lv in exporter.LEVELS if lv in record["CapThucHien"]],
                    },
                )
            )

        def values(record):
            levels = set(record["CapThucHien"])
            limit = record["ThoiGianGiaiQuyet"]
            return {
                "name": record["TenTTHC"] or "",
                "field_code": record["MaLinhVuc"] or "",
                "field_name": record["TenLinhVuc"] or "",
                **{Procedure.LEVEL_FIELDS[level]: level in levels for level in exporter.LEVELS},
                "time_limit": None if limit is None else Decimal(str(limit)),
                "time_unit": record["DonViTinh"] or "",
                "has_fee": record["CoPhiLePhi"],
                "paper_result": record["KetQuaGiay"],
                "subjects": record["DoiTuongThucHien"],
                "eligible_full_online": record["DuDieuKienToanTrinh"],
                "all_seven_parts": record["DayDuBayBoPhan"],
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
            current_version(procedure)  # a changed legal content gets a new version

        created = self._sync(
            name,
            valid,
            existing,
            lambda r: r["MaTTHC"],
            lambda r: Procedure(code=r["MaTTHC"], **values(r)),
            update,
            Procedure,
        )
        if created:
            through = Procedure.competent_units.through
            self.writer.write_instances(
                through,
                [through(procedure_id=p.pk, unit_id=units[code]) for r, p in created for code in r["DonViThucHien"]],
            )
            versions = [
                ProcedureVersion(procedure=p, number=1, values=p.versioned_values(), valid_from=timezone.now())
                for _, p in created
            ]
            self.writer.write_instances(ProcedureVersion, versions)
            for (_, procedure), version in zip(created, versions, strict=True):
                procedure.current_version = version
            Procedure.objects.bulk_update([p for _, p in created], ["current_version"], batch_size=1000)
        self.procedures = self._known(Procedure, [r["MaTTHC"] for _, r in valid])

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
            return {
                "procedure_id": procedures[record["MaTTHC"]],
                "unit_id": units[record["MaDonVi"]],
                "level": record["MucDo"],
                "status": record["TrangThai"],
                "valid_from": record["HieuLucTu"],
                "valid_to": record["HieuLucDen"],
                "extra": record["extra"],
            }

        def update(record):
            service = OnlineService.objects.get(code=record["MaDVC"])
            for attr, value in values(record).items():
                setattr(service, attr, value)
            service.save()

        self._sync(
            name,
            valid,
            existing,
            lambda r: r["MaDVC"],
            lambda r: OnlineService(code=r["MaDVC"], **values(r)),
            update,
            OnlineService,
        )
        self.services = self._known(OnlineService, [r["MaDVC"] for _, r in valid])

    def _check_refs(self, name, source, line, record, procedures=(), units=()) -> FieldError | None:
        for field_name in procedures:
            if record[field_name] is not None and record[field_name] not in self._procedure_ids():
                return reference_error(name, source, line, field_name, record[field_name], "mã TTHC")
        for field_name in units:
            if record[field_name] is not None and record[field_name] not in self._unit_ids():
                return reference_error(name, source, line, field_name, record[field_name], "mã đơn vị")
        return None

    def _import_publications(self, exchange_set, name):
        existing = {
            (r["MaDonVi"], r["SoQuyetDinh"]): record_to_json_dict(name, r) for r in exporter.export_publications()
        }
        units, procedures = self._unit_ids(), self._procedure_ids()
        source = exchange_set.source_name(name)
        valid = []
        for line, record in self._valid_records(exchange_set, name):
            error = self._check_refs(name, source, line, record, units=("MaDonVi",))
            for index, item in enumerate(record["DanhSachTTHC"]):
                if error is None and item["MaTTHC"] not in procedures:
                    error = reference_error(
                        name, source, line, f"DanhSachTTHC[{index}].MaTTHC", item["MaTTHC"], "mã TTHC"
                    )
            if error:
                self._fail(name, [error])
            else:
                valid.append((line, record))

        def items(decision, record):
            return [
                PublicationItem(
                    decision=decision,
                    procedure_id=procedures[item["MaTTHC"]],
                    position=position,
                    basis_effective_on=item["NgayHieuLucCanCu"],
                    published_at=item["NgayCongKhai"],
                    extra={k: v for k, v in item.items() if k not in ("MaTTHC", "NgayHieuLucCanCu", "NgayCongKhai")},
                )
                for position, item in enumerate(record["DanhSachTTHC"])
            ]

        def build(record):
            return PublicationDecision(
                unit_id=units[record["MaDonVi"]],
                number=record["SoQuyetDinh"],
                decided_on=record["NgayQuyetDinh"],
                kind=record["Loai"],
                extra=record["extra"],
            )

        def update(record):
            decision = PublicationDecision.objects.get(unit_id=units[record["MaDonVi"]], number=record["SoQuyetDinh"])
            decision.decided_on, decision.kind, decision.extra = (
                record["NgayQuyetDinh"],
                record["Loai"],
                record["extra"],
            )
            decision.save()
            decision.items.all().delete()
            PublicationItem.objects.bulk_create(items(decision, record))

        created = self._sync(
            name, valid, existing, lambda r: (r["MaDonVi"], r["SoQuyetDinh"]), build, update, PublicationDecision
        )
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
            return ReferenceCount(
                unit_id=units[record["MaDonVi"]],
                period=record["Ky"],
                national_reporting_count=record["SoHoSoBCQG"],
                national_portal_count=record["SoHoSoDVCQG"],
            )

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
        unknown = sorted({earlier for earlier in repeats.values() if earlier not in known_codes})
        for earlier in unknown:
            self._fail(name, [reference_error(name, source, None, "MaPAKNTruoc", earlier, "mã PAKN")])
        if self.writing and repeats:
            ids = dict(
                Complaint.objects.filter(code__in=set(repeats) | set(repeats.values())).values_list("code", "pk")
            )
            linked = []
            for complaint in Complaint.objects.filter(code__in=list(repeats)):
                earlier_id = ids.get(repeats[complaint.code])
                if earlier_id is not None and complaint.repeats_id != earlier_id:
                    complaint.repeats_id = earlier_id
                    linked.append(complaint)
            Complaint.objects.bulk_update(linked, ["repeats"], batch_size=1000)

    def _write_complaints(self, name, pending, units, repeats):
        if not pending:
            return
        counts = self.counts[name]
        codes = [r["MaPAKN"] for _, r in pending]
        current = {c.code: c for c in Complaint.objects.filter(code__in=codes)}
        before = {r["MaPAKN"]: record_to_json_dict(name, r) for r in exporter.complaint_records(list(current.values()))}
        dossier_ids = dict(
            Dossier.objects.filter(code__in={r["MaHoSo"] for _, r in pending if r["MaHoSo"]}).values_list("code", "pk")
        )
        created: list[Complaint] = []
        logs: list[ComplaintStatusLog] = []
        for _line, record in pending:
            code = record["MaPAKN"]
            # Likes and dislikes may be omitted (a complaint nobody rated): none is 0, as the
            # columns and the exporter have it, so a re-import of the export is unchanged.
            for count in ("SoThich", "SoKhongThich"):
                record[count] = record[count] or 0
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
            complaint = _stage_complaint(code, _complaint_values(record, units, dossier_ids), current, created)
            logs.extend(_status_log_entries(complaint, record["LichSu"]))
        self._write_new_complaints(created, logs)
        # The desk's queue orders open complaints by their running deadline (feedback.services).
        if self.writing:
            refresh_due_instants(Complaint.objects.filter(code__in=codes))

    def _write_new_complaints(self, created: list[Complaint], logs: list[ComplaintStatusLog]) -> None:
        """Write the new complaints in bulk (audited here), then every status log row staged."""
        if created:
            self.writer.write_instances(Complaint, created)
            self._audit(Complaint, [(c.pk, c.code, LogEntry.Action.CREATE, None, None) for c in created])
        for entry in logs:
            entry.complaint_id = entry.complaint.pk
        self.writer.write_instances(ComplaintStatusLog, logs)

    # -- dossiers (the hot path: batched, COPY on PostgreSQL, worker processes for big files)

    def _dossier_context(self, source_name: str) -> dict:
        from django.contrib.contenttypes.models import ContentType

        if self.writing:  # every procedure needs a version for its dossiers to point to
            for procedure in Procedure.objects.filter(current_version__isnull=True):
                current_version(procedure)
        return {
            "vendor": connection.vendor,
            "source_name": source_name,
            "rows": {
                "units": self._unit_ids(),
                "procedures": self._procedure_ids(),
                "services": self.services if hasattr(self, "services") else self._known(OnlineService, []),
                "versions": dict(Procedure.objects.values_list("pk", "current_version_id")),
                "source": self.source,
                "content_type_id": ContentType.objects.get_for_model(Dossier).pk,
                "actor_id": self.user.pk if getattr(self.user, "is_authenticated", False) else None,
                "now": timezone.now(),
            },
        }

    def _import_dossiers(self, exchange_set, name):
        source = exchange_set.source_name(name)
        self.dossier_context = self._dossier_context(source)
        checker = DossierRows(**self.dossier_context["rows"])
        self.corrections = checker.corrections  # filled as the lines are prepared
        table_was_empty = not Dossier.objects.exists()
        workers = self._workers(exchange_set, name)
        if table_was_empty and workers > 1:
            return self._import_dossiers_in_workers(exchange_set, name, workers)
        batch: list[tuple[int, dict, frozenset]] = []
        for line, record, fields in self._valid_records_with_fields(exchange_set, name):
            if (error := checker.prepare(record, source, line)) is not None:
                self._fail(name, [error])
                continue
            batch.append((line, record, fields))
            if len(batch) >= BATCH:
                self._write_dossier_batch(name, batch, table_was_empty)
                batch = []
        self._write_dossier_batch(name, batch, table_was_empty)

    def _workers(self, exchange_set, name) -> int:
        """Worker processes for the dossier file: only for big JSON Lines files (start-up costs ~1 s)."""
        main_file = getattr(sys.modules["__main__"], "__file__", None)
        if main_file is not None and not os.path.exists(main_file):
            return 1  # e.g. a script read from stdin: spawned workers could not re-import it
        if self.workers is not None:
            return self.workers if exchange_set.format_of(name) == "jsonl" else 1
        if exchange_set.format_of(name) != "jsonl" or exchange_set.kind != "folder":
            return 1
        size = (self.path / exchange_set.source_name(name)).stat().st_size
        return min(2, os.cpu_count() or 1) if size >= PARALLEL_MIN_BYTES else 1

    def _write_dossier_batch(self, name, batch, table_was_empty: bool):
        """``batch``: (line, record, fields the line carries). New dossiers in bulk, changed ones one by one."""
        if not batch:
            return
        counts = self.counts[name]
        existing: dict[str, Dossier] = {}
        if not table_was_empty:
            existing = {d.code: d for d in Dossier.objects.filter(code__in=[r["MaHoSo"] for _, r, _ in batch])}
        stored = {r["MaHoSo"]: r for r in exporter.dossier_records(list(existing.values()))} if existing else {}
        new, changed = [], []
        for line, record, fields in batch:
            code = record["MaHoSo"]
            if code not in existing:
                counts.created += 1
                new.append((line, record))
            elif (update := self._dossier_update(name, line, record, fields, existing[code], stored[code])) is not None:
                counts.updated += 1
                changed.append(update)
        if self.writing:
            self._write_dossiers(new, changed)

    def _dossier_update(self, name, line, record, fields, dossier: Dossier, stored: dict) -> DossierUpdate | None:
        """The update a line carries for an existing dossier; None when it is unchanged or refused."""
        code = record["MaHoSo"]
        changes = carried_changes(record_to_json_dict(name, stored), record_to_json_dict(name, record), fields)
        if not changes:
            self.counts[name].unchanged += 1
            return None
        if conflicts := self._identity_conflicts(name, line, code, changes):
            self._fail(name, conflicts)
            return None
        update = DossierUpdate(
            self.dossier_context["rows"], self.dossier_context["source_name"], line, dossier, stored, record, changes
        )
        if update.errors:
            self._fail(name, update.errors)
            return None
        return update

    def _write_dossiers(self, new: list[tuple[int, dict]], changed: list[DossierUpdate]) -> None:
        """New dossiers in bulk (ids reserved), changed ones one by one with their audit entry."""
        if new:
            rows = DossierRows(**self.dossier_context["rows"])
            for pk, (line, record) in zip(self.writer.reserve_ids(Dossier, len(new)), new, strict=True):
                rows.add(pk, line, record)
            self._write_rows(rows)
        for update in changed:
            update.apply(write_rows_with(self.writer))
            self._audit(
                Dossier, [(update.dossier.pk, update.dossier.code, LogEntry.Action.UPDATE, update.changes, update.note)]
            )

    def _identity_conflicts(self, name, line, code, changes: dict) -> list[FieldError]:
        """A line may move an existing dossier to another procedure or unit only if it says it is a correction."""
        if code in self.corrections:
            return []
        source, by_name = self.dossier_context["source_name"], FILES[name].by_name
        return [
            FieldError(
                name,
                line,
                field_name,
                "identity",
                f"hồ sơ «{code}» đã có trong cơ sở dữ liệu với {by_name[field_name].label} «{old}», dòng này ghi "
                f"«{new}»; nếu đây là đính chính, thêm trường {CORRECTION_FIELD}: true vào dòng",
                f"dossier {code!r} exists with {field_name} {old!r}, the line says {new!r}; "
                f"add {CORRECTION_FIELD}: true to the line if it is a correction",
                value=new,
                source=source,
            )
            for field_name in IDENTITY_FIELDS
            if field_name in changes
            for old, new in [changes[field_name]]
        ]

    def _write_rows(self, rows: DossierRows) -> None:
        for table, (label, columns) in TABLES.items():
            self.writer.write(apps.get_model(label), columns, rows.tables[table])

    def _import_dossiers_in_workers(self, exchange_set, name, workers: int):
        from . import parallel

        context = dict(self.dossier_context)
        models = {table: (apps.get_model(label), columns) for table, (label, columns) in TABLES.items()}
        if connection.vendor == "postgresql":
            context["pg_types"] = {t: self.writer.pg_types(m, c) for t, (m, c) in models.items()}
        else:
            context["sqlite_kinds"] = {t: self.writer.sqlite_kinds(m, c) for t, (m, c) in models.items()}
        counts, seen = self.counts[name], dict[str, int]()
        source = exchange_set.source_name(name)

        def tasks():
            # Lines that could not be read (UTF-16, too long) arrive as ParseErrors the workers pass on.
            for lines in parallel.batches(exchange_set.iter_jsonl_lines(name), BATCH):
                yield lines, self.writer.reserve_ids(Dossier, len(lines))

        def handle(task, result):
            failed_lines = {e.line for e in result.errors}
            duplicates = _duplicate_codes(name, source, seen, result.keys)
            if result.errors or duplicates:
                self.errors.extend(result.errors + duplicates)
                counts.skipped += len(failed_lines | {e.line for e in duplicates})
            payload = result.payload
            if duplicates and self.skip_invalid:
                # Rebuild this batch without the duplicate lines (rare: in-process is fine).
                skip = frozenset(e.line for e in duplicates)
                payload = parallel.process(task, parallel.prepare(context), skip_lines=skip).payload
            counts.created += len(result.keys) - len(duplicates)
            if self.writing:
                for table, (model, columns) in models.items():
                    self.writer.write_encoded(model, columns, payload.get(table))

        # A first bulk load: the dossier tables are empty, so their foreign keys are checked once,
        # set-based, at the end (see foreign_keys_checked_at_end); the audit log keeps its own.
        dossier_tables = [model for table, (model, _columns) in models.items() if table != "audit"]
        with foreign_keys_checked_at_end(dossier_tables if self.writing else []):
            parallel.run(tasks(), context, workers, handle)

    def _audit(self, model, entries):
        """``entries``: (pk, repr, action, changes, additional_data)."""
        self.writer.write(
            LogEntry, LOG_ENTRY_COLUMNS, log_entry_rows(model, entries, actor=self.user, source=self.source)
        )


def _complaint_values(record: dict, units: dict, dossier_ids: dict) -> dict[str, Any]:
    """A complaint's model fields from its exchange record (status: the last of its log)."""
    log = record["LichSu"]
    return {
        "unit_id": units[record["MaDonVi"]],
        "dossier_id": dossier_ids.get(record["MaHoSo"]),
        "dossier_code": record["MaHoSo"] or "",
        "category": record["PhanLoai"] or "",
        "submitted_at": record["NgayGui"],
        "status": log[-1]["TrangThai"] if log else "cho_tiep_nhan",
        "likes": record["SoThich"],
        "dislikes": record["SoKhongThich"],
        "extra": record["extra"],
        "sender_name": str(record["extra"].get("NguoiGui") or "")[:255],
        "sender_key": fold_key(str(record["extra"].get("NguoiGui") or ""))[:255],
    }


def _stage_complaint(code: str, values: dict[str, Any], current: dict[str, Complaint], created: list) -> Complaint:
    """Save a changed complaint now (its status log cleared) or queue a new one in ``created``."""
    if code in current:  # changed: through the ORM, audited with its diff by the model signals
        complaint = current[code]
        for attribute, value in values.items():
            setattr(complaint, attribute, value)
        complaint.save()
        complaint.status_log.all().delete()
    else:
        complaint = Complaint(code=code, **values)
        created.append(complaint)
    return complaint


def _status_log_entries(complaint: Complaint, log: list[dict]) -> list[ComplaintStatusLog]:
    """The status log rows of a complaint from its record's LichSu (extra keys kept in ``extra``)."""
    return [
        ComplaintStatusLog(
            complaint=complaint,
            status=step["TrangThai"],
            occurred_at=step["ThoiDiem"],
            extra={k: v for k, v in step.items() if k not in ("TrangThai", "ThoiDiem")},
        )
        for step in log
    ]


def _duplicate_codes(name: str, source: str, seen: dict[str, int], keys) -> list[FieldError]:
    """Errors for the (code, line) of ``keys`` whose code came on an earlier line; ``seen`` learns the rest."""
    duplicates = []
    for code, line in keys:
        first = seen.setdefault(code, line)
        if first != line:
            duplicates.append(
                FieldError(
                    name,
                    line,
                    "MaHoSo",
                    "duplicate",
                    f"mã hồ sơ «{code}» trùng với dòng {first}.",
                    f"duplicate MaHoSo {code!r} (first on line {first})",
                    value=code,
                    source=source,
                )
            )
    return duplicates


def import_exchange_set(
    path, *, dry_run=False, skip_invalid=False, user=None, workers: int | None = None
) -> ImportReport:
    """Validate and import the exchange set at ``path`` (folder, .zip or .xlsx).

    ``workers``: processes for the dossier file (default: 2 for big JSON Lines files, else 1).
    """
    report = Importer(path, dry_run=dry_run, skip_invalid=skip_invalid, user=user, workers=workers).run()
    if not dry_run:
        from motcua.dossiers.search import fill_keys

        fill_keys()  # the bulk writer bypasses Dossier.save(): fold the new applicants' names for searching
    return report
