"""The complaints desk's services: every action from every state, allowed or refused; the log and the audit trail;
the legal windows (refusal 2 working days, information request 5, answer 15, publication 2); the running deadline.

Refused actions leave the database exactly as it was; allowed ones append one status-log row with who, what and
why, and the audit trail names the official and the source.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from motcua.core.errors import TransitionError, UserError
from motcua.feedback import lifecycle, services
from motcua.feedback.deadlines import complaint_deadlines
from motcua.feedback.models import Complaint, ComplaintAnswer, ComplaintStatus, ComplaintStatusLog
from motcua.workdays.services import get_calendar
from tests.factories import vn
from tests.workspace import processing_fixtures

from .builders import ACT_AT, STATES, T0, new_complaint, reach

world = processing_fixtures.world  # the shared fixture, used by name

pytestmark = pytest.mark.django_db

S = ComplaintStatus

#: What the desk may do from each state (written out here, not read from the code under test).
ALLOWED = {
    "accept": {S.AWAITING, S.TRANSFERRED},
    "classify": {S.AWAITING, S.ACCEPTED, S.PROCESSING, S.SUPPLEMENT, "draft_pending"},
    "assign": {S.ACCEPTED, S.PROCESSING, "draft_pending"},
    "transfer": {S.AWAITING, S.ACCEPTED, S.PROCESSING, S.TRANSFERRED},
    "request_information": {S.ACCEPTED, S.PROCESSING},
    "record_information": {S.SUPPLEMENT},
    "refuse": {S.AWAITING, S.ACCEPTED, S.PROCESSING, S.SUPPLEMENT, S.TRANSFERRED, "draft_pending"},
    "draft_answer": {S.ACCEPTED, S.PROCESSING},
    "return_answer": {"draft_pending"},
    "approve_answer": {"draft_pending"},
    "publish": {S.AWAITING_PUBLICATION},
}
#: The status each allowed action leads to (None: unchanged).
TARGET = {
    "accept": S.ACCEPTED,
    "classify": None,
    "assign": S.PROCESSING,
    "transfer": S.TRANSFERRED,
    "request_information": S.SUPPLEMENT,
    "record_information": S.PROCESSING,
    "refuse": S.REFUSED,
    "draft_answer": S.PROCESSING,
    "return_answer": None,
    "approve_answer": S.AWAITING_PUBLICATION,
    "publish": S.PUBLISHED,
}


def run(world, action: str, complaint: Complaint, at=ACT_AT):
    """Call the service of ``action`` as the official who would (the matrix is the policy tests' business)."""
    calls = {
        "accept": lambda: services.accept(complaint, actor=world.desk, at=at),
        "classify": lambda: services.classify(complaint, category="hanh_vi", actor=world.specialist, at=at),
        "assign": lambda: services.assign(complaint, assignee=world.specialist2, actor=world.leader, at=at),
        "transfer": lambda: services.transfer(
            complaint, unit=world.consulted_unit, reason="Thuộc thẩm quyền Công an", actor=world.leader, at=at
        ),
        "request_information": lambda: services.request_information(
            complaint, request="Số điện thoại liên hệ", actor=world.specialist, at=at
        ),
        "record_information": lambda: services.record_information(
            complaint, information="0912 345 678", actor=world.desk, at=at
        ),
        "refuse": lambda: services.refuse(
            complaint, reason="Đơn khiếu nại, không phải PAKN", actor=world.leader, at=at
        ),
        "draft_answer": lambda: services.draft_answer(
            complaint, text="Kính gửi ông An, ...", actor=world.specialist, at=at
        ),
        "return_answer": lambda: services.return_answer(complaint, reason="Nêu rõ căn cứ", actor=world.leader, at=at),
        "approve_answer": lambda: services.approve_answer(complaint, actor=world.leader, at=at),
        "publish": lambda: services.publish(complaint, actor=world.desk, at=at),
    }
    return calls[action]()


def snapshot(complaint: Complaint) -> tuple:
    fresh = Complaint.objects.get(pk=complaint.pk)
    return (
        fresh.status,
        fresh.unit_id,
        fresh.assignee_id,
        fresh.category,
        fresh.due_at,
        fresh.answer,
        fresh.published_at,
        ComplaintStatusLog.objects.count(),
        LogEntry.objects.count(),
        list(ComplaintAnswer.objects.order_by("pk").values_list("state", flat=True)),
    )


def test_the_table_written_here_is_the_codes():
    assert set(ALLOWED) == set(lifecycle.WHY_NOT)
    for action, states in ALLOWED.items():
        statuses = {s if s != "draft_pending" else S.PROCESSING for s in states}
        assert statuses == set(lifecycle.TRANSITIONS[action].sources), action


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(ALLOWED))
def test_every_action_from_every_state(world, action, state):
    complaint = reach(world, state)
    before_log = ComplaintStatusLog.objects.filter(complaint=complaint).count()
    expected_refusal = state not in ALLOWED[action]
    assert (lifecycle.why_not(action, complaint, ACT_AT) is not None) == expected_refusal
    if expected_refusal:
        before = snapshot(complaint)
        with pytest.raises(TransitionError):
            run(world, action, complaint)
        assert snapshot(complaint) == before
        return
    old_status = complaint.status
    run(world, action, complaint)
    fresh = Complaint.objects.get(pk=complaint.pk)
    assert fresh.status == (TARGET[action] or old_status)
    rows = list(ComplaintStatusLog.objects.filter(complaint=complaint).order_by("pk"))
    assert len(rows) == before_log + 1
    assert rows[-1].action == action and rows[-1].status == fresh.status and rows[-1].occurred_at == ACT_AT
    assert rows[-1].extra == {"source": "web", **rows[-1].extra}


def test_each_change_writes_the_log_row_and_the_audit_trail(world):
    complaint = new_complaint(world)
    log = ComplaintStatusLog.objects.get(complaint=complaint)
    assert (log.status, log.action, log.actor, log.occurred_at) == (S.AWAITING, "register", world.desk, T0)
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Complaint), object_pk=str(complaint.pk)
    )
    assert entries.count() >= 1 and all(e.actor == world.desk and e.cid == "web" for e in entries)

    services.accept(complaint, actor=world.desk, at=vn(2026, 3, 4, 8, 30), note="Đủ thông tin")
    services.assign(complaint, assignee=world.specialist, actor=world.leader, at=vn(2026, 3, 4, 9))
    services.transfer(
        complaint, unit=world.other_unit, reason="Thẩm quyền của Sở Xây dựng", actor=world.leader, at=vn(2026, 3, 4, 10)
    )
    rows = list(ComplaintStatusLog.objects.filter(complaint=complaint).order_by("occurred_at", "pk"))
    assert [(r.status, r.action) for r in rows] == [
        (S.AWAITING, "register"),
        (S.ACCEPTED, "accept"),
        (S.PROCESSING, "assign"),
        (S.TRANSFERRED, "transfer"),
    ]
    assert [r.actor for r in rows] == [world.desk, world.desk, world.leader, world.leader]
    assert rows[1].note == "Đủ thông tin" and rows[2].note == world.specialist.get_full_name()
    assert rows[3].note == "Thẩm quyền của Sở Xây dựng"
    assert rows[3].extra == {"source": "web", "from_unit": world.department.code, "to_unit": world.other_unit.code}
    fresh = Complaint.objects.get(pk=complaint.pk)
    assert fresh.unit == world.other_unit and fresh.assignee is None
    # The audit trail: who changed the complaint, from where, with the before/after values.
    transfer_entry = LogEntry.objects.get_for_object(fresh).filter(actor=world.leader).order_by("-pk").first()
    assert transfer_entry.cid == "web" and "unit" in transfer_entry.changes_dict
    log_entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(ComplaintStatusLog))
    assert log_entries.count() == 4 and {e.actor for e in log_entries} == {world.desk, world.leader}


def test_the_answer_is_drafted_approved_and_published(world):
    complaint = reach(world, S.PROCESSING)
    first = services.draft_answer(complaint, text="Bản nháp 1", actor=world.specialist, at=vn(2026, 3, 4, 9))
    returned = services.return_answer(
        complaint, reason="Thiếu căn cứ pháp lý", actor=world.leader, at=vn(2026, 3, 4, 10)
    )
    assert returned.pk == first.pk and returned.state == ComplaintAnswer.State.RETURNED
    assert returned.decided_by == world.leader and returned.decision_note == "Thiếu căn cứ pháp lý"
    assert Complaint.objects.get(pk=complaint.pk).status == S.PROCESSING
    second = services.draft_answer(
        complaint, text="Bản nháp 2, có căn cứ", actor=world.specialist, at=vn(2026, 3, 4, 11)
    )
    approved = services.approve_answer(complaint, actor=world.leader, at=vn(2026, 3, 4, 14))
    assert approved.pk == second.pk and approved.state == ComplaintAnswer.State.APPROVED
    fresh = Complaint.objects.get(pk=complaint.pk)
    assert fresh.status == S.AWAITING_PUBLICATION and fresh.answer == "Bản nháp 2, có căn cứ"
    services.publish(complaint, actor=world.desk, at=vn(2026, 3, 5, 8))
    fresh = Complaint.objects.get(pk=complaint.pk)
    assert fresh.status == S.PUBLISHED and fresh.published_at == vn(2026, 3, 5, 8) and fresh.due_at is None


def test_refused_inputs_change_nothing(world):
    complaint = reach(world, S.PROCESSING)
    before = snapshot(complaint)
    for call in (
        lambda: services.refuse(complaint, reason="  ", actor=world.leader, at=ACT_AT),
        lambda: services.transfer(complaint, unit=world.department, reason="x", actor=world.leader, at=ACT_AT),
        lambda: services.assign(complaint, assignee=world.outsider, actor=world.leader, at=ACT_AT),
        lambda: services.assign(complaint, assignee=world.leader, actor=world.leader, at=ACT_AT),
        lambda: services.classify(complaint, category="quy_dinh", actor=world.leader, at=ACT_AT),
        lambda: services.classify(complaint, category="khac", actor=world.leader, at=ACT_AT),
        lambda: services.draft_answer(complaint, text="", actor=world.specialist, at=ACT_AT),
        lambda: services.accept(complaint, actor=world.desk, at=T0),
        lambda: services.request_information(complaint, request="x", actor=world.desk, at=T0),  # before the last change
    ):
        with pytest.raises(UserError):
            call()
        assert snapshot(complaint) == before


# --- the legal windows --------------------------------------------------------------------------------------------


def test_refusal_within_two_working_days_of_the_clock_start(world):
    complaint = new_complaint(world)  # Wed 04/03 08:00: 16 working hours end Fri 06/03 08:00
    refuse_by = services.deadlines_of(complaint).refuse_by
    assert refuse_by == vn(2026, 3, 6, 8, 0)
    assert lifecycle.why_not_refuse(complaint, refuse_by) is None
    late = refuse_by + timedelta(minutes=1)
    reason = lifecycle.why_not_refuse(complaint, late)
    assert reason and "quá thời hạn từ chối" in reason and "08:00 06/03/2026" in reason
    before = snapshot(complaint)
    with pytest.raises(TransitionError, match="quá thời hạn từ chối"):
        services.refuse(complaint, reason="Không thuộc phạm vi", actor=world.leader, at=late)
    assert snapshot(complaint) == before
    services.refuse(complaint, reason="Không thuộc phạm vi", actor=world.leader, at=refuse_by)
    assert Complaint.objects.get(pk=complaint.pk).status == S.REFUSED


def test_information_request_within_five_working_days(world):
    complaint = reach(world, S.ACCEPTED)
    supplement_by = services.deadlines_of(complaint).supplement_by
    assert supplement_by == vn(2026, 3, 11, 8, 0)  # 40 working hours after Wed 08:00
    assert lifecycle.why_not_request_information(complaint, supplement_by) is None
    assert "quá thời hạn yêu cầu bổ sung" in lifecycle.why_not_request_information(
        complaint, supplement_by + timedelta(minutes=1)
    )
    with pytest.raises(TransitionError):
        services.request_information(
            complaint, request="Địa chỉ", actor=world.specialist, at=supplement_by + timedelta(minutes=1)
        )


def test_a_transfer_restarts_the_clock_and_the_windows(world):
    complaint = reach(world, S.PROCESSING)
    late = vn(2026, 3, 9, 9)  # Mon: the department's 2-day refusal window is over
    assert lifecycle.why_not_refuse(complaint, late)
    services.transfer(complaint, unit=world.other_unit, reason="Thẩm quyền Sở Xây dựng", actor=world.leader, at=late)
    complaint = Complaint.objects.get(pk=complaint.pk)
    deadlines = services.deadlines_of(complaint)
    assert deadlines.clock_start == late
    assert deadlines.answer_by == get_calendar().add_working_hours(late, 120)
    assert complaint.due_at == deadlines.answer_by
    assert lifecycle.why_not_refuse(complaint, vn(2026, 3, 10, 9)) is None  # the receiving unit's own 2 days
    # The same definition the 766 engine uses (feedback.deadlines), fed the log's transfers.
    assert deadlines == complaint_deadlines(complaint.submitted_at, transfers=[late])


def test_the_running_deadline_is_the_answer_then_the_publication(world):
    complaint = new_complaint(world)
    answer_by = get_calendar().add_working_hours(T0, 120)
    assert complaint.due_at == answer_by == services.deadlines_of(complaint).answer_by
    for state in (S.ACCEPTED, S.PROCESSING, S.SUPPLEMENT, "draft_pending"):
        assert reach(world, state).due_at == answer_by, state
    awaiting = reach(world, S.AWAITING_PUBLICATION)
    approved_at = ComplaintStatusLog.objects.get(complaint=awaiting, status=S.AWAITING_PUBLICATION).occurred_at
    assert awaiting.due_at == get_calendar().add_working_hours(approved_at, 16)
    assert awaiting.due_at == services.deadlines_of(awaiting).publish_by
    for state in (S.PUBLISHED, S.REFUSED):
        assert reach(world, state).due_at is None


def test_actions_that_keep_the_status_leave_the_engines_view_alone(world):
    """classify / return_answer repeat the status; the 766 engine reads each status's first row after the clock
    start and every chuyen_xu_ly row — none of which such an action writes."""
    complaint = reach(world, "draft_pending")
    before = services.deadlines_of(complaint)
    services.classify(complaint, category="hanh_vi", actor=world.leader, at=vn(2026, 3, 4, 10))
    services.return_answer(complaint, reason="Viết lại", actor=world.leader, at=vn(2026, 3, 4, 11))
    assert services.deadlines_of(Complaint.objects.get(pk=complaint.pk)) == before
    kept = [a for a, t in lifecycle.TRANSITIONS.items() if t.target is None]
    assert all(S.TRANSFERRED not in lifecycle.TRANSITIONS[a].sources for a in kept)


def test_codes_at_the_counter_follow_the_units_daily_sequence(world):
    first, second = new_complaint(world), new_complaint(world, sender="Trần Thị Bình")
    assert first.code == "H99.01-PAKN-260304-0001" and second.code == "H99.01-PAKN-260304-0002"
    other_day = new_complaint(world, at=vn(2026, 3, 5, 8), sender="Lê Văn Cường")
    assert other_day.code.endswith("260305-0001")


def test_a_portal_complaint_is_registered_once(world):
    kwargs = dict(
        code="PAKN-DVCQG-1",
        unit=world.department,
        category="quy_dinh",
        title="Thái độ cán bộ",
        content="...",
        submitted_at=T0,
        sender="Phạm Văn Dũng",
    )
    first, created = services.register_complaint(**kwargs)
    again, created_again = services.register_complaint(**kwargs)
    assert created and not created_again and first.pk == again.pk
    assert first.channel == "cong_dvcqg" and first.sender_name == "Phạm Văn Dũng"
    assert first.extra == {"NguoiGui": "Phạm Văn Dũng"}
    assert ComplaintStatusLog.objects.filter(complaint=first).count() == 1
