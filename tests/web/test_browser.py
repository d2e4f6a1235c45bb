"""The admin, checked in a real headless Chromium: log in, find a dossier, read its event log."""

import pytest

from motcua.dossiers import services
from motcua.org.demo import DEMO_PASSWORD, create_demo_logins
from tests.browser import ARTIFACTS, requires_chromium
from tests.factories import procedure, province_with_department, vn

pytestmark = [
    pytest.mark.django_db(transaction=True),
    requires_chromium,
]


def test_admin_shows_a_dossier_with_its_event_log(live_server, browser_page):
    _province, department, _commune = province_with_department()
    dossier = services.receive(
        procedure=procedure(),
        handling_unit=department,
        channel=1,
        received_at=vn(2026, 3, 2, 9),
        applicant={"applicant_name": "Trần Thị Bình"},
    )
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


def test_api_docs_render_under_the_content_security_policy(live_server, browser_page):
    """Swagger UI starts from a script file (an inline start-up script would be blocked)."""
    page = browser_page
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "motcua API" in page.inner_text(".swagger-ui .info .title")
