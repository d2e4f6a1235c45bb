"""A complaint from the counter to publication in a real headless Chromium (Debian's, driven by Playwright).

The desk officer records a hotline complaint and takes it in, the leader assigns a specialist, the
specialist drafts the answer, the leader approves it and publishes it; every page shows the legal
deadlines in working hours (the views' clock is Wed 04/03/2026 10:00), and the sender gets the answer by
e-mail once. Screenshots: test-artifacts/complaint-intake.png, complaint-queue.png, complaint-published.png.
"""

import pytest
from django.core import mail

from motcua.feedback.models import Complaint, ComplaintStatus, ComplaintStatusLog
from motcua.notifications.models import Notification
from tests.browser import ARTIFACTS, requires_chromium
from tests.workspace import processing_fixtures

PASSWORD = "motcua-demo-2026"

world = processing_fixtures.world  # the shared fixture, used by name

pytestmark = [pytest.mark.django_db(transaction=True), requires_chromium]


def sign_in(page, base, username, next_path):
    page.goto(f"{base}/dang-nhap/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")


def sign_out(page):
    with page.expect_navigation():
        page.click("nav form[action$='/dang-xuat/'] button")


def click(page, selector):
    with page.expect_navigation():
        page.click(selector)


def deadline(page, key) -> str:
    return page.inner_text(f"#deadline-{key}")


def test_a_complaint_from_counter_intake_to_publication(live_server, browser_page, world, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # a real hash costs a second here
    settings.MOTCUA_NOTIFY_CHANNELS = ("email",)
    for user in (world.desk, world.specialist, world.leader):
        user.set_password(PASSWORD)
        user.save()
    page, base = browser_page, live_server.url
    ARTIFACTS.mkdir(exist_ok=True)

    # The desk officer records what a citizen says on the hotline.
    sign_in(page, base, "motcua_so", "/can-bo/phan-anh/")
    click(page, "#new-complaint")
    page.select_option("#id_channel", "duong_day_nong")
    page.select_option("#id_category", "quy_dinh")
    page.fill("#id_title", "Hẹn trả kết quả nhiều lần không đúng hẹn")
    page.fill("#id_content", "Tôi nộp hồ sơ lý lịch tư pháp, đã ba lần đến nhận mà chưa có kết quả.")
    page.fill("#id_sender_name", "Đặng Thị Thu")
    page.fill("#id_sender_email", "thu.dang@example.vn")
    page.screenshot(path=str(ARTIFACTS / "complaint-intake.png"), full_page=True)
    click(page, "#intake-form button[type=submit]")
    complaint = Complaint.objects.get()
    assert "Đã ghi nhận phản ánh, kiến nghị" in page.inner_text(".messages")
    assert "hạn trả lời 10:00 25/03/2026" in page.inner_text(".messages")  # 15 working days from Wed 04/03 10:00
    assert "06/03/2026 10:00" in deadline(page, "refuse") and "11/03/2026 10:00" in deadline(page, "supplement")
    assert "25/03/2026 10:00" in deadline(page, "answer") and "còn 120 giờ làm việc" in deadline(page, "answer")
    assert "tính từ khi phê duyệt" in deadline(page, "publish")
    click(page, "button[data-action='tiep-nhan']")
    assert "Đã tiếp nhận" in page.inner_text(".messages")
    sign_out(page)

    # The leader finds it in the queue with its deadline and assigns a specialist.
    sign_in(page, base, "lanhdao", "/can-bo/phan-anh/")
    row = page.locator(f"tr[data-code='{complaint.code}']")
    assert "Hạn trả lời: 25/03/2026 10:00" in row.inner_text() and "còn 120 giờ làm việc" in row.inner_text()
    page.screenshot(path=str(ARTIFACTS / "complaint-queue.png"), full_page=True)
    click(page, f"tr[data-code='{complaint.code}'] a")
    click(page, "a[data-action='phan-cong']")
    page.select_option("#id_assignee", str(world.specialist.pk))
    click(page, "form.action-form button[type=submit]")
    assert "Đã phân công Nguyễn Minh Tuấn xử lý" in page.inner_text(".messages")
    sign_out(page)

    # The specialist drafts the answer.
    sign_in(page, base, "chuyenvien", f"/can-bo/phan-anh/{complaint.code}/")
    click(page, "a[data-action='du-thao']")
    page.fill("#id_text", "Kính gửi bà Thu, hồ sơ của bà đã có kết quả từ ngày 03/03/2026; mời bà đến nhận.")
    click(page, "form.action-form button[type=submit]")
    assert "Đã trình lãnh đạo dự thảo trả lời" in page.inner_text(".messages")
    assert page.locator("a[data-action='du-thao']").count() == 0  # one draft at a time
    sign_out(page)

    # The leader approves (2 working days to publish) and publishes.
    sign_in(page, base, "lanhdao", f"/can-bo/phan-anh/{complaint.code}/")
    click(page, "button[data-action='phe-duyet']")
    assert "phải công khai trước 10:00 06/03/2026" in page.inner_text(".messages")
    assert "đúng hạn" in deadline(page, "answer") and "06/03/2026 10:00" in deadline(page, "publish")
    assert "Hạn công khai: 06/03/2026 10:00" in page.inner_text("#running-deadline")
    click(page, "button[data-action='cong-khai']")
    assert "Đã công khai trả lời" in page.inner_text(".messages")
    assert "Đã công khai" in page.inner_text("#complaint-header")
    assert "đúng hạn" in deadline(page, "publish") and "đã kết thúc" in page.inner_text("#running-deadline")
    assert "mời bà đến nhận" in page.inner_text("#approved-answer")
    page.screenshot(path=str(ARTIFACTS / "complaint-published.png"), full_page=True)

    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.PUBLISHED and complaint.due_at is None
    assert list(
        ComplaintStatusLog.objects.filter(complaint=complaint).order_by("pk").values_list("action", flat=True)
    ) == ["register", "accept", "assign", "draft_answer", "approve_answer", "publish"]
    # The sender is told once, by e-mail, with the answer.
    [email] = [m for m in mail.outbox if m.to == ["thu.dang@example.vn"]]
    assert "mời bà đến nhận" in email.body
    assert Notification.objects.filter(reference=complaint.code).count() == 1
