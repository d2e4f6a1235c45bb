"""Complaints in every state the desk's actions start from, built through the services (real rows).

The world is the processing screens' small province (tests/workspace/processing_fixtures.py): a
department (Sở Tư pháp) with its desk officer, two specialists and a leader, another department (Sở Xây
dựng), the province's control officer and administrator. Complaints are sent on Wed 04/03/2026 08:00
(``T0``); each step of a path comes five minutes after the previous one, so every later action at
``ACT_AT`` (09:00 the same day) is inside the 2- and 5-working-day windows.
"""

from __future__ import annotations

from datetime import timedelta

from motcua.feedback import services
from motcua.feedback.models import (
    Complaint,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintStatus,
    ComplaintStatusLog,
)
from tests.factories import vn

T0 = vn(2026, 3, 4, 8, 0)
ACT_AT = vn(2026, 3, 4, 9, 0)
S = ComplaintStatus
#: The states the tests start from: the statuses, plus "draft_pending" (being handled, a draft awaits the leader).
STATES = [*S.values, "draft_pending"]


def new_complaint(
    world,
    *,
    at=T0,
    sender="Nguyễn Văn An",
    title="Chậm trả kết quả hồ sơ đất đai",
    unit=None,
    phone="0912 345 678",
    email="an.nguyen@example.vn",
    channel=ComplaintChannel.COUNTER,
    category=ComplaintCategory.REGULATION,
) -> Complaint:
    complaint, created = services.register_complaint(
        unit=unit or world.department,
        category=category,
        title=title,
        content="Hồ sơ nộp ngày 02/01 đến nay chưa có kết quả.",
        submitted_at=at,
        sender=sender,
        sender_phone=phone,
        sender_email=email,
        sender_address="12 Lê Lợi, phường An Bình",
        channel=channel,
        source="web",
        actor=world.desk,
    )
    assert created
    return complaint


def reach(world, state: str, at=T0) -> Complaint:
    """A complaint in ``state``, reached through the desk's services from its submission at ``at``."""
    step = iter(at + timedelta(minutes=5 * i) for i in range(1, 20))
    if state == S.RETURNED:  # only imported data has it: written as the importer writes rows
        complaint = new_complaint(world, at=at)
        complaint.status, complaint.due_at = S.RETURNED, None
        complaint.save(update_fields=["status", "due_at"])
        ComplaintStatusLog.objects.create(complaint=complaint, status=S.RETURNED, occurred_at=next(step))
        return complaint
    complaint = new_complaint(world, at=at)
    if state == S.AWAITING:
        return complaint
    if state == S.TRANSFERRED:
        return services.transfer(
            complaint, unit=world.other_unit, reason="Thuộc thẩm quyền Sở Xây dựng", actor=world.leader, at=next(step)
        )
    if state == S.REFUSED:
        return services.refuse(
            complaint, reason="Nội dung không phải phản ánh, kiến nghị", actor=world.leader, at=next(step)
        )
    services.accept(complaint, actor=world.desk, at=next(step))
    if state == S.ACCEPTED:
        return _fresh(complaint)
    services.assign(complaint, assignee=world.specialist, actor=world.leader, at=next(step))
    if state == S.PROCESSING:
        return _fresh(complaint)
    if state == S.SUPPLEMENT:
        services.request_information(
            complaint, request="Số hồ sơ đã nộp và ngày hẹn trả", actor=world.specialist, at=next(step)
        )
        return _fresh(complaint)
    services.draft_answer(
        complaint, text="Hồ sơ của ông đã có kết quả, mời ông đến nhận.", actor=world.specialist, at=next(step)
    )
    if state == "draft_pending":
        return _fresh(complaint)
    services.approve_answer(complaint, actor=world.leader, at=next(step))
    if state == S.AWAITING_PUBLICATION:
        return _fresh(complaint)
    services.publish(complaint, actor=world.leader, at=next(step))
    assert state == S.PUBLISHED, state
    return _fresh(complaint)


def _fresh(complaint: Complaint) -> Complaint:
    return Complaint.objects.get(pk=complaint.pk)
