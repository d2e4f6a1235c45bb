"""The digital dossier in a real headless Chromium (issue #11 "Tests and figures").

The desk officer is refused a disguised executable, then receives a real PDF and a scanned image; the
specialist opens both through the dossier page and uploads a draft result; the leader signs it and the
page shows a valid PAdES signature; a byte flipped in the stored file shows it broken; an official of
another unit gets 404 on the file URL. Screenshots: test-artifacts/digital-*.png.
"""

import pytest

from motcua.dossiers.models import Dossier, DossierResult, Status
from motcua.files.storage import file_storage
from motcua.org.demo import DEMO_PASSWORD
from tests.browser import ARTIFACTS, requires_chromium
from tests.pdfs import EXECUTABLE, image_bytes, pdf_bytes
from tests.workspace import desk_fixtures

desk_world = desk_fixtures.desk_world  # the shared fixture, used by name

pytestmark = [pytest.mark.django_db(transaction=True), requires_chromium]


def sign_in(page, base, username, next_path="/can-bo/"):
    page.goto(f"{base}/dang-nhap/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")


def sign_out(page):
    with page.expect_navigation():
        page.click("nav form[action$='/dang-xuat/'] button")


def fill_reception(page, world, scan_path, image_path):
    page.goto(page.url.split("/can-bo/")[0] + "/can-bo/mot-cua/tiep-nhan/")
    page.wait_for_selector("#procedure-search")
    page.type("#procedure-search", "ly lich tu", delay=30)
    page.wait_for_selector(".procedure-hit")
    page.click(".procedure-hit >> nth=0")
    page.wait_for_selector("#chosen-procedure")
    page.fill("#id_applicant_name", "Nguyễn Văn An")
    page.fill("#id_applicant_id_number", "001203004567")
    page.fill("#id_applicant_address", "12 Lê Lợi, phường Trung Tâm")
    tp01, tp02, _tp03 = world.components
    page.set_input_files(f"#id_f{tp01.pk}", str(scan_path))
    page.set_input_files(f"#id_f{tp02.pk}", str(image_path))


def test_digital_dossier_from_the_desk_to_a_signed_result(live_server, browser_page, desk_world, tmp_path):
    page, base = browser_page, live_server.url
    ARTIFACTS.mkdir(exist_ok=True)
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(EXECUTABLE)  # a Windows executable named like a PDF (what issue 11 found accepted)
    scan, image = tmp_path / "to-khai.pdf", tmp_path / "can-cuoc.png"
    scan.write_bytes(pdf_bytes(2, text="to khai"))
    image.write_bytes(image_bytes("PNG", size=(300, 200)))

    # 1. The desk: the disguised executable is refused and nothing is saved; the real files are received.
    sign_in(page, base, "motcua_so", "/can-bo/mot-cua/")
    fill_reception(page, desk_world, fake, image)
    with page.expect_navigation():
        page.click("button[value=receive]")
    assert "không khớp với tên tệp" in page.content() and Dossier.objects.count() == 0
    fill_reception(page, desk_world, scan, image)
    with page.expect_navigation():
        page.click("button[value=receive]")
    dossier = Dossier.objects.get()
    assert dossier.status == Status.RECEIVED and dossier.components.filter(digitized=True).count() == 2
    page.select_option("#id_assignee", str(desk_world.specialist.pk))
    with page.expect_navigation():
        page.click("#btn-start")
    sign_out(page)

    # 2. The specialist opens both files inline through the dossier page and uploads a draft result.
    sign_in(page, base, "chuyenvien", f"/can-bo/ho-so/{dossier.code}/")
    links = page.locator("a.component-file")
    assert links.count() == 2
    component_urls = [links.nth(i).get_attribute("href") for i in range(2)]
    for href in component_urls:
        response = page.request.get(f"{base}{href}")
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
        assert response.headers["content-disposition"].startswith("inline")
        assert response.body().startswith(b"%PDF")
    with page.context.expect_page() as opened:
        links.nth(1).click()  # the scanned image, converted to PDF, in a tab of its own
    opened.value.close()
    page.click("a[data-action='trinh-ket-qua']")
    page.wait_for_selector("#action-pane form #id_title")
    page.fill("#id_title", "Phiếu lý lịch tư pháp số 1")
    page.fill("#id_result_code", "LLTP-2026-001")
    draft = tmp_path / "du-thao.pdf"
    draft.write_bytes(pdf_bytes(2, text="noi dung ket qua"))
    page.set_input_files("#id_draft", str(draft))
    page.select_option("#id_step", str(desk_world.steps[2].pk))
    page.select_option("#id_assignee", str(desk_world.leader.pk))
    with page.expect_navigation():
        page.click("#action-pane form button[type=submit]")
    assert "Đã trình ký dự thảo kết quả" in page.inner_text(".messages")
    page.screenshot(path=str(ARTIFACTS / "digital-specialist.png"), full_page=True)
    sign_out(page)

    # 3. The leader reviews the draft in the page and signs it: a valid signature is shown.
    sign_in(page, base, "lanhdao", f"/can-bo/ho-so/{dossier.code}/")
    draft_href = page.get_attribute("a.draft-file", "href")
    assert page.request.get(f"{base}{draft_href}").status == 200
    page.click("a[data-action='ky-ket-qua']")
    page.wait_for_selector("#action-pane form a.draft-file")
    with page.expect_navigation():
        page.click("#action-pane form button[type=submit]")
    assert "Đã ký duyệt và ký số kết quả" in page.inner_text(".messages")
    check = page.locator(".result .signature-check").first
    assert check.get_attribute("data-valid") == "1"
    assert "Đã ký số" in check.inner_text() and "nguyên vẹn" in check.inner_text()
    page.screenshot(path=str(ARTIFACTS / "digital-signed.png"), full_page=True)
    result = DossierResult.objects.get(dossier=dossier)
    assert result.signature_state == DossierResult.Signature.VERIFIED

    # 4. A byte flipped in the stored result: the same page now says the signature is broken.
    path = file_storage().path(result.stored_file.storage_name)
    data = bytearray(open(path, "rb").read())
    data[data.index(b"noi dung ket qua")] ^= 0x01
    open(path, "wb").write(bytes(data))
    page.reload()
    check = page.locator(".result .signature-check").first
    assert check.get_attribute("data-valid") == "0" and "bị phá vỡ" in page.inner_text("#results")
    page.screenshot(path=str(ARTIFACTS / "digital-broken.png"), full_page=True)
    sign_out(page)

    # 5. An official of another unit gets 404 on the file URL.
    sign_in(page, base, "motcua_xa", "/can-bo/mot-cua/")
    assert page.request.get(f"{base}{component_urls[0]}").status == 404
