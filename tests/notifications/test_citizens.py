"""Notifications to citizens: on receipt, supplement request, result ready, apology letter and complaint answered;
e-mail through Django's framework, SMS and Zalo through logging channels; written with the event, sent after
the commit in the worker (inline here: MOTCUA_HUEY_IMMEDIATE=1), once per event, opt-outs honoured."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from motcua.core.audit import audit_context
from motcua.dossiers import services
from motcua.dossiers.models import DossierEvent
from motcua.feedback.models import ComplaintStatus
from motcua.notifications import citizens, delivery
from motcua.notifications.models import Kind, Notification, OptOut
from motcua.notifications.tasks import send_notification
from tests.factories import vn
from tests.feedback.builders import reach
from tests.workspace import processing_fixtures

world = processing_fixtures.world  # the shared fixture, used by name

pytestmark = pytest.mark.django_db

S = Notification.State
CONTACT = {"applicant_email": "An.Nguyen@Example.vn", "applicant_phone": "+84 912 345 678"}


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run a service and its after-commit hooks (the queueing), as a request would."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def rows(kind=None):
    qs = Notification.objects.order_by("channel")
    return list(qs.filter(kind=kind) if kind else qs)


def test_receipt_by_email_sms_and_zalo(world, sent, caplog):
    caplog.set_level(logging.INFO, logger="motcua.notifications")
    dossier = sent(lambda: world.received(**CONTACT))
    made = rows(Kind.DOSSIER_RECEIVED)
    assert [(n.channel, n.recipient, n.state, n.attempts) for n in made] == [
        ("email", "an.nguyen@example.vn", S.SENT, 1),
        ("sms", "0912345678", S.SENT, 1),
        ("zalo", "0912345678", S.SENT, 1),
    ]
    event = DossierEvent.objects.get(dossier=dossier, action="receive")
    assert {n.object_id for n in made} == {str(event.pk)} and {n.reference for n in made} == {dossier.code}
    [email] = mail.outbox
    assert email.to == ["an.nguyen@example.vn"] and email.subject == f"Hồ sơ {dossier.code} đã được tiếp nhận"
    assert "Kính gửi Nguyễn Văn An" in email.body and "Cấp phiếu lý lịch tư pháp" in email.body
    assert "Hẹn trả kết quả: 09:00 ngày 09/03/2026" in email.body and "&" not in email.body.replace("&amp;", "")
    assert "/thong-bao/tu-choi-nhan/" in email.body and email.extra_headers["List-Unsubscribe"].startswith("<http")
    assert f"SMS to 0912345678: Sở Tư pháp: đã tiếp nhận hồ sơ {dossier.code}" in caplog.text
    assert "Zalo to 0912345678" in caplog.text


def test_supplement_result_and_apology(world, sent):
    dossier = sent(lambda: world.processing(**CONTACT))
    sent(
        lambda: services.request_supplement(
            dossier,
            items=["Bản sao CCCD", "Ảnh 4x6"],
            reason="Thiếu giấy tờ",
            actor=world.specialist,
            at=vn(2026, 3, 3, 9),
        )
    )
    sent(lambda: services.complete_supplement(dossier, actor=world.desk, at=vn(2026, 3, 3, 10)))
    proposal = services.propose_apology(
        dossier, reason="Chờ xác minh liên ngành", extension_days=3, actor=world.specialist, at=vn(2026, 3, 3, 11)
    )
    sent(lambda: services.sign_apology(proposal, signer=world.leader, at=vn(2026, 3, 3, 14)))
    sent(
        lambda: services.finish(
            dossier, result_code="KQ-1", title="Phiếu LLTP", signed=True, actor=world.leader, at=vn(2026, 3, 4, 9)
        )
    )
    subjects = [m.subject for m in mail.outbox]
    assert subjects == [
        f"Hồ sơ {dossier.code} đã được tiếp nhận",
        f"Hồ sơ {dossier.code} cần bổ sung, hoàn thiện",
        f"Xin lỗi về việc chậm giải quyết hồ sơ {dossier.code}",
        f"Hồ sơ {dossier.code} đã có kết quả",
    ]
    supplement, apology, result = mail.outbox[1].body, mail.outbox[2].body, mail.outbox[3].body
    assert "  - Bản sao CCCD\n  - Ảnh 4x6" in supplement and "Lý do: Thiếu giấy tờ" in supplement
    # Three working days after the effective due instant: NgayHenTra + the hour the applicant took to supplement.
    assert "Ngày hẹn trả kết quả mới: 10:00 ngày 12/03/2026" in apology and "đúng hẹn 09:00 ngày 09/03/2026" in apology
    assert "đã có kết quả giải quyết lúc 09:00 ngày 04/03/2026" in result
    sms = Notification.objects.get(kind=Kind.SUPPLEMENT_REQUESTED, channel="sms")
    assert sms.state == S.SENT and "Bản sao CCCD; Ảnh 4x6" in sms.body
    # Steps nobody is told about (start processing, supplement handed in, proposals) wrote nothing.
    assert Notification.objects.count() == 4 * 3


def test_complaint_answered_to_its_sender(world, sent):
    complaint = reach(world, ComplaintStatus.AWAITING_PUBLICATION)
    from motcua.feedback import services as feedback

    sent(lambda: feedback.publish(complaint, actor=world.desk, at=vn(2026, 3, 4, 9)))
    [email] = mail.outbox
    assert email.to == ["an.nguyen@example.vn"] and email.subject == f"Trả lời phản ánh, kiến nghị {complaint.code}"
    assert "Hồ sơ của ông đã có kết quả, mời ông đến nhận." in email.body and "Kính gửi Nguyễn Văn An" in email.body
    assert {n.channel for n in rows(Kind.COMPLAINT_ANSWERED)} == {"email", "sms", "zalo"}


def test_once_per_event_however_often_replayed_or_retried(world, sent):
    dossier = sent(lambda: world.received(**CONTACT))
    event = DossierEvent.objects.get(dossier=dossier, action="receive")
    before = [(n.pk, n.state, n.attempts) for n in rows()]
    assert sent(lambda: citizens.dossier_event(event)) == []  # the replay finds every row sent
    for n in rows():
        assert delivery.deliver(n.pk) == S.SENT  # a retried task sends nothing again
        send_notification(n.pk)
    assert [(n.pk, n.state, n.attempts) for n in rows()] == before and len(mail.outbox) == 1


class FailingBackend:
    """An e-mail backend whose server is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server unreachable")


def test_a_failed_sending_is_retried_and_sent_once(world, sent, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_citizens.FailingBackend"
    settings.MOTCUA_NOTIFY_CHANNELS = ("email",)
    sent(lambda: world.received(**CONTACT))  # the task fails; huey would retry it in 2 minutes
    [row] = rows()
    assert (row.state, row.attempts) == (S.FAILED, 1) and "SMTP server unreachable" in row.last_error
    with pytest.raises(delivery.DeliveryFailed):
        delivery.deliver(row.pk)  # the first retry fails too
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert delivery.deliver(row.pk) == S.SENT
    assert delivery.deliver(row.pk) == S.SENT  # a late duplicate of the retry
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == (S.SENT, 3, "") and len(mail.outbox) == 1


def test_it_gives_up_after_the_last_attempt(world, sent, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_citizens.FailingBackend"
    settings.MOTCUA_NOTIFY_CHANNELS = ("email",)
    sent(lambda: world.received(**CONTACT))
    [row] = rows()
    for _ in range(delivery.MAX_ATTEMPTS - 2):
        with pytest.raises(delivery.DeliveryFailed):
            delivery.deliver(row.pk)
    assert delivery.deliver(row.pk) == S.FAILED  # the last attempt: recorded, no further retry
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert delivery.deliver(row.pk) == S.FAILED and mail.outbox == []
    row.refresh_from_db()
    assert row.attempts == delivery.MAX_ATTEMPTS


def test_opt_outs_are_honoured_when_written_and_when_sent(world, sent, caplog):
    OptOut.objects.create(recipient="AN.NGUYEN@example.vn", channel="email", source="admin")
    sent(lambda: world.received(**CONTACT))
    assert {(n.channel, n.state) for n in rows()} == {("email", S.SKIPPED), ("sms", S.SENT), ("zalo", S.SENT)}
    assert mail.outbox == []
    # Every channel for a phone number, recorded after the notification was written but before it was sent.
    dossier = world.received(applicant_phone="0987 654 321")  # no commit hooks run: still pending
    pending = Notification.objects.filter(reference=dossier.code)
    assert {n.state for n in pending} == {S.PENDING}
    OptOut.objects.create(recipient="+84987654321", channel="")
    assert {delivery.deliver(n.pk) for n in pending} == {S.SKIPPED}
    assert "SMS to 0987654321" not in caplog.text and "Zalo to 0987654321" not in caplog.text


def test_the_unsubscribe_link(world, sent, client):
    sent(lambda: world.received(**CONTACT))
    email_row = Notification.objects.get(channel="email")
    url = delivery.unsubscribe_url(email_row).split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + url)
    html = page.content.decode()
    assert page.status_code == 200 and "a*******n@example.vn" in html and "an.nguyen" not in html
    assert OptOut.objects.count() == 0  # a GET (a mail scanner) changes nothing
    done = client.post("/" + url)
    assert done.status_code == 200 and 'id="opt-out-done"' in done.content.decode()
    assert list(OptOut.objects.values_list("recipient", "channel", "source")) == [
        ("an.nguyen@example.vn", "email", "link")
    ]
    client.post("/" + url)
    assert OptOut.objects.count() == 1
    assert client.get(reverse("notifications:unsubscribe", args=["gia-mao"])).status_code == 404


def test_a_rolled_back_event_tells_nothing(world):
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        world.received(**CONTACT)
        assert Notification.objects.count() == 3  # written with the event …
        raise Abort
    assert Notification.objects.count() == 0 and mail.outbox == []  # … and gone with it


def test_imports_tell_nobody(world, sent):
    dossier = world.received()
    with audit_context(None, "import:42"):
        DossierEvent.objects.create(dossier=dossier, action="finish", occurred_at=vn(2026, 3, 4, 9))
    dossier.applicant_email = "x@example.vn"
    dossier.save()
    assert Notification.objects.count() == 0


def test_a_queue_failure_never_fails_the_action_and_is_caught_up(world, sent, monkeypatch):
    from motcua.notifications import tasks

    def down(pk):
        raise ConnectionError("huey queue unavailable")

    monkeypatch.setattr(tasks, "send_notification", down)
    dossier = sent(lambda: world.received(**CONTACT))
    assert dossier.pk and {n.state for n in rows()} == {S.PENDING} and mail.outbox == []
    monkeypatch.undo()
    assert delivery.resend_stalled() == 0  # not yet: written less than 10 minutes ago
    Notification.objects.update(updated_at=vn(2026, 3, 1, 9))
    assert delivery.resend_stalled() == 3
    assert {n.state for n in rows()} == {S.SENT} and len(mail.outbox) == 1


def test_a_worker_killed_while_sending_is_retried(world):
    world.received(**CONTACT)  # no commit hooks: pending
    row = Notification.objects.get(channel="email")
    Notification.objects.filter(pk=row.pk).update(state=S.SENDING, attempts=1, updated_at=vn(2026, 3, 1, 9))
    assert delivery.resend_stalled() == 1  # the stalled one; the pending ones were written a moment ago
    row.refresh_from_db()
    assert row.state == S.SENT and row.attempts == 2


def test_channels_follow_the_setting(world, sent, settings):
    settings.MOTCUA_NOTIFY_CHANNELS = ("sms",)
    sent(lambda: world.received(**CONTACT))
    assert [(n.channel, n.state) for n in rows()] == [("sms", S.SENT)] and mail.outbox == []


@pytest.mark.parametrize(
    ("value", "backend"),
    [
        ("console", "django.core.mail.backends.console.EmailBackend"),
        ("file", "django.core.mail.backends.filebased.EmailBackend"),
        ("smtp", "django.core.mail.backends.smtp.EmailBackend"),
        ("tests.notifications.test_citizens.FailingBackend", "tests.notifications.test_citizens.FailingBackend"),
    ],
)
def test_email_backend_setting(value, backend, tmp_path):
    out = subprocess.run(
        [sys.executable, "-c", "from motcua import settings; print(settings.EMAIL_BACKEND)"],
        env={"MOTCUA_EMAIL_BACKEND": value, "MOTCUA_DATA_DIR": str(tmp_path), "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == backend


def test_a_bad_email_backend_setting_is_refused(tmp_path):
    out = subprocess.run(
        [sys.executable, "-c", "from motcua import settings"],
        env={"MOTCUA_EMAIL_BACKEND": "pigeon", "MOTCUA_DATA_DIR": str(tmp_path), "PATH": ""},
        capture_output=True,
        text=True,
    )
    assert out.returncode != 0 and "MOTCUA_EMAIL_BACKEND" in out.stderr
