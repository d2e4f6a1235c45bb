"""Small builders for test data (real rows in the test database)."""

from datetime import datetime, time
from decimal import Decimal

from django.contrib.auth import get_user_model

from motcua.catalog.models import Procedure, Workflow, WorkflowStep
from motcua.org.models import Official, Unit, UnitKind
from motcua.workdays.calendar import VN_TZ


def vn(y, m, d, hh=0, mm=0) -> datetime:
    """An instant in Asia/Ho_Chi_Minh."""
    return datetime(y, m, d, hh, mm, tzinfo=VN_TZ)


def province_with_department():
    province = Unit.objects.create(code="H99", name="Tỉnh Thử Nghiệm", kind=UnitKind.PROVINCE)
    department = Unit.objects.create(code="H99.01", name="Sở Tư pháp", kind=UnitKind.DEPARTMENT, parent=province)
    commune = Unit.objects.create(code="H99.1001", name="Xã An Bình", kind=UnitKind.COMMUNE, parent=province)
    return province, department, commune


def procedure(code="1.000001", days=5, unit="ngay_lam_viec", cutoff: time | None = None, **kwargs) -> Procedure:
    return Procedure.objects.create(
        code=code,
        name=kwargs.pop("name", "Cấp phiếu lý lịch tư pháp"),
        level_province=True,
        time_limit=Decimal(days),
        time_unit=unit,
        cutoff_time=cutoff,
        **kwargs,
    )


def workflow(proc: Procedure, unit: Unit | None = None, hours=(8, 16, 8)):
    wf = Workflow.objects.create(procedure=proc, unit=unit, name=f"Quy trình {proc.code}")
    names = ["Thẩm định", "Xem xét, trình ký", "Ký duyệt"]
    roles = ["specialist", "specialist", "leader"]
    return [
        WorkflowStep.objects.create(
            workflow=wf, order=i + 1, name=names[i % 3], role=roles[i % 3], allotted_hours=Decimal(h)
        )
        for i, h in enumerate(hours)
    ]


def official(username: str, unit: Unit, role: str):
    user = get_user_model().objects.create_user(username=username, password="motcua-demo-2026", first_name=username)
    Official.objects.create(user=user, unit=unit, role=role)
    return user
