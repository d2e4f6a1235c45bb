"""A small province for the processing screens' tests: a department with its desk, two specialists and a
leader; a unit that gets consulted and an unrelated one; the province's control officer and administrator;
one procedure (5 working days) with a three-step workflow; dossiers built in the states each action needs.

Time is fixed: ``NOW`` is Wed 04/03/2026 10:00 (Asia/Ho_Chi_Minh), the views read it through
``risk.now`` (patched by the ``world`` fixture); dossiers are received on Mon 02/03/2026 09:00, so
NgayHenTra is Mon 09/03/2026 09:00.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model

from motcua.catalog.models import Procedure, WorkflowStep
from motcua.dossiers import services
from motcua.dossiers.models import (
    ApologyLetter,
    Consultation,
    Dossier,
    DossierEvent,
    DossierResult,
    Payment,
    Proposal,
    StopNotice,
    SupplementRequest,
)
from motcua.org import tree
from motcua.org.models import Official, Role, Unit, UnitKind
from motcua.workspace.processing import risk
from tests.factories import procedure, province_with_department, vn, workflow

NOW = vn(2026, 3, 4, 10, 0)
RECEIVED_AT = vn(2026, 3, 2, 9, 0)
DUE_AT = vn(2026, 3, 9, 9, 0)


@dataclass
class World:
    province: Unit
    department: Unit
    consulted_unit: Unit
    other_unit: Unit
    procedure: Procedure
    steps: list[WorkflowStep]
    users: dict[str, object] = field(default_factory=dict)

    def __getattr__(self, name):
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)

    # --- dossiers in the states the actions need ------------------------------------------------------

    def received(self, at=RECEIVED_AT, **applicant) -> Dossier:
        return services.receive(
            procedure=self.procedure,
            handling_unit=self.department,
            receiving_unit=self.department,
            channel=1,
            actor=self.desk,
            received_at=at,
            applicant={"applicant_name": "Nguyễn Văn An", "applicant_id_number": "001203004567", **applicant},
        )

    def processing(self, at=RECEIVED_AT, consulted=True, **applicant) -> Dossier:
        """At step 1 (Thẩm định), assigned to the specialist; consulted unit asked (open) unless told not to."""
        dossier = self.received(at=at, **applicant)
        services.start_processing(dossier, assignee=self.specialist, actor=self.desk, at=at.replace(minute=30))
        if consulted:
            services.consult(
                dossier,
                unit=self.consulted_unit,
                question="Xác nhận nơi cư trú",
                due_at=vn(2026, 3, 6, 10),
                actor=self.specialist,
                at=at.replace(minute=40),
            )
        dossier.refresh_from_db()
        return dossier

    def at_leader_step(self, **kwargs) -> Dossier:
        """A result drafted by the specialist and handed to the leader's step (Ký duyệt)."""
        dossier = self.processing(**kwargs)
        services.propose_result(
            dossier,
            title="Phiếu lý lịch tư pháp số 1",
            result_code="LLTP-1",
            step=self.steps[2],
            assignee=self.leader,
            actor=self.specialist,
            at=vn(2026, 3, 3, 9),
        )
        dossier.refresh_from_db()
        return dossier

    def apology_pending(self, **kwargs) -> Dossier:
        dossier = self.processing(**kwargs)
        services.propose_apology(
            dossier,
            reason="Chờ kết quả xác minh liên ngành",
            extension_days=3,
            actor=self.specialist,
            at=vn(2026, 3, 3, 9),
        )
        dossier.refresh_from_db()
        return dossier

    def paused(self, **kwargs) -> Dossier:
        dossier = self.processing(**kwargs)
        services.pause(dossier, reason="Chờ xác minh", actor=self.specialist, at=vn(2026, 3, 3, 9))
        dossier.refresh_from_db()
        return dossier

    def supplement_requested(self, **kwargs) -> Dossier:
        dossier = self.processing(**kwargs)
        services.request_supplement(
            dossier, items=["Bản sao CCCD"], reason="Thiếu giấy tờ", actor=self.specialist, at=vn(2026, 3, 3, 9)
        )
        dossier.refresh_from_db()
        return dossier

    def supplement_overdue(self, **kwargs) -> Dossier:
        """Waiting since Mon 02/02/2026 for a supplement: 15 working days (Tết off) ended Mon 02/03 09:00 (R1.10)."""
        dossier = self.processing(at=vn(2026, 1, 26, 9), **kwargs)
        services.request_supplement(
            dossier, items=["Bản sao CCCD"], reason="Thiếu giấy tờ", actor=self.specialist, at=vn(2026, 2, 2, 9)
        )
        dossier.refresh_from_db()
        return dossier

    def done(self, **kwargs) -> Dossier:
        dossier = self.at_leader_step(**kwargs)
        services.approve_result(dossier.proposals.get(), signer=self.leader, at=vn(2026, 3, 3, 10))
        dossier.refresh_from_db()
        return dossier


def snapshot(dossier: Dossier) -> tuple:
    """Everything a step action could change, to prove that a refused one changed nothing."""
    fresh = Dossier.objects.get(pk=dossier.pk)
    return (
        fresh.status,
        fresh.current_step_id,
        fresh.current_assignee_id,
        fresh.step_due_at,
        fresh.extended_due_at,
        fresh.online_payment,
        DossierEvent.objects.count(),
        LogEntry.objects.count(),
        list(Proposal.objects.order_by("pk").values_list("state", flat=True)),
        list(Consultation.objects.order_by("pk").values_list("answered_at", flat=True)),
        SupplementRequest.objects.count(),
        DossierResult.objects.count(),
        ApologyLetter.objects.count(),
        StopNotice.objects.count(),
        Payment.objects.count(),
        fresh.pauses.filter(ended_at__isnull=True).count(),
    )


def official(username: str, unit: Unit, role: str, name: str = ""):
    """An official; no usable password (hashing one costs about a second on a test machine)."""
    user = get_user_model().objects.create_user(username=username, password=None, first_name=name or username)
    Official.objects.create(user=user, unit=unit, role=role)
    return user


def build_world() -> World:
    province, department, _commune = province_with_department()
    consulted_unit = Unit.objects.create(code="H99.02", name="Công an tỉnh", kind=UnitKind.DEPARTMENT, parent=province)
    other_unit = Unit.objects.create(code="H99.03", name="Sở Xây dựng", kind=UnitKind.DEPARTMENT, parent=province)
    tree.clear()
    proc = procedure(days=5)
    steps = workflow(proc)
    world = World(province, department, consulted_unit, other_unit, proc, steps)
    for username, unit, role, name in [
        ("motcua_so", department, Role.DESK_OFFICER, "Phạm Thu Hà"),
        ("chuyenvien", department, Role.SPECIALIST, "Nguyễn Minh Tuấn"),
        ("chuyenvien2", department, Role.SPECIALIST, "Đỗ Thị Lan"),
        ("lanhdao", department, Role.LEADER, "Trần Quốc Bảo"),
        ("kiemsoat", province, Role.CONTROL_OFFICER, "Vũ Hải Yến"),
        ("quantri", province, Role.ADMINISTRATOR, ""),
        ("cv_phoihop", consulted_unit, Role.SPECIALIST, "Hoàng Văn Nam"),
        ("cv_donvikhac", other_unit, Role.SPECIALIST, "Lý Thị Mai"),
    ]:
        world.users[username] = official(username, unit, role, name)
    world.users.update(
        desk=world.users["motcua_so"],
        specialist=world.users["chuyenvien"],
        specialist2=world.users["chuyenvien2"],
        leader=world.users["lanhdao"],
        control=world.users["kiemsoat"],
        administrator=world.users["quantri"],
        consulted=world.users["cv_phoihop"],
        outsider=world.users["cv_donvikhac"],
    )
    return world


@pytest.fixture
def world(db, monkeypatch):
    monkeypatch.setattr(risk, "now", lambda: NOW)
    built = build_world()
    yield built
    tree.clear()
