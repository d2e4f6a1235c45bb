"""What the portal sends us (portal-sync.md §2): online dossiers, payments, ratings, complaints.

The endpoints (views.py) check the signature and the shape; these functions apply the content
through the services of the owning apps, one transaction each, under the audit source
``portal``. Every call is idempotent on its key: a replay returns what the first call stored.
A :class:`~motcua.core.errors.UserError` means nothing was stored.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.catalog.models import OnlineService, Procedure
from motcua.core.audit import audit_context
from motcua.core.errors import UserError
from motcua.dossiers import services
from motcua.dossiers.models import Channel, Dossier, DossierComponent, FeeLine, Payment, Status
from motcua.feedback import services as feedback
from motcua.org.models import Unit

SOURCE = "portal"


def _unit(code: str, field: str) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise UserError(f"{field}: không có đơn vị {code!r} trong hệ thống.", f"{field}: unknown unit {code!r}")
    return unit


def _dossier(code: str) -> Dossier:
    dossier = Dossier.objects.filter(code=code).first()
    if dossier is None:
        raise UserError(f"MaHoSo: không có hồ sơ {code!r} trong hệ thống.", f"MaHoSo: unknown dossier {code!r}")
    return dossier


def _components(dossier: Dossier, documents: list[dict]) -> None:
    """TaiLieuNop: one row per component; a component handed in again replaces the earlier one."""
    for document in documents:
        code = document["MaThanhPhanHoSo"]
        values = {
            "name": document["TenTepDinhKem"] or code,
            "has_file": bool(document["DuongDanTaiTepTin"]),
            # Files stay on the portal: they count as digitized only once fetched and checked here.
            "digitized": False,
            "from_citizen_store": document["DuocLayTuKhoDMQG"] == "1",
            "extra": {"DuongDanTaiTepTin": document["DuongDanTaiTepTin"]},
        }
        existing = dossier.components.filter(component_code=code).first() if code else None
        if existing is None:
            DossierComponent.objects.create(dossier=dossier, component_code=code, **values)
        else:
            for name, value in values.items():
                setattr(existing, name, value)
            existing.save()


@transaction.atomic
def receive_online_dossier(data: dict) -> tuple[Dossier, str]:
    """An online dossier (status 1) for the desk's queue; or the supplement an applicant handed in online.

    Returns the dossier and what happened: ``created``, ``supplemented`` or ``replayed``.
    """
    dossier = Dossier.objects.select_for_update().filter(code=data["MaHoSo"]).first()
    if dossier is not None:
        if dossier.status != Status.SUPPLEMENT_REQUESTED:
            return dossier, "replayed"
        with audit_context(None, SOURCE):
            _components(dossier, data["TaiLieuNop"])
        services.complete_supplement(dossier, source=SOURCE)
        dossier.refresh_from_db()
        return dossier, "supplemented"
    procedure = Procedure.objects.filter(code=data["MaTTHC"]).first()
    if procedure is None:
        raise UserError(
            f"MaTTHC: không có thủ tục {data['MaTTHC']!r} trong danh mục.",
            f"MaTTHC: unknown procedure {data['MaTTHC']!r}",
        )
    unit = _unit(data["DonViXuLy"], "DonViXuLy")
    service = OnlineService.objects.filter(procedure=procedure, unit=unit).order_by("pk").first()
    dossier = services.register_online(
        procedure=procedure,
        handling_unit=unit,
        receiving_unit=unit,
        code=data["MaHoSo"],
        submitted_at=data.get("NgayNopHoSo") or timezone.now(),
        online_service=service,
        source=SOURCE,
        applicant={
            "applicant_name": data["ChuHoSo"],
            "applicant_id_number": data["MaDoiTuong"],
            "applicant_phone": data["SoDienThoai"],
            "applicant_email": data["Email"],
        },
        summary=data["TrichYeuHoSo"],
        vneid_authenticated=data["TaiKhoanDuocXacThucVoiVNeID"] == "1",
        population_db_ref=data["MaCSDL"],
        extra={"LoaiDoiTuong": data["LoaiDoiTuong"]},
    )
    with audit_context(None, SOURCE):
        _components(dossier, data["TaiLieuNop"])
        FeeLine.objects.bulk_create(
            [
                FeeLine(dossier=dossier, code=fee["MaPhiLePhi"], name=fee["TenPhiLePhi"], amount=int(fee["Gia"]))
                for fee in data["DanhSachLePhi"]
            ]
        )
    return dossier, "created"


def record_payment(data: dict) -> tuple[Payment, bool]:
    """A payment on the national platform (1) or a local gateway (2); ``(payment, created)``.

    An amount that differs from the fees due is kept and flagged (``Payment.amount_mismatch``).
    """
    existing = Payment.objects.filter(transaction_id=data["MaGiaoDich"]).first()
    if existing is not None:
        return existing, False
    dossier = _dossier(data["MaHoSo"])
    try:
        payment = services.record_payment(
            dossier,
            method=int(data["KenhThanhToan"]),
            amount=data["SoTien"],
            transaction_id=data["MaGiaoDich"],
            paid_at=min(data["ThoiDiem"], timezone.now()),
            source=SOURCE,
        )
    except IntegrityError:  # the same transaction delivered twice at once: the other call stored it
        return Payment.objects.get(transaction_id=data["MaGiaoDich"]), False
    return payment, True


def record_rating(data: dict):
    """The applicant's rating of the handling (766 indicator 5.4); a later one replaces an earlier one."""
    dossier = _dossier(data["MaHoSo"])
    return feedback.record_rating(
        dossier, satisfied=data["HaiLong"], reason=data["LyDo"], rated_at=data["ThoiDiem"], source=SOURCE
    )


def register_complaint(data: dict):
    """A complaint (phản ánh, kiến nghị) for its competent unit, awaiting intake; ``(complaint, created)``."""
    unit = _unit(data["MaDonVi"], "MaDonVi")
    dossier = Dossier.objects.filter(code=data["MaHoSo"]).first() if data["MaHoSo"] else None
    return feedback.register_complaint(
        code=data["MaPAKN"],
        unit=unit,
        category=data["PhanLoai"],
        title=data["TieuDe"],
        content=data["NoiDung"],
        submitted_at=data["NgayGui"],
        sender=data["NguoiGui"],
        dossier=dossier,
        dossier_code=data["MaHoSo"],
        source=SOURCE,
    )


__all__ = ["Channel", "receive_online_dossier", "record_payment", "record_rating", "register_complaint"]
