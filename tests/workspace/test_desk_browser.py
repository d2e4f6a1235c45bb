"""The desk in a real headless Chromium: sign in, pick a procedure by typing, receive, print the receipt."""

import pytest
from django.utils import timezone

from motcua.dossiers.models import Dossier, Status
from motcua.org.demo import DEMO_PASSWORD
from tests.browser import ARTIFACTS, requires_chromium
from tests.pdfs import pdf_bytes
from tests.workspace import desk_fixtures

desk_world = desk_fixtures.desk_world  # the shared fixture, used by name

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("pinned_now"),  # "now": tests.conftest.PINNED_NOW
    requires_chromium,
]


def test_desk_officer_receives_a_paper_dossier(live_server, browser_page, desk_world, tmp_path):
    page = browser_page
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("#id_username", "motcua_so")
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "/can-bo/mot-cua/" in page.url  # the desk officer lands at the desk

    page.click("text=Tiếp nhận hồ sơ mới")
    page.wait_for_selector("#procedure-search")
    page.type("#procedure-search", "ly lich tu", delay=30)  # no accents: the search ignores them
    page.wait_for_selector(".procedure-hit")
    page.click(".procedure-hit >> nth=0")
    page.wait_for_selector("#chosen-procedure")
    assert "1.000001" in page.inner_text("#chosen-procedure")

    page.fill("#id_applicant_name", "Nguyễn Văn An")
    page.fill("#id_applicant_id_number", "001203004567")
    page.fill("#id_applicant_phone", "0912345678")
    page.fill("#id_applicant_address", "12 Lê Lợi, phường Trung Tâm")
    tp01, tp02, _tp03 = desk_world.components
    scan = tmp_path / "to-khai.pdf"
    scan.write_bytes(pdf_bytes(text="scanned"))
    page.set_input_files(f"#id_f{tp01.pk}", str(scan))  # choosing a scan ticks its component
    assert page.is_checked(f"#id_c{tp01.pk}")
    page.check(f"#id_c{tp02.pk}")
    page.click("button[value=check]")
    page.wait_for_selector("#completeness-result[data-complete='1']")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "desk-receive.png"), full_page=True)

    with page.expect_navigation():
        page.click("#btn-receive")
    dossier = Dossier.objects.get()
    assert dossier.status == Status.RECEIVED
    due_text = timezone.localtime(dossier.due_at).strftime("%H:%M %d/%m/%Y")
    assert due_text in page.inner_text("#due-at")
    assert dossier.code in page.inner_text("#dossier-code")
    page.screenshot(path=str(ARTIFACTS / "desk-received.png"), full_page=True)

    href = page.get_attribute("#receipt-link", "href")
    receipt = page.request.get(f"{live_server.url}{href}")  # with the signed-in session's cookies
    assert receipt.status == 200 and receipt.headers["content-type"] == "application/pdf"
    assert receipt.body().startswith(b"%PDF")
