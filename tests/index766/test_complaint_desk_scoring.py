"""The 766 engine reads what the complaints desk writes: complaints handled through feedback.services are on time
or late on 5.2, counted on 5.3 once received, and a transfer restarts the clock — with the same deadline
definition the desk shows (feedback.deadlines). Scored from the application database (m766_* views)."""

from __future__ import annotations

import pytest

from motcua.feedback import services
from motcua.index766.database import score_database
from motcua.org.models import Role, Unit, UnitKind
from tests.factories import official, province_with_department, vn

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("file_database")]

NOW = vn(2026, 3, 31, 10)


def test_desk_actions_as_the_engine_reads_them():
    _province, department, _commune = province_with_department()
    other = Unit.objects.create(code="H99.02", name="Sở Xây dựng", kind=UnitKind.DEPARTMENT, parent=department.parent)
    desk, leader = official("desk", department, Role.DESK_OFFICER), official("leader", department, Role.LEADER)
    specialist = official("sp", department, Role.SPECIALIST)

    def new(title, at, unit=department):
        complaint, _ = services.register_complaint(
            unit=unit,
            category="quy_dinh",
            title=title,
            content="...",
            submitted_at=at,
            sender=title,
            channel="truc_tiep",
            source="web",
            actor=desk,
        )
        return complaint

    # Answered and published in time, with actions that keep the status on the way.
    on_time = new("Đúng hạn", vn(2026, 3, 2, 8))
    services.accept(on_time, actor=desk, at=vn(2026, 3, 2, 9))
    services.classify(on_time, category="hanh_vi", actor=leader, at=vn(2026, 3, 2, 10))
    services.assign(on_time, assignee=specialist, actor=leader, at=vn(2026, 3, 2, 11))
    services.draft_answer(on_time, text="Bản 1", actor=specialist, at=vn(2026, 3, 3, 9))
    services.return_answer(on_time, reason="Sửa", actor=leader, at=vn(2026, 3, 3, 10))
    services.draft_answer(on_time, text="Bản 2", actor=specialist, at=vn(2026, 3, 4, 9))
    services.approve_answer(on_time, actor=leader, at=vn(2026, 3, 4, 10))
    services.publish(on_time, actor=desk, at=vn(2026, 3, 5, 9))
    # Never answered: its 15 working days ended on 20/03.
    late = new("Trễ hạn", vn(2026, 3, 2, 8))
    services.accept(late, actor=desk, at=vn(2026, 3, 2, 9))
    # Sent to the other department first, transferred late to this one: the clock restarts (due 06/04).
    moved = new("Chuyển đến", vn(2026, 3, 2, 8), unit=other)
    services.transfer(moved, unit=department, reason="Thẩm quyền Sở Tư pháp", at=vn(2026, 3, 16, 8))
    services.accept(moved, actor=desk, at=vn(2026, 3, 16, 9))
    # Refused within its 2 working days.
    refused = new("Từ chối", vn(2026, 3, 10, 8))
    services.refuse(refused, reason="Không phải PAKN", actor=leader, at=vn(2026, 3, 11, 8))

    report = score_database("2026-03", now=NOW, units=[department.code])
    unit = report.unit(department.code)
    s52, s53 = unit.indicator("5.2"), unit.indicator("5.3")
    assert (s52.numerator, s52.denominator) == (3, 4)  # the late one is late, the others on time or in time
    assert s53.denominator == 3 and s53.numerator == 2  # received in March: on_time, late, moved (late is off)
    assert unit.indicator("5.1b").numerator == 1  # reclassified as conduct
