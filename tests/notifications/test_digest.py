"""The officials' daily digest of what turns late on the next working day: who gets what, once per day, the
periodic run on working days only, and ``motcua notify-digest`` by hand.

``today`` is Wed 04/03/2026: the next working day is Thu 05/03.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command

from motcua import cli
from motcua.feedback import services as feedback
from motcua.notifications import tasks
from motcua.notifications.digest import next_working_day, queue_digests
from motcua.notifications.models import Kind, Notification
from motcua.workdays.services import get_calendar
from tests.factories import vn
from tests.feedback.builders import new_complaint
from tests.workspace import processing_fixtures
from tests.workspace.test_complaints_desk import working_hours_before

world = processing_fixtures.world  # the shared fixture, used by name

pytestmark = pytest.mark.django_db

WEDNESDAY = date(2026, 3, 4)


@pytest.fixture
def due_thursday(world):
    """A dossier (the specialist's) and a complaint (specialist2's) of the department due Thu 05/03; others not."""
    for name in ("desk", "specialist", "specialist2", "leader", "control", "outsider"):
        user = getattr(world, name)
        user.email = f"{user.username}@so-tu-phap.example.vn"
        user.save()
    dossier = world.processing(at=vn(2026, 2, 26, 9), consulted=False)
    assert dossier.due_at == vn(2026, 3, 5, 9) and dossier.current_assignee == world.specialist
    later = world.processing(at=vn(2026, 3, 2, 9), consulted=False)  # due Mon 09/03
    complaint = new_complaint(world, at=working_hours_before(vn(2026, 3, 5, 10), 120))
    feedback.accept(complaint, actor=world.desk, at=vn(2026, 3, 2, 8))
    feedback.assign(complaint, assignee=world.specialist2, actor=world.leader, at=vn(2026, 3, 2, 9))
    elsewhere = new_complaint(
        world, at=working_hours_before(vn(2026, 3, 5, 11), 120), unit=world.other_unit, sender="Ngô Văn Khác"
    )
    return {"dossier": dossier, "later": later, "complaint": complaint, "elsewhere": elsewhere}


def by_recipient() -> dict[str, object]:
    return {m.to[0].split("@")[0]: m for m in mail.outbox}


def test_next_working_day():
    assert next_working_day(WEDNESDAY) == date(2026, 3, 5)
    assert next_working_day(date(2026, 3, 6)) == date(2026, 3, 9)  # Friday → Monday
    assert get_calendar().is_working_day(next_working_day(date(2026, 4, 29)))


def test_each_official_gets_what_turns_late_in_their_reach(world, due_thursday):
    report = queue_digests(WEDNESDAY)
    assert report.day == date(2026, 3, 5)
    mails = by_recipient()
    assert set(mails) == {"motcua_so", "chuyenvien", "chuyenvien2", "lanhdao"}  # not the overseer, nor the outsider
    dossier, complaint = due_thursday["dossier"], due_thursday["complaint"]
    leader = mails["lanhdao"]
    assert leader.subject == "Đến hạn ngày 05/03/2026: 1 hồ sơ, 1 phản ánh, kiến nghị"
    assert f"{dossier.code} · Cấp phiếu lý lịch tư pháp · hạn trả kết quả 09:00 ngày 05/03/2026" in leader.body
    assert f"{complaint.code} · Chậm trả kết quả hồ sơ đất đai · hạn trả lời" in leader.body
    assert "Kính gửi Trần Quốc Bảo" in leader.body
    assert due_thursday["later"].code not in leader.body and due_thursday["elsewhere"].code not in leader.body
    assert mails["motcua_so"].subject == leader.subject
    assert dossier.code in mails["chuyenvien"].body and complaint.code not in mails["chuyenvien"].body
    assert complaint.code in mails["chuyenvien2"].body and dossier.code not in mails["chuyenvien2"].body
    assert set(Notification.objects.values_list("kind", "object_id", "state").distinct()) == {
        (Kind.STAFF_DIGEST, "2026-03-05", Notification.State.SENT)
    }


def test_once_per_official_and_day(world, due_thursday):
    queue_digests(WEDNESDAY)
    queue_digests(WEDNESDAY)
    assert len(mail.outbox) == 4 and Notification.objects.count() == 4


def test_not_on_a_day_off_and_friday_tells_about_monday(world, due_thursday):
    assert queue_digests(date(2026, 3, 7)) is None and mail.outbox == []  # Saturday
    report = queue_digests(date(2026, 3, 6))
    assert report.day == date(2026, 3, 9)
    assert due_thursday["later"].code in by_recipient()["lanhdao"].body


def test_nothing_to_report_no_message(world, due_thursday):
    report = queue_digests(date(2026, 3, 10))
    assert report.digests == [] and mail.outbox == []


def test_the_command(world, due_thursday, capsys):
    call_command("notify_digest", "--date", "2026-03-04", "--dry-run")
    out = capsys.readouterr().out
    assert "05/03/2026" in out and "Trần Quốc Bảo <lanhdao@so-tu-phap.example.vn>: 1 hồ sơ, 1 PAKN" in out
    assert mail.outbox == [] and Notification.objects.count() == 0
    call_command("notify_digest", "--date", "2026-03-04")
    assert "Đã gửi 4 thư" in capsys.readouterr().out and len(mail.outbox) == 4
    call_command("notify_digest", "--date", "2026-03-04")
    assert "Đã gửi 0 thư" in capsys.readouterr().out and len(mail.outbox) == 4
    call_command("notify_digest", "--date", "2026-03-07")  # by hand also on a day off: about Monday
    assert "09/03/2026" in capsys.readouterr().out
    assert cli.ALIASES["notify-digest"] == "notify_digest"


def test_the_command_refuses_a_bad_date(capsys):
    with pytest.raises(SystemExit) as exit_info:
        call_command("notify_digest", "--date", "04/03/2026")
    assert exit_info.value.code == 2 and "Lỗi: Ngày không hợp lệ" in capsys.readouterr().err


def test_the_periodic_task_runs(world, due_thursday, monkeypatch):
    from motcua.notifications import digest

    monkeypatch.setattr(digest.timezone, "localdate", lambda: WEDNESDAY)
    tasks.send_daily_digest.call_local()
    assert len(mail.outbox) == 4


def test_a_leader_of_the_province_gets_the_whole_province(world, due_thursday):
    from tests.workspace.processing_fixtures import official

    head = official("chutich", world.province, "leader", "Phan Văn Tỉnh")
    head.email = "chutich@example.vn"
    head.save()
    queue_digests(WEDNESDAY)
    body = by_recipient()["chutich"].body
    assert due_thursday["dossier"].code in body and due_thursday["complaint"].code in body
    assert due_thursday["elsewhere"].code in body  # the other department's, too
