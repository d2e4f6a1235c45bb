"""What motcua sends to the portal: dossier objects and progress items (portal-sync.md §1.3).

Every scalar is a string (codes, dates, enumerations, amounts, flags), dates are
``yyyyMMddHHmmss`` in Asia/Ho_Chi_Minh and an absent value is ``""``: the adapter validates
strictly, and a string never loses leading zeros or precision on the way.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import datetime
from typing import Protocol

from django.db.models import Min
from django.utils import timezone

from motcua.dossiers.models import (
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierResult,
    FeeLine,
    Status,
    SupplementRequest,
)

DATE_FORMAT = "%Y%m%d%H%M%S"
#: Ending statuses in the order that decides the end of processing (interchange.md §4).
_END_ORDER = (Status.DONE, Status.RETURNED, Status.STOPPED, Status.WITHDRAWAL_REQUESTED)
PORTAL_ACTOR = "Cổng Dịch vụ công quốc gia"


def portal_date(value: datetime | None) -> str:
    # The default time zone (Asia/Ho_Chi_Minh) whatever zone is active: the portal's, and no per-call lookup.
    return timezone.localtime(value, timezone.get_default_timezone()).strftime(DATE_FORMAT) if value else ""


def parse_portal_date(text: str) -> datetime | None:
    """``yyyyMMddHHmmss`` (Asia/Ho_Chi_Minh) → an aware instant; ``""`` → None; ValueError otherwise."""
    if text == "":
        return None
    if len(text) != 14 or not (text.isascii() and text.isdigit()):
        raise ValueError(f"not yyyyMMddHHmmss: {text!r}")
    return timezone.make_aware(datetime.strptime(text, DATE_FORMAT))


def _flag(value: bool) -> str:
    return "1" if value else "0"


def applicant_kind(dossier: Dossier) -> str:
    """LoaiDoiTuong: 2 for an organisation (a 10- or 13-digit tax code), else 1 (a person)."""
    declared = str(dossier.extra.get("LoaiDoiTuong", ""))
    if declared in ("1", "2"):
        return declared
    number = dossier.applicant_id_number.replace("-", "")
    return "2" if number.isdigit() and len(number) in (10, 13) else "1"


def _grouped(rows, key="dossier_id") -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for row in rows:
        grouped[row[key]].append(row)
    return grouped


def dossier_objects(dossier_ids) -> dict[int, dict]:
    """The portal object of each dossier, read in a fixed number of queries whatever their count."""
    ids = list(dossier_ids)
    dossiers = Dossier.objects.filter(pk__in=ids).select_related("procedure", "handling_unit")
    components = _grouped(
        DossierComponent.objects.filter(dossier_id__in=ids)
        .order_by("dossier_id", "pk")
        .values("dossier_id", "component_code", "name", "file", "extra", "digitized", "from_citizen_store")
    )
    fees = _grouped(
        FeeLine.objects.filter(dossier_id__in=ids)
        .order_by("dossier_id", "pk")
        .values("dossier_id", "code", "name", "amount")
    )
    supplements = _grouped(
        SupplementRequest.objects.filter(dossier_id__in=ids)  # the agency's, not counter guidance
        .exclude(stage=SupplementRequest.Stage.RECEPTION)
        .order_by("dossier_id", "requested_at", "pk")
        .values("dossier_id", "requested_at", "completed_at", "items", "reason")
    )
    results = _grouped(
        DossierResult.objects.filter(dossier_id__in=ids)
        .order_by("dossier_id", "pk")
        .values("dossier_id", "pk", "code", "title", "file_url", "delivered_at", "delivery_method")
    )
    ends: dict[int, dict[int | None, datetime]] = defaultdict(dict)  # statuses: the filter leaves no None
    for row in (
        DossierEvent.objects.filter(dossier_id__in=ids, to_status__in=_END_ORDER)
        .values("dossier_id", "to_status")
        .annotate(first=Min("occurred_at"))
    ):
        ends[row["dossier_id"]][row["to_status"]] = row["first"]

    objects = {}
    for d in dossiers:
        end = next(
            (
                ends[d.pk][s]
                for s in _END_ORDER
                if s in ends[d.pk] and (s != Status.WITHDRAWAL_REQUESTED or d.received_at)
            ),
            d.ended_at,
        )
        its_results = results.get(d.pk, [])
        returned = ends[d.pk].get(Status.RETURNED)
        by_post = any("bưu" in (r["delivery_method"] or "").lower() for r in its_results)
        result_code = next((r["code"] for r in its_results if r["code"]), "")
        objects[d.pk] = {
            "MaHoSo": d.code,
            "MaTTHC": d.procedure.code,
            "TenTTHC": d.procedure.name,
            "MaLinhVuc": d.procedure.field_code,
            "TenLinhVuc": d.procedure.field_name,
            "KenhThucHien": str(d.channel),
            "ChuHoSo": d.applicant_name,
            "LoaiDoiTuong": applicant_kind(d),
            "MaDoiTuong": d.applicant_id_number,
            "SoDienThoai": d.applicant_phone,
            "Email": d.applicant_email,
            "TrichYeuHoSo": d.summary,
            "NgayTiepNhan": portal_date(d.received_at),
            "NgayHenTra": portal_date(d.due_at),
            "TrangThaiHoSo": str(d.status),
            "NgayTra": portal_date(returned),
            "HinhThuc": "1" if by_post else "0",
            "NgayKetThucXuLy": portal_date(end),
            "DonViXuLy": d.handling_unit.code,
            "TaiLieuNop": [
                {
                    "MaThanhPhanHoSo": c["component_code"],
                    "TenTepDinhKem": c["name"] or c["file"].rsplit("/", 1)[-1],
                    "DuocSoHoa": _flag(c["digitized"]),
                    "DuocLayTuKhoDMQG": _flag(c["from_citizen_store"]),
                }
                for c in components.get(d.pk, [])
            ],
            "DanhSachLePhi": [
                {"MaPhiLePhi": f["code"], "TenPhiLePhi": f["name"], "Gia": str(f["amount"] or 0)}
                for f in fees.get(d.pk, [])
            ],
            "DanhSachHoSoBoSung": [
                {
                    "NgayBoSung": portal_date(s["requested_at"]),
                    "NgayTiepNhanBoSung": portal_date(s["completed_at"]),
                    "NoiDungBoSung": "; ".join(map(str, s["items"] or [])) or s["reason"],
                }
                for s in supplements.get(d.pk, [])
            ],
            "DanhSachGiayToKetQua": [
                {"TenGiayTo": r["title"], "GiayToId": r["code"] or str(r["pk"]), "DuongDanTepTinKetQua": r["file_url"]}
                for r in its_results
            ],
            "DuocThanhToanTrucTuyen": str(d.online_payment),
            "HoSoCoThanhPhanSoHoa": _flag(d.has_digitized_component),
            "TaiKhoanDuocXacThucVoiVNeID": _flag(d.vneid_authenticated),
            "MaCSDL": d.population_db_ref,
            "MaKetQua": result_code,
        }
    return objects


def object_hash(obj: dict) -> str:
    """A stable fingerprint of an object: the same state is not sent twice."""
    return hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class ProgressEvent(Protocol):
    """What :func:`progress_item` reads of a status-history entry: a DossierEvent, or a row of its values."""

    @property
    def to_status(self) -> int | None: ...
    @property
    def occurred_at(self) -> datetime: ...
    @property
    def actor_label(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def step_due_at(self) -> datetime | None: ...


def progress_item(
    event: ProgressEvent, dossier: Dossier, *, actor_name: str = "", actor_title: str = "", unit_name: str = ""
) -> dict:
    """The progress item of one status-history entry (``TrangThai`` = the status it moved to)."""
    return {
        "MaHoSo": dossier.code,
        "NguoiXuLy": actor_name or (PORTAL_ACTOR if event.actor_label == "portal" else ""),
        "ChucDanh": actor_title,
        "ThoiDiemXuLy": portal_date(event.occurred_at),
        "PhongBanXuLy": unit_name,
        "NoiDungXuLy": (event.reason or event.action)[:1000],
        "TrangThai": str(event.to_status),
        "NgayBatDau": portal_date(event.occurred_at),
        "NgayKetThucTheoQuyDinh": portal_date(event.step_due_at or dossier.due_at),
    }


def progress_key(item: dict) -> tuple[str, str, str]:
    """What identifies a progress item on the portal (portal-sync.md §1.3)."""
    return item["MaHoSo"], item["TrangThai"], item["ThoiDiemXuLy"]
