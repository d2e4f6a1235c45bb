"""Demo logins: one official per role, placed in the generated province."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Official, Role, Unit, UnitKind

DEMO_PASSWORD = "motcua-demo-2026"


@transaction.atomic
def create_demo_logins() -> list[tuple[str, str, str]]:
    """Create (or reset) one account per role; returns (username, role label, unit) rows."""
    province = Unit.objects.filter(kind=UnitKind.PROVINCE).order_by("code").first()
    department = Unit.objects.filter(kind=UnitKind.DEPARTMENT).order_by("code").first()
    commune = Unit.objects.filter(kind=UnitKind.COMMUNE, valid_to__isnull=True).order_by("code").first()
    if province is None or department is None:
        return []
    plan = [
        ("motcua_admin", Role.ADMINISTRATOR, province, "Quản trị hệ thống"),
        ("kiemsoat", Role.CONTROL_OFFICER, province, "Chuyên viên Văn phòng UBND tỉnh"),
        ("motcua_so", Role.DESK_OFFICER, department, "Công chức Bộ phận Một cửa"),
        ("chuyenvien", Role.SPECIALIST, department, "Chuyên viên"),
        ("lanhdao", Role.LEADER, department, "Phó Giám đốc Sở"),
    ]
    if commune is not None:
        plan.append(("motcua_xa", Role.DESK_OFFICER, commune, "Công chức Một cửa cấp xã"))
    users = get_user_model().objects
    rows = []
    for username, role, unit, title in plan:
        user, _ = users.get_or_create(username=username, defaults={"first_name": title})
        user.set_password(DEMO_PASSWORD)
        # Only the administrator uses the admin; the others would find it empty (issue #10 item 14).
        user.is_staff = user.is_superuser = role == Role.ADMINISTRATOR
        user.save()
        Official.objects.update_or_create(user=user, unit=unit, role=role, defaults={"title": title})
        rows.append((username, role.label, f"{unit.code} {unit.name}"))
    return rows
