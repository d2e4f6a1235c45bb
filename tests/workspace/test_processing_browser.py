"""The specialist's and the leader's day in a real headless Chromium (Debian's, driven by Playwright).

The specialist signs in, opens the queue, opens the dossier flagged for an apology, proposes the letter
and hands the dossier to the leader's step with a draft result; the leader signs the letter and the
result from the approvals list. Screenshots: test-artifacts/queue.png, dossier.png, approvals.png.
"""

import pytest

from motcua.dossiers.models import ApologyLetter, Dossier, Status
from tests.browser import ARTIFACTS, requires_chromium
from tests.factories import vn
from tests.workspace import processing_fixtures

PASSWORD = "motcua-demo-2026"

world = processing_fixtures.world  # the shared fixture, used by name

pytestmark = [
    pytest.mark.django_db(transaction=True),
    requires_chromium,
]


def sign_in(page, base, username, next_path):
    page.goto(f"{base}/dang-nhap/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")


def sign_out(page):
    with page.expect_navigation():
        page.click("nav form[action$='/dang-xuat/'] button")


def test_specialist_hands_over_a_draft_and_the_leader_signs(live_server, browser_page, world, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # a real hash costs a second here
    for user in (world.specialist, world.leader):
        user.set_password(PASSWORD)
        user.save()
    # Today's work: the dossier under test has 6.5 working hours left; others around it.
    target = world.processing(applicant_name="Trần Thị Bình")
    Dossier.objects.filter(pk=target.pk).update(due_at=vn(2026, 3, 5, 8, 30), effective_due_at=vn(2026, 3, 5, 8, 30))
    for due, step_due in [
        (vn(2026, 3, 3, 16), vn(2026, 3, 4, 15)),
        (vn(2026, 3, 6, 10), vn(2026, 3, 5, 10, 30)),
        (vn(2026, 3, 9, 9), None),
    ]:
        other = world.processing(consulted=False, applicant_name="Phạm Văn Dũng")
        Dossier.objects.filter(pk=other.pk).update(due_at=due, effective_due_at=due, step_due_at=step_due)

    page, base = browser_page, live_server.url
    sign_in(page, base, "chuyenvien", "/can-bo/viec-cua-toi/")
    page.wait_for_selector("#queue-table")
    first_row = page.locator("tr.queue-row").first
    assert "quá hạn" in first_row.inner_text()  # the late one leads
    assert "Đề xuất xin lỗi, gia hạn" in page.locator(f"tr[data-code='{target.code}']").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "queue.png"), full_page=True)

    with page.expect_navigation():
        page.click(f"tr[data-code='{target.code}'] a.fw-semibold")
    page.wait_for_selector("#actions-panel")
    assert "còn 6,5 giờ làm việc" in page.inner_text("#dossier-header")

    # The apology-and-extension letter, proposed through the action panel (HTMX form).
    page.click("a[data-action='de-xuat-xin-loi']")
    page.wait_for_selector("#action-pane form #id_reason")
    page.fill("#id_reason", "Chờ Công an tỉnh xác nhận nơi cư trú")
    page.fill("#id_extension_days", "3")
    with page.expect_navigation():
        page.click("#action-pane form button[type=submit]")
    assert "Đã trình ký văn bản xin lỗi và đề nghị gia hạn" in page.inner_text(".messages")

    # The draft result, handed to the leader's signing step.
    page.click("a[data-action='trinh-ket-qua']")
    page.wait_for_selector("#action-pane form #id_title")
    page.fill("#id_title", "Phiếu lý lịch tư pháp số 1")
    page.fill("#id_result_code", "LLTP-2026-001")
    page.select_option("#id_step", str(world.steps[2].pk))
    page.select_option("#id_assignee", str(world.leader.pk))
    page.screenshot(path=str(ARTIFACTS / "dossier.png"), full_page=True)
    with page.expect_navigation():
        page.click("#action-pane form button[type=submit]")
    assert "Đã trình ký dự thảo kết quả" in page.inner_text(".messages")
    assert "Ký duyệt" in page.inner_text("#dossier-header")  # now at the leader's step
    sign_out(page)

    sign_in(page, base, "lanhdao", "/can-bo/trinh-ky/")
    page.wait_for_selector("#approvals-table")
    assert page.locator("tr.approval-row").count() == 2
    page.screenshot(path=str(ARTIFACTS / "approvals.png"), full_page=True)
    with page.expect_navigation():
        page.click(f"tr[data-code='{target.code}'][data-kind='apology'] button.sign-button")
    assert "Đã ký văn bản xin lỗi và đề nghị gia hạn" in page.inner_text(".messages")
    with page.expect_navigation():
        page.click(f"tr[data-code='{target.code}'][data-kind='result'] button.sign-button")
    assert "Đã ký duyệt kết quả" in page.inner_text(".messages")
    assert page.locator("tr.approval-row").count() == 0

    target.refresh_from_db()
    letter = ApologyLetter.objects.get(dossier=target)
    assert target.status == Status.DONE and target.results.get().signature_state == "unsigned"  # no draft file
    assert letter.signed_by == world.leader and target.extended_due_at == vn(2026, 3, 10, 8, 30)
