"""The admin, checked in a real headless Chromium: log in, find a dossier, read its event log."""

import os
import shutil
from pathlib import Path

import pytest

from motcua.dossiers import services
from motcua.org.demo import DEMO_PASSWORD, create_demo_logins
from tests.factories import procedure, province_with_department, vn

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="Debian chromium is not installed"),
]


@pytest.fixture
def browser_page():
    # Playwright's sync API runs an event loop in this thread; the ORM calls in the test are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="vi-VN")
        yield page
        browser.close()
        # ORM calls made while Playwright's loop runs get their own connection (Django's
        # connections are context-local): close it here, or PostgreSQL can't drop the test database.
        from django.db import connections

        connections.close_all()


def test_admin_shows_a_dossier_with_its_event_log(live_server, browser_page):
    _province, department, _commune = province_with_department()
    dossier = services.receive(procedure=procedure(), handling_unit=department, channel=1,
                               received_at=vn(2026, 3, 2, 9), applicant={"applicant_name": "Trần Thị Bình"})
    services.start_processing(dossier, at=vn(2026, 3, 2, 10))
    create_demo_logins()

    page = browser_page
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "motcua_admin")
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/dossiers/dossier/?q={dossier.code}")
    with page.expect_navigation():
        page.click(f"text={dossier.code}")
    page.wait_for_selector("#events-group")  # the inline of the append-only event log
    body = page.inner_text("body")
    assert "Tiếp nhận hồ sơ" in body and "Chuyển xử lý" in body  # the events, in Vietnamese
    assert "Trần Thị Bình" in page.content()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "admin-dossier.png"), full_page=True)
