"""Two officials acting on one complaint at once: the row lock lets one through and the other is refused by the
rule it then sees (PostgreSQL; SQLite allows one writer at a time by design). Counter codes stay unique."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from motcua.core.errors import UserError
from motcua.feedback import services
from motcua.feedback.models import ComplaintAnswer, ComplaintStatusLog
from motcua.org.models import Role, Unit, UnitKind
from tests.factories import official, vn

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite allows one writer at a time by design")


def _race(calls):
    """Run the calls at the same instant in their own connections; what each returned or raised."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait()
            return call()
        except UserError as error:
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_two_leaders_approve_the_same_draft_once(postgres):
    unit = Unit.objects.create(code="H98.01", name="Sở Thử", kind=UnitKind.DEPARTMENT)
    desk, specialist = official("desk", unit, Role.DESK_OFFICER), official("sp", unit, Role.SPECIALIST)
    leaders = [official(f"ld{i}", unit, Role.LEADER) for i in range(2)]
    complaint, _ = services.register_complaint(
        unit=unit,
        category="quy_dinh",
        title="Chậm",
        content="...",
        submitted_at=vn(2026, 5, 4, 8),
        channel="truc_tiep",
        actor=desk,
    )
    services.accept(complaint, actor=desk, at=vn(2026, 5, 4, 9))
    services.draft_answer(complaint, text="Trả lời", actor=specialist, at=vn(2026, 5, 4, 10))
    outcomes = _race(
        [
            lambda leader=leader: services.approve_answer(complaint, actor=leader, at=vn(2026, 5, 4, 11))
            for leader in leaders
        ]
    )
    assert sum(isinstance(o, ComplaintAnswer) for o in outcomes) == 1
    assert sum(isinstance(o, UserError) for o in outcomes) == 1
    assert ComplaintStatusLog.objects.filter(complaint=complaint, action="approve_answer").count() == 1


def test_parallel_counter_codes_are_unique(postgres):
    unit = Unit.objects.create(code="H98.02", name="Sở Thử Hai", kind=UnitKind.DEPARTMENT)
    calls = [
        lambda i=i: (
            services.register_complaint(
                unit=unit,
                category="quy_dinh",
                title=f"PAKN {i}",
                content="...",
                submitted_at=vn(2026, 5, 4, 8),
                sender=f"Người {i}",
                channel="truc_tiep",
            )[0].code
        )
        for i in range(16)
    ]
    codes = _race(calls)
    assert len(set(codes)) == 16 and max(codes) == "H98.02-PAKN-260504-0016"
