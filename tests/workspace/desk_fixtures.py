"""A small province for the one-stop desk's tests: a department with its desk, specialists and
leader, a procedure with declared components and a workflow, and officials of other units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from motcua.catalog.models import ComponentSpec, Procedure, ProcedureVersion, WorkflowStep
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.org import tree
from motcua.org.models import Role, Unit
from tests.factories import official, procedure, province_with_department, workflow


@dataclass
class DeskWorld:
    province: Unit
    department: Unit
    commune: Unit
    procedure: Procedure
    components: list[ComponentSpec]  # TP01, TP02 mandatory; TP03 optional
    steps: list[WorkflowStep]
    desk: object
    specialist: object
    leader: object
    control: object
    other_desk: object

    def applicant(self, **overrides) -> dict:
        data = {
            "procedure": self.procedure.pk,
            "channel": "1",
            "handling_unit": self.department.pk,
            "applicant_name": "Nguyễn Văn An",
            "applicant_id_number": "001203004567",
            "applicant_address": "12 Lê Lợi, phường Trung Tâm",
            "applicant_phone": "0912345678",
            "applicant_email": "an@example.vn",
            "summary": "Cấp phiếu lý lịch tư pháp số 1",
            "sets_count": "1",
            "result_delivery": "Trực tiếp tại Bộ phận Một cửa",
        }
        data.update(overrides)
        return data

    def ticks(self, *indexes) -> dict:
        return {f"c{self.components[i].pk}": "on" for i in indexes}

    def received(self, **applicant) -> Dossier:
        """A paper dossier received at the department's desk a little while ago (status 2)."""
        return services.receive(
            procedure=self.procedure,
            handling_unit=self.department,
            receiving_unit=self.department,
            channel=1,
            actor=self.desk,
            received_at=timezone.now() - timedelta(minutes=30),
            applicant={"applicant_name": "Trần Thị Bình", "applicant_id_number": "001203009999", **applicant},
        )

    def done(self) -> Dossier:
        """A dossier whose result is ready to be returned (status 9)."""
        dossier = self.received()
        services.start_processing(dossier, actor=self.desk, at=timezone.now() - timedelta(minutes=20))
        services.finish(dossier, title="Phiếu lý lịch tư pháp số 1", at=timezone.now() - timedelta(minutes=10))
        dossier.refresh_from_db()
        return dossier


@pytest.fixture
def desk_world(db, settings, tmp_path) -> DeskWorld:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()  # the procedure picker's cache is keyed by unit id, which a rolled-back test may reuse
    tree.clear()
    province, department, commune = province_with_department()
    proc = procedure(code="1.000001", days=5, name="Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam")
    procedure(code="1.000002", days=3, name="Chứng thực bản sao từ bản chính giấy tờ")
    birth = procedure(code="2.000009", days=2, name="Đăng ký khai sinh", level_commune=True)
    Procedure.objects.filter(pk=birth.pk).update(level_province=False)
    version = ProcedureVersion.objects.create(procedure=proc, number=1, values=proc.versioned_values())
    Procedure.objects.filter(pk=proc.pk).update(current_version=version)
    proc.current_version = version
    components = [
        ComponentSpec.objects.create(version=version, code="TP01", name="Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp"),
        ComponentSpec.objects.create(version=version, code="TP02", name="Bản chụp Căn cước công dân"),
        ComponentSpec.objects.create(
            version=version, code="TP03", name="Giấy tờ chứng minh nơi cư trú", required=False
        ),
    ]
    steps = workflow(proc, department)
    return DeskWorld(
        province=province,
        department=department,
        commune=commune,
        procedure=proc,
        components=components,
        steps=steps,
        desk=official("motcua_so", department, Role.DESK_OFFICER),
        specialist=official("chuyenvien", department, Role.SPECIALIST),
        leader=official("lanhdao", department, Role.LEADER),
        control=official("kiemsoat", province, Role.CONTROL_OFFICER),
        other_desk=official("motcua_xa", commune, Role.DESK_OFFICER),
    )
