"""Late steps and late officials, read from the dossier event log; explain names the step and official.

Office hours 07:00–11:30, 13:30–17:00 (8 working hours a day); the week of Monday 2 March 2026
has no holiday. Workflow steps: Thẩm định 8 h, Xem xét, trình ký 16 h, Ký duyệt 8 h.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from motcua.dossiers import services
from motcua.index766.responsibility import late_officials, late_steps, responsible_for, subtree_ids
from tests.factories import official, procedure, province_with_department, vn, workflow

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    province, department, commune = province_with_department()
    proc = procedure("1.000001", days=2)  # due = received + 16 working hours
    s1, s2, s3 = workflow(proc)
    a, b, c = (official(n, department, "specialist") for n in ("an", "binh", "chi"))
    d = services.receive(procedure=proc, handling_unit=department, channel=1, received_at=vn(2026, 3, 2, 8))
    services.start_processing(d, step=s1, assignee=a, at=vn(2026, 3, 2, 8))  # due Tue 08:00
    services.hand_off(d, step=s2, assignee=b, actor=a, at=vn(2026, 3, 3, 10))  # 2 h late; due Thu 10:00
    services.hand_off(d, step=s3, assignee=c, actor=b, at=vn(2026, 3, 4, 9))  # on time; due Thu 09:00
    consultation = services.consult(
        d, unit=commune, question="?", due_at=vn(2026, 3, 4, 10), actor=c, at=vn(2026, 3, 4, 9, 30)
    )
    services.answer_consultation(consultation, answer="Đồng ý", actor=b, at=vn(2026, 3, 4, 14))  # 2 h late
    services.finish(d, result_code="KQ", actor=c, at=vn(2026, 3, 5, 14))  # 3 h late (due Thu 09:00)
    # A second dossier, still at its first step, 9 h past its deadline at the end of the window.
    e = services.receive(procedure=proc, handling_unit=department, channel=1, received_at=vn(2026, 3, 2, 9))
    services.start_processing(e, step=s1, assignee=a, at=vn(2026, 3, 2, 9))  # due Tue 09:00
    return {"units": [department.pk], "province": province, "dossiers": (d, e), "users": (a, b, c), "commune": commune}


def test_late_steps(scene):
    d, e = scene["dossiers"]
    a, b, c = scene["users"]
    steps = late_steps(scene["units"], vn(2026, 3, 1), vn(2026, 3, 4, 10))  # before d's last steps
    assert [(s.dossier_code, s.step_name, s.official_id, s.done_at, s.hours_late) for s in steps] == [
        (d.code, "Thẩm định", a.pk, vn(2026, 3, 3, 10), Decimal("2.0")),
        (e.code, "Thẩm định", a.pk, None, Decimal("9.0")),  # open: Tue 09:00 → Wed 10:00
    ]
    steps = late_steps(scene["units"], vn(2026, 3, 1), vn(2026, 4, 1))
    assert [(s.dossier_code, s.step_name, s.official_name, s.unit_code, s.due_at, s.done_at) for s in steps] == [
        (d.code, "Thẩm định", "an", "H99.01", vn(2026, 3, 3, 8), vn(2026, 3, 3, 10)),
        (d.code, "Lấy ý kiến phối hợp: Xã An Bình", "binh", "H99.1001", vn(2026, 3, 4, 10), vn(2026, 3, 4, 14)),
        (d.code, "Ký duyệt", "chi", "H99.01", vn(2026, 3, 5, 9), vn(2026, 3, 5, 14)),
        (e.code, "Thẩm định", "an", "H99.01", vn(2026, 3, 3, 9), None),
    ]
    # The window's start excludes steps ended earlier.
    assert [s.step_name for s in late_steps(scene["units"], vn(2026, 3, 5), vn(2026, 3, 6)) if s.done_at] == [
        "Ký duyệt"
    ]
    # Another unit's dossiers are not listed; the province's subtree lists them.
    assert late_steps([scene["province"].pk], vn(2026, 3, 1), vn(2026, 4, 1)) == []
    assert len(late_steps(subtree_ids(scene["province"].pk), vn(2026, 3, 1), vn(2026, 4, 1))) == 4
    # A consulted unit sees its own late answer.
    assert [s.unit_code for s in late_steps([scene["commune"].pk], vn(2026, 3, 1), vn(2026, 4, 1))] == ["H99.1001"]


def test_late_steps_hours(scene):
    d, e = scene["dossiers"]
    steps = {(s.dossier_code, s.step_name): s for s in late_steps(None, vn(2026, 3, 1), vn(2026, 3, 6))}
    assert steps[(d.code, "Lấy ý kiến phối hợp: Xã An Bình")].hours_late == Decimal("2.0")  # 10:00–11:30, 13:30–14:00
    assert steps[(d.code, "Ký duyệt")].hours_late == Decimal("3.0")
    # Open until the window's end (Fri 6 March 00:00 = Thu 17:00 in working time): Tue 09:00 → Thu 17:00.
    assert steps[(e.code, "Thẩm định")].hours_late == Decimal("22.0")


def test_late_officials(scene):
    a, b, c = scene["users"]
    rows = late_officials(None, vn(2026, 3, 1), vn(2026, 3, 6))
    assert [(o.official_id, o.official_name, o.unit_code, o.late_steps, o.dossiers, o.hours_late) for o in rows] == [
        (a.pk, "an", "H99.01", 2, 2, Decimal("24.0")),
        (c.pk, "chi", "H99.01", 1, 1, Decimal("3.0")),
        (b.pk, "binh", "H99.1001", 1, 1, Decimal("2.0")),
    ]


def test_responsible_for(scene):
    d, e = scene["dossiers"]
    # d: its first late step (Thẩm định, an); e: its current, late step.
    assert responsible_for([d.code, e.code, "KHONG-CO"]) == {d.code: ("Thẩm định", "an"), e.code: ("Thẩm định", "an")}


def test_the_assigned_official_answers_for_a_step_someone_else_closed():
    _province, department, _commune = province_with_department()
    proc = procedure("1.000002", days=2)
    s1, s2, _s3 = workflow(proc)
    assigned, colleague = official("assigned", department, "specialist"), official("colleague", department, "leader")
    d = services.receive(procedure=proc, handling_unit=department, channel=1, received_at=vn(2026, 3, 2, 8))
    services.start_processing(d, step=s1, assignee=assigned, actor=colleague, at=vn(2026, 3, 2, 8))
    services.hand_off(d, step=s2, assignee=colleague, actor=colleague, at=vn(2026, 3, 3, 10))  # 2 h late
    (step,) = late_steps([department.pk], vn(2026, 3, 1), vn(2026, 3, 4))
    assert (step.official_id, step.hours_late) == (assigned.pk, Decimal("2.0"))
