"""The public pages in headless Chromium: axe-core finds no serious or critical violation, nothing overflows a
360 px phone; end to end, a citizen finds a procedure in a unit's embedded widget, tracks a dossier from the
receipt's QR address, rates it "not satisfied", and the leader's follow-up task appears."""

import contextlib
import html
import http.server
import re
import threading
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from motcua.documents import services as documents
from motcua.feedback.models import RatingFollowUp
from motcua.feedback.services import record_rating
from motcua.org.demo import DEMO_PASSWORD
from tests.browser import ARTIFACTS, requires_chromium
from tests.public.test_complaints import complaint

pytestmark = [pytest.mark.django_db(transaction=True), requires_chromium]

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
PHONE = {"width": 360, "height": 740}


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical violations of the page as it stands (WCAG 2.x A/AA and best practice)."""
    # Evaluated through the DevTools protocol: the site's CSP forbids inline scripts (as it should).
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def overflows(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth + 1")


def signed_in(page, live_server, user):
    """Give the browser a session of ``user`` (the login page itself is tested elsewhere)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@contextlib.contextmanager
def unit_website(body: str):
    """A unit's own website at another origin: a loopback server of its own (Chromium refuses a public page
    framing a local one, so the host page must be local too), stopped on exit."""

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_every_public_page_passes_axe_at_360_px(live_server, browser_page, world, settings):
    settings.MOTCUA_PUBLIC_URL = live_server.url
    done, returned = world.done(), world.returned()
    complaint(
        world, "PAKN-1", "Thời gian cấp phiếu quá lâu", "Tôi chờ 10 ngày.", "da_cong_khai", answer="Đã khắc phục."
    )
    record_rating(returned, satisfied=False, reason="Chậm", rated_at=timezone.now(), source="portal")
    dept = world.department.code
    tracked = documents.build_context("01", done)["qr_payload"].removeprefix(live_server.url)
    pages = {
        "home": "/",
        "catalogue": "/thu-tuc/?q=ly+lich",
        "procedure": "/thu-tuc/1.000001/",
        "unit": f"/don-vi/{dept}/",
        "embed": f"/nhung/{dept}/",
        "embed-procedure": f"/nhung/{dept}/thu-tuc/1.000001/",
        "track-form": "/tra-cuu-ho-so/",
        "tracked": tracked,
        "track-invalid": "/tra-cuu-ho-so/x:y/",
        "complaints": "/phan-anh-kien-nghi/",
        "complaint": "/phan-anh-kien-nghi/PAKN-1/",
    }
    page = browser_page
    page.set_viewport_size(PHONE)
    failures = {}
    ARTIFACTS.mkdir(exist_ok=True)
    for viewport in (PHONE, {"width": 1366, "height": 768}):  # the navigation is collapsed on a phone
        page.set_viewport_size(viewport)
        for name, path in pages.items():
            response = page.goto(live_server.url + path)
            assert response.status == (404 if name == "track-invalid" else 200), name
            if found := serious_violations(page):
                failures[f"{name} at {viewport['width']} px"] = found
            if viewport == PHONE:
                if overflows(page):
                    failures.setdefault(name, []).append("wider than 360 px")
                page.screenshot(path=str(ARTIFACTS / f"public-{name}-360.png"), full_page=True)
    page.set_viewport_size(PHONE)
    # The form's error state, the 429 page and the staff pages that go with the public side.
    page.goto(live_server.url + "/tra-cuu-ho-so/")
    page.fill("#id_code", "H99.01-990101-0001")
    page.fill("#id_factor", "1234")
    with page.expect_navigation():
        page.click("button[type=submit]")
    failures.update({"track-error": v} if (v := serious_violations(page)) else {})
    settings.MOTCUA_PUBLIC_RATE = "0/m"
    assert page.goto(live_server.url + tracked).status == 429
    failures.update({"too-many": v} if (v := serious_violations(page)) else {})
    settings.MOTCUA_PUBLIC_RATE = "60/m"
    signed_in(page, live_server, world.desk)
    for name, path in {
        "kiosk": f"/danh-gia-tai-quay/{dept}/",
        "kiosk-reasons": f"/danh-gia-tai-quay/{dept}/{returned.code}/ly-do/",
    }.items():
        assert page.goto(live_server.url + path).status == 200, name
        failures.update({name: v} if (v := serious_violations(page)) else {})
        if overflows(page):
            failures.setdefault(name, []).append("wider than 360 px")
        page.screenshot(path=str(ARTIFACTS / f"public-{name}-360.png"), full_page=True)
    signed_in(page, live_server, world.leader)
    page.set_viewport_size({"width": 1366, "height": 768})
    assert page.goto(live_server.url + "/can-bo/theo-doi-danh-gia/").status == 200
    failures.update({"follow-ups": v} if (v := serious_violations(page)) else {})
    assert failures == {}


def test_citizen_embed_to_qr_to_rating_to_the_leaders_task(live_server, browser_page, world, settings):
    settings.MOTCUA_PUBLIC_URL = live_server.url
    page = browser_page
    page.set_viewport_size(PHONE)
    # A unit's own website with the snippet from its public page.
    snippet = html.unescape(Client().get(f"/don-vi/{world.department.code}/").content.decode())
    assert f'src="{live_server.url}/nhung/{world.department.code}/"' in snippet
    iframe = re.search(r"<iframe [^>]+></iframe>", snippet).group(0)
    with unit_website(
        f'<!doctype html><html lang="vi"><head><title>Sở Tư pháp</title></head><body>'
        f"<h1>Cổng thông tin Sở Tư pháp</h1>{iframe}</body></html>"
    ) as website:
        page.goto(website)
        frame = page.frame_locator("iframe")
        frame.get_by_label("Tên hoặc mã thủ tục").fill("ly lich tu phap")
        frame.get_by_role("button", name="Tìm").click()
        frame.get_by_role("link", name="Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam").click()
        frame.get_by_role("heading", name="Thành phần hồ sơ").wait_for()
        assert "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp" in frame.locator("body").inner_text()
        assert "Đăng ký khai sinh" not in frame.locator("body").inner_text()

    # Later: the citizen's dossier has its result; they scan the receipt's QR code.
    dossier = world.done()
    url = documents.build_context("01", dossier)["qr_payload"]
    assert url.startswith(live_server.url + "/tra-cuu-ho-so/")
    page.goto(url)
    assert "Đã có kết quả giải quyết" in page.inner_text("main")
    page.get_by_role("radio", name="Không hài lòng").check()
    page.get_by_label("Lý do không hài lòng (khi không hài lòng)").select_option("thai_do")
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi đánh giá").click()
    assert "Cảm ơn ông/bà đã đánh giá" in page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / "public-rated-360.png"), full_page=True)
    assert RatingFollowUp.objects.filter(rating__dossier=dossier, state="open").exists()

    # The department's leader signs in and finds the task.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/dang-nhap/?next=/can-bo/theo-doi-danh-gia/")
    page.fill("#id_username", "lanhdao")
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.goto(f"{live_server.url}/can-bo/theo-doi-danh-gia/")
    table = page.inner_text("main")
    assert dossier.code in table and "Thái độ của cán bộ" in table
    page.screenshot(path=str(ARTIFACTS / "public-follow-ups.png"), full_page=True)
