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
    plan = [  # username, role, unit, title (chức danh), family and middle names, given name
        ("motcua_admin", Role.ADMINISTRATOR, province, "Quản trị hệ thống", "Trương Minh", "Quân"),
        ("kiemsoat", Role.CONTROL_OFFICER, province, "Chuyên viên Văn phòng UBND tỉnh", "Vũ Hải", "Yến"),
        ("motcua_so", Role.DESK_OFFICER, department, "Công chức Trung tâm phục vụ hành chính công", "Phạm Thu", "Hà"),
        ("chuyenvien", Role.SPECIALIST, department, "Chuyên viên", "Nguyễn Minh", "Tuấn"),
        ("lanhdao", Role.LEADER, department, "Phó Giám đốc Sở", "Trần Quốc", "Bảo"),
    ]
    # The province's public-service centre receives for every department (NĐ 118/2025) and routes the dossier on.
    plan.append(
        (
            "motcua_tinh",
            Role.DESK_OFFICER,
            province,
            "Công chức Trung tâm phục vụ hành chính công tỉnh",
            "Đặng Thị",
            "Lan",
        )
    )
    if commune is not None:
        plan.append(
            ("motcua_xa", Role.DESK_OFFICER, commune, "Công chức Trung tâm phục vụ hành chính công xã", "Lò Thị", "Mai")
        )
    users = get_user_model().objects
    rows = []
    for username, role, unit, title, family, given in plan:
        # Officials by their full Vietnamese names (printed on forms, in timelines); the title is the position's.
        # The whole name in first_name, family name first, as get_full_name() and the forms both print it.
        user, _ = users.get_or_create(username=username)
        user.first_name, user.last_name = f"{family} {given}", ""
        user.set_password(DEMO_PASSWORD)
        # Only the administrator uses the admin; the others would find it empty (issue #10 item 14).
        user.is_staff = user.is_superuser = role == Role.ADMINISTRATOR
        user.save()
        Official.objects.update_or_create(user=user, unit=unit, role=role, defaults={"title": title})
        rows.append((username, str(role.label), f"{unit.code} {unit.name}"))
    return rows
