"""Issue #10 items 10 and 11 in a real headless Chromium: a double click on "Ghi ý kiến" records one opinion
and the button shows progress; the leader assigns an unassigned dossier from the phân công screen and it
appears in the specialist's "Việc của tôi". Screenshot: test-artifacts/e2e-phan-cong.png."""

import pytest

from motcua.dossiers import services
from motcua.dossiers.models import DossierEvent
from tests.browser import ARTIFACTS, requires_chromium
from tests.workspace import processing_fixtures
from tests.workspace.processing_fixtures import RECEIVED_AT

world = processing_fixtures.world
PASSWORD = "motcua-demo-2026"

pytestmark = [pytest.mark.django_db(transaction=True), requires_chromium]


def sign_in(page, base, username, next_path):
    page.goto(f"{base}/dang-nhap/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")


def test_double_click_records_once_and_the_leader_assigns(live_server, browser_page, world, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for user in (world.specialist, world.leader):
        user.set_password(PASSWORD)
        user.save()
    page, base = browser_page, live_server.url
    dossier = world.processing(consulted=False)

    # Item 10: the appraisal form, clicked twice in a row.
    sign_in(page, base, "chuyenvien", f"/can-bo/ho-so/{dossier.code}/thao-tac/tham-dinh/")
    page.fill("#id_opinion", "Hồ sơ đủ điều kiện giải quyết.")
    with page.expect_navigation():
        page.dblclick("main form button[type=submit]")
    assert DossierEvent.objects.filter(dossier=dossier, action="appraise").count() == 1

    # Item 11: a dossier handed on "để lãnh đạo phân công" waits on the phân công screen, not in a queue.
    waiting = world.received()
    services.start_processing(waiting, assignee=None, actor=world.desk, at=RECEIVED_AT.replace(minute=30))
    page.goto(f"{base}/can-bo/viec-cua-toi/")
    assert waiting.code not in page.inner_text("#queue-table")
    page.click("nav form[action$='/dang-xuat/'] button")
    sign_in(page, base, "lanhdao", "/can-bo/phan-cong/")
    row = page.locator(f"tr.unassigned-row[data-code='{waiting.code}']")
    assert row.count() == 1 and "Nguyễn Minh Tuấn" in page.inner_text("#workload-table")
    row.locator("select").select_option(label="Đỗ Thị Lan")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "e2e-phan-cong.png"), full_page=True)
    with page.expect_navigation():
        row.locator("button[type=submit]").click()
    assert "Đã phân công hồ sơ" in page.inner_text(".messages")
    waiting.refresh_from_db()
    assert waiting.current_assignee == world.specialist2
