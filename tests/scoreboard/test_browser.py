"""The scoreboard in a real headless Chromium: the control officer signs in, the trend chart is drawn
by the vendored Chart.js, a unit page opens with its indicators. Screenshots in test-artifacts/."""

import pytest

from motcua.org.demo import DEMO_PASSWORD, create_demo_logins
from tests.browser import ARTIFACTS, requires_chromium
from tests.factories import province_with_department

from .conftest import store_scores

pytestmark = [
    pytest.mark.django_db(transaction=True),
    requires_chromium,
]


def test_control_officer_sees_the_chart_and_a_unit(live_server, browser_page):
    from django.utils import timezone

    province, department, commune = province_with_department()
    today = timezone.localdate()
    month = f"{today:%Y-%m}"
    for m in range(1, today.month + 1):
        store_scores(province, f"{today.year}-{m:02d}", 0.5 + m * 0.03)
    store_scores(department, month, 0.82)
    store_scores(commune, month, 0.64)
    create_demo_logins()

    page = browser_page
    page.goto(f"{live_server.url}/dang-nhap/?next=/bang-diem-766/")
    page.fill("#id_username", "kiemsoat")
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.press("#id_password", "Enter")  # Enter submits
    page.wait_for_selector("#trend-chart")
    page.wait_for_function("window.Chart !== undefined && window.motcuaTrendChart !== undefined")
    size = page.evaluate(
        "(() => { const c = document.getElementById('trend-chart');"
        " return [c.width, c.height, window.Chart.getChart(c) !== undefined]; })()"
    )
    assert size[0] > 100 and size[1] > 100 and size[2] is True
    body = page.inner_text("body")
    assert "Tỉnh Thử Nghiệm" in body and "Xếp hạng Sở, ban, ngành" in body and "Xếp hạng Xã, phường, đặc khu" in body
    assert "không phải số liệu chính thức của Cổng DVCQG" in body
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "scoreboard-overview.png"), full_page=True)

    with page.expect_navigation():
        page.click(f"text={department.name}")
    page.wait_for_selector("#indicator-table")
    assert page.locator("#indicator-table tbody tr").count() == 24
    assert "Cách tính" not in page.title()
    assert "Lấy số hồ sơ giải quyết trước hạn" in page.inner_text("#indicator-2\\.1")
    page.screenshot(path=str(ARTIFACTS / "scoreboard-unit.png"), full_page=True)
