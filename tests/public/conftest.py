"""A small province for the public pages: a department and a commune with their procedures (cases,
components, fees, an online service), officials, dossiers made with the lifecycle services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from motcua.catalog.models import (
    ComponentSpec,
    FeeSpec,
    OnlineService,
    Procedure,
    ProcedureCase,
    ProcedureVersion,
    PublicationStatus,
)
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.org import tree
from motcua.org.models import Role, Unit
from motcua.public import catalogue
from tests.factories import official, procedure, province_with_department

APPLICANT = {
    "applicant_name": "Nguyễn Thị Hồng Nhung",
    "applicant_id_number": "001185012345",
    "applicant_phone": "0912 345 678",
    "applicant_address": "12 Trần Hưng Đạo",
    "applicant_email": "nhung@example.vn",
}


@dataclass
class World:
    province: Unit
    department: Unit
    commune: Unit
    judicial: Procedure  # department (level_province), with cases, components, fees, an online service
    certify: Procedure  # department
    birth: Procedure  # commune only
    desk: object
    specialist: object
    leader: object
    commune_desk: object
    commune_leader: object

    def received(self, at=None, **applicant) -> Dossier:
        return services.receive(
            procedure=self.judicial,
            handling_unit=self.department,
            receiving_unit=self.department,
            channel=1,
            actor=self.desk,
            received_at=at or timezone.now() - timedelta(hours=3),
            applicant={**APPLICANT, **applicant},
            result_delivery="Trực tiếp tại Bộ phận Một cửa",
        )

    def done(self, **applicant) -> Dossier:
        """Status 9: the result waits at the desk."""
        now = timezone.now()
        dossier = self.received(at=now - timedelta(minutes=30), **applicant)
        services.start_processing(dossier, actor=self.desk, at=now - timedelta(minutes=20))
        services.finish(dossier, title="Phiếu lý lịch tư pháp", at=now - timedelta(minutes=10))
        dossier.refresh_from_db()
        return dossier

    def returned(self, **applicant) -> Dossier:
        """Status 10, handed over today at the department's desk."""
        dossier = self.done(**applicant)
        services.return_result(
            dossier, delivery_method="Trực tiếp", actor=self.desk, at=timezone.now() - timedelta(minutes=5)
        )
        dossier.refresh_from_db()
        return dossier


@pytest.fixture
def world(db, settings) -> World:
    settings.MOTCUA_PUBLIC_URL = "https://motcua.example.gov.vn"
    cache.clear()  # catalogue entries and rate-limit counters live in the cache
    catalogue.clear_local()
    tree.clear()
    province, department, commune = province_with_department()
    department.extra = {"DiaChi": "01 Hùng Vương", "DienThoai": "0235 3812 345"}
    department.save()
    judicial = procedure(
        code="1.000001",
        days=5,
        name="Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
        field_code="TP",
        field_name="Lý lịch tư pháp",
        has_fee=True,
    )
    certify = procedure(
        code="1.000002",
        days=3,
        name="Chứng thực bản sao từ bản chính giấy tờ",
        field_code="CT",
        field_name="Chứng thực",
    )
    birth = procedure(
        code="2.000009", days=2, name="Đăng ký khai sinh", field_code="HT", field_name="Hộ tịch", level_commune=True
    )
    Procedure.objects.filter(pk=birth.pk).update(level_province=False)
    procedure(code="9.999999", name="Thủ tục đã bãi bỏ về lý lịch", publication_status=PublicationStatus.ABOLISHED)
    version = ProcedureVersion.objects.create(
        procedure=judicial, number=1, values=judicial.versioned_values(), legal_basis="Luật Lý lịch tư pháp 2009"
    )
    Procedure.objects.filter(pk=judicial.pk).update(current_version=version)
    judicial.current_version = version
    urgent = ProcedureCase.objects.create(
        version=version, code="TH2", name="Cấp trong ngày", time_limit=Decimal(1), time_unit="ngay_lam_viec"
    )
    ComponentSpec.objects.create(version=version, code="TP01", name="Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp")
    ComponentSpec.objects.create(version=version, code="TP02", name="Bản chụp thẻ Căn cước", copies=2)
    ComponentSpec.objects.create(version=version, case=urgent, code="TP09", name="Giấy tờ chứng minh việc cấp gấp")
    FeeSpec.objects.create(version=version, code="LP", name="Phí cấp Phiếu lý lịch tư pháp", amount=200000)
    OnlineService.objects.create(
        code="DVC-1", procedure=judicial, unit=department, level="toan_trinh", status="dang_cong_khai"
    )
    return World(
        province=province,
        department=department,
        commune=commune,
        judicial=judicial,
        certify=certify,
        birth=birth,
        desk=official("motcua_so", department, Role.DESK_OFFICER),
        specialist=official("chuyenvien", department, Role.SPECIALIST),
        leader=official("lanhdao", department, Role.LEADER),
        commune_desk=official("motcua_xa", commune, Role.DESK_OFFICER),
        commune_leader=official("lanhdao_xa", commune, Role.LEADER),
    )


@pytest.fixture(autouse=True)
def _pinned_clock(pinned_now):
    """Every test here runs at tests.conftest.PINNED_NOW: "today", "three hours ago" are fixed days."""
    yield
