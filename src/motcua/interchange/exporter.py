"""Database → exchange records (specs/interchange.md §1).

Each ``export_<file>`` yields normalized records (the contract of
:mod:`motcua.interchange.schema`) streaming in a stable order (reference data
by key, dossiers and complaints in the order they were stored), so an export of a
province with millions of dossiers runs in bounded memory. The importer uses
the same functions to compare what it reads with what the database holds,
which is what makes re-imports idempotent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from django.db.models import Prefetch
from django.utils import timezone

from motcua.catalog.models import OnlineService, Procedure, PublicationDecision, PublicationItem
from motcua.dossiers.models import (
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierResult,
    FeeLine,
    SupplementRequest,
)
from motcua.feedback.models import Complaint, ComplaintStatusLog, Rating
from motcua.org.models import Unit

from .models import ReferenceCount
from .rows import APPLICANT_FIELDS
from .schema import IMPORT_ORDER, VN_TZ

CHUNK = 2000

LEVELS = ("BO", "TINH", "HUYEN", "XA")


def local(value: datetime | None) -> datetime | None:
    return None if value is None else timezone.localtime(value, VN_TZ)


def number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _chunks(queryset, size=CHUNK) -> Iterator[list]:
    """Keyset pagination by primary key: constant memory, no OFFSET scans."""
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        if not rows:
            return
        yield rows
        last = rows[-1].pk


# --- reference data ------------------------------------------------------------------------------


def unit_record(unit: Unit, parent_code: str | None) -> dict:
    return {
        "MaDonVi": unit.code,
        "TenDonVi": unit.name,
        "MaDonViCha": parent_code,
        "LoaiDonVi": unit.kind,
        "CungCapChungThucDienTu": unit.offers_e_certified_copy,
        "HieuLucTu": unit.valid_from,
        "HieuLucDen": unit.valid_to,
        "extra": dict(unit.extra),
    }


def export_units(queryset=None) -> Iterator[dict]:
    codes = dict(Unit.objects.values_list("pk", "code"))
    for unit in (queryset if queryset is not None else Unit.objects.all()).order_by("code").iterator(CHUNK):
        yield unit_record(unit, codes.get(unit.parent_id))


def procedure_record(procedure: Procedure, competent_codes: list[str]) -> dict:
    return {
        "MaTTHC": procedure.code,
        "TenTTHC": procedure.name or None,
        "MaLinhVuc": procedure.field_code or None,
        "TenLinhVuc": procedure.field_name or None,
        "CapThucHien": procedure.levels,
        "DonViThucHien": sorted(competent_codes),
        "ThoiGianGiaiQuyet": number(procedure.time_limit),
        "DonViTinh": procedure.time_unit or None,
        "CoPhiLePhi": procedure.has_fee,
        "KetQuaGiay": procedure.paper_result,
        "DoiTuongThucHien": list(procedure.subjects),
        "DuDieuKienToanTrinh": procedure.eligible_full_online,
        "DayDuBayBoPhan": procedure.all_seven_parts,
        "TrangThaiCongKhai": procedure.publication_status,
        "GioChotTiepNhan": procedure.cutoff_time.strftime("%H:%M") if procedure.cutoff_time else None,
        "extra": dict(procedure.extra),
    }


def export_procedures(queryset=None) -> Iterator[dict]:
    through = Procedure.competent_units.through
    competent = defaultdict(list)
    for procedure_id, code in through.objects.values_list("procedure_id", "unit__code"):
        competent[procedure_id].append(code)
    for procedure in (queryset if queryset is not None else Procedure.objects.all()).order_by("code").iterator(CHUNK):
        yield procedure_record(procedure, competent.get(procedure.pk, []))


def export_online_services(queryset=None) -> Iterator[dict]:
    qs = (queryset if queryset is not None else OnlineService.objects.all()).select_related("procedure", "unit")
    for service in qs.order_by("code").iterator(CHUNK):
        yield {
            "MaDVC": service.code,
            "MaTTHC": service.procedure.code,
            "MaDonVi": service.unit.code,
            "MucDo": service.level,
            "TrangThai": service.status,
            "HieuLucTu": service.valid_from,
            "HieuLucDen": service.valid_to,
            "extra": dict(service.extra),
        }


def export_publications(queryset=None) -> Iterator[dict]:
    items = Prefetch("items", queryset=PublicationItem.objects.select_related("procedure").order_by("position", "pk"))
    qs = (
        (queryset if queryset is not None else PublicationDecision.objects.all())
        .select_related("unit")
        .prefetch_related(items)
    )
    for decision in qs.order_by("unit__code", "number").iterator(CHUNK):
        yield {
            "SoQuyetDinh": decision.number,
            "MaDonVi": decision.unit.code,
            "NgayQuyetDinh": decision.decided_on,
            "Loai": decision.kind,
            "DanhSachTTHC": [
                {
                    "MaTTHC": item.procedure.code,
                    "NgayHieuLucCanCu": item.basis_effective_on,
                    "NgayCongKhai": local(item.published_at),
                    **item.extra,
                }
                for item in decision.items.all()
            ],
            "extra": dict(decision.extra),
        }


def export_reference_counts(queryset=None) -> Iterator[dict]:
    qs = (queryset if queryset is not None else ReferenceCount.objects.all()).select_related("unit")
    for row in qs.order_by("unit__code", "period").iterator(CHUNK):
        yield {
            "MaDonVi": row.unit.code,
            "Ky": row.period,
            "SoHoSoBCQG": row.national_reporting_count,
            "SoHoSoDVCQG": row.national_portal_count,
            "extra": {},
        }


# --- dossiers -----------------------------------------------------------------------------------------


def _group(rows: Iterable[dict], key="dossier_id") -> dict[int, list[dict]]:
    grouped = defaultdict(list)
    for row in rows:
        grouped[row[key]].append(row)
    return grouped


def dossier_records(dossiers: list[Dossier]) -> list[dict]:
    """Records for a chunk of dossiers, with their child rows fetched in a few queries."""
    ids = [d.pk for d in dossiers]
    units = dict(
        Unit.objects.filter(
            pk__in={d.handling_unit_id for d in dossiers} | {d.receiving_unit_id for d in dossiers}
        ).values_list("pk", "code")
    )
    procedures = dict(Procedure.objects.filter(pk__in={d.procedure_id for d in dossiers}).values_list("pk", "code"))
    services = dict(
        OnlineService.objects.filter(pk__in={d.online_service_id for d in dossiers if d.online_service_id}).values_list(
            "pk", "code"
        )
    )
    events = _group(
        DossierEvent.objects.filter(dossier_id__in=ids, kind=DossierEvent.Kind.STATUS)
        .order_by("dossier_id", "occurred_at", "pk")
        .values("dossier_id", "to_status", "occurred_at", "data")
    )
    # DanhSachHoSoBoSung holds the handling agency's requests; guidance at the counter before acceptance is not one
    # (R1.5, R1.21): exported, it would make the 766 index count the dossier's first real request as a second.
    supplements = _group(
        SupplementRequest.objects.filter(dossier_id__in=ids)
        .exclude(stage=SupplementRequest.Stage.RECEPTION)
        .order_by("dossier_id", "requested_at", "pk")
        .values("dossier_id", "requested_at", "completed_at", "extra")
    )
    fees = _group(
        FeeLine.objects.filter(dossier_id__in=ids)
        .order_by("dossier_id", "pk")
        .values("dossier_id", "code", "name", "amount", "extra")
    )
    components = _group(
        DossierComponent.objects.filter(dossier_id__in=ids)
        .order_by("dossier_id", "pk")
        .values("dossier_id", "component_code", "has_file", "digitized", "reused", "from_citizen_store", "extra")
    )
    results = _group(
        DossierResult.objects.filter(dossier_id__in=ids)
        .order_by("dossier_id", "pk")
        .values("dossier_id", "code", "file_url", "issued_at", "pushed_to_citizen_store")
    )
    ratings = _group(
        Rating.objects.filter(dossier_id__in=ids)
        .order_by("dossier_id", "rated_at", "pk")
        .values("dossier_id", "dissatisfied", "rated_at")
    )

    records = []
    for d in dossiers:
        result = results.get(d.pk, [None])[0]
        rating = ratings.get(d.pk, [None])[-1]
        extra = dict(d.extra)
        for national, column in APPLICANT_FIELDS.items():
            if getattr(d, column):
                extra[national] = getattr(d, column)
        records.append(
            {
                "MaHoSo": d.code,
                "MaTTHC": procedures[d.procedure_id],
                "MaDVC": services.get(d.online_service_id),
                "MaDonVi": units[d.handling_unit_id],
                "MaDonViTiepNhan": units.get(d.receiving_unit_id),
                "KenhThucHien": d.channel,
                "NgayNopHoSo": local(d.submitted_at),
                "NgayTiepNhan": local(d.received_at),
                "NgayHenTra": local(d.due_at),
                "NgayHenTraMoi": local(d.extended_due_at),
                "NguonHoSo": d.origin,
                "TrangThaiHoSo": d.status,
                "LichSuTrangThai": [
                    {"TrangThai": e["to_status"], "ThoiDiem": local(e["occurred_at"]), **e["data"].get("extra", {})}
                    for e in events.get(d.pk, [])
                ],
                "NgayKetThucXuLy": local(d.ended_at),
                "DanhSachHoSoBoSung": [
                    {"NgayYeuCau": local(s["requested_at"]), "NgayBoSung": local(s["completed_at"]), **s["extra"]}
                    for s in supplements.get(d.pk, [])
                ],
                "DanhSachLePhi": [
                    {
                        "MaPhiLePhi": f["code"] or None,
                        "TenPhiLePhi": f["name"] or None,
                        "Gia": f["amount"],
                        **f["extra"],
                    }
                    for f in fees.get(d.pk, [])
                ],
                "DuocThanhToanTrucTuyen": d.online_payment,
                "NgayThanhToan": local(d.paid_at),
                "TaiLieuNop": [
                    {
                        "MaThanhPhanHoSo": c["component_code"] or None,
                        "CoTepDinhKem": c["has_file"],
                        "DuocSoHoa": c["digitized"],
                        "DuocTaiSuDung": c["reused"],
                        "DuocLayTuKhoDMQG": c["from_citizen_store"],
                        **c["extra"],
                    }
                    for c in components.get(d.pk, [])
                ],
                "HoSoCoThanhPhanSoHoa": d.has_digitized_component,
                "MaKetQua": (result["code"] or None) if result else None,
                "DuongDanTepTinKetQua": (result["file_url"] or None) if result else None,
                "NgayCoKetQua": local(result["issued_at"]) if result else None,
                "KetQuaDayVaoKho": result["pushed_to_citizen_store"] if result else False,
                "TaiKhoanDuocXacThucVoiVNeID": d.vneid_authenticated,
                "MaCSDL": d.population_db_ref or None,
                "NgayDongBo": local(d.synced_at),
                "KhongHaiLong": rating["dissatisfied"] if rating else False,
                "NgayDanhGia": local(rating["rated_at"]) if rating else None,
                "extra": extra,
            }
        )
    return records


def export_dossiers(queryset=None) -> Iterator[dict]:
    for chunk in _chunks(queryset if queryset is not None else Dossier.objects.all()):
        yield from dossier_records(chunk)


def complaint_records(complaints: list[Complaint]) -> list[dict]:
    ids = [c.pk for c in complaints]
    logs = _group(
        ComplaintStatusLog.objects.filter(complaint_id__in=ids)
        .order_by("complaint_id", "occurred_at", "pk")
        .values("complaint_id", "status", "occurred_at", "extra"),
        key="complaint_id",
    )
    units = dict(Unit.objects.filter(pk__in={c.unit_id for c in complaints}).values_list("pk", "code"))
    earlier = dict(
        Complaint.objects.filter(pk__in={c.repeats_id for c in complaints if c.repeats_id}).values_list("pk", "code")
    )
    return [
        {
            "MaPAKN": c.code,
            "MaDonVi": units[c.unit_id],
            "MaHoSo": c.dossier_code or None,
            "PhanLoai": c.category or None,
            "NgayGui": local(c.submitted_at),
            "LichSu": [
                {"TrangThai": row["status"], "ThoiDiem": local(row["occurred_at"]), **row["extra"]}
                for row in logs.get(c.pk, [])
            ],
            "SoThich": c.likes,
            "SoKhongThich": c.dislikes,
            "MaPAKNTruoc": earlier.get(c.repeats_id),
            "extra": dict(c.extra),
        }
        for c in complaints
    ]


def export_complaints(queryset=None) -> Iterator[dict]:
    for chunk in _chunks(queryset if queryset is not None else Complaint.objects.all()):
        yield from complaint_records(chunk)


EXPORTERS = {
    "units": export_units,
    "procedures": export_procedures,
    "online_services": export_online_services,
    "publications": export_publications,
    "dossiers": export_dossiers,
    "complaints": export_complaints,
    "reference_counts": export_reference_counts,
}
assert tuple(EXPORTERS) == IMPORT_ORDER


def export_exchange_set(
    path: str | Path, *, format: str = "jsonl", files: Iterable[str] = IMPORT_ORDER
) -> dict[str, int]:
    """Write the database as an exchange set; returns the number of records per file."""
    from .writers import write_exchange_set

    counts: dict[str, int] = {}

    def counted(name):
        counts[name] = 0
        for record in EXPORTERS[name]():
            counts[name] += 1
            yield record

    write_exchange_set(path, {name: counted(name) for name in files}, format=format)
    return counts
