"""Issue #10 items 1, 2 and 4 in a real headless Chromium: a commune's public-service centre receives a
department's procedure (NĐ 118/2025); after a long supplement the queue and the dossier page show the
effective due instant, not a late dossier; a dossier already late gets its one apology letter, proposed
from the queue and signed by the leader. Screenshots go to test-artifacts/e2e-law-*.png.

Times are relative to now (the live server reads the real clock): the dossiers are received twelve days ago.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from motcua.dossiers import rules, services
from motcua.dossiers.models import ApologyLetter, Dossier, Status
from tests.browser import ARTIFACTS, PASSWORD, requires_chromium, sign_in, submit
from tests.workspace import desk_fixtures

desk_world = desk_fixtures.desk_world

pytestmark = [pytest.mark.django_db(transaction=True), requires_chromium]


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"e2e-law-{name}.png"), full_page=True)


def processing(w, received_at, name):
    dossier = services.receive(
        procedure=w.procedure,
        handling_unit=w.department,
        receiving_unit=w.department,
        channel=1,
        actor=w.desk,
        received_at=received_at,
        applicant={"applicant_name": name, "applicant_id_number": "044190005678"},
    )
    services.start_processing(dossier, assignee=w.specialist, actor=w.desk, at=received_at + timedelta(minutes=30))
    return Dossier.objects.get(pk=dossier.pk)


def test_reception_across_boundaries_effective_due_and_a_late_apology(live_server, browser_page, desk_world, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MOTCUA_LIVE_766 = False  # this test is about the office, not the scoreboard
    page, w, base = browser_page, desk_world, live_server.url
    for user in (w.other_desk, w.specialist, w.leader):
        user.set_password(PASSWORD)
        user.save()

    # Item 1: the commune's centre receives the department's procedure and routes it to the department.
    sign_in(page, base, "motcua_xa")
    page.goto(f"{base}/can-bo/mot-cua/tiep-nhan/")
    page.type("#procedure-search", "ly lich", delay=20)
    page.wait_for_selector(".procedure-hit")
    page.click(".procedure-hit >> nth=0")
    page.wait_for_selector("#chosen-procedure")
    page.select_option("#id_handling_unit", str(w.department.pk))
    page.fill("#id_applicant_name", "Đỗ Văn Nam")
    page.fill("#id_applicant_id_number", "044190001111")
    page.fill("#id_applicant_address", "Thôn 3, xã An Bình")
    for component in w.components[:2]:
        page.check(f"#id_c{component.pk}")
    shot(page, "commune-receive")
    submit(page, "#btn-receive")
    received = Dossier.objects.get(applicant_name="Đỗ Văn Nam")
    assert received.status == Status.RECEIVED
    assert (received.receiving_unit, received.handling_unit) == (w.commune, w.department)
    assert received.code.startswith(f"{w.commune.code}-")

    # Item 2: NgayHenTra has passed, but the applicant spent longer than that on a supplement.
    now = timezone.now()
    start = (now - timedelta(days=12)).replace(microsecond=0)
    supplemented = processing(w, start, "Phan Thị Thu")
    assert supplemented.due_at < now
    services.request_supplement(
        supplemented, items=["Bản sao CCCD"], reason="Thiếu", actor=w.specialist, at=start + timedelta(hours=1)
    )
    back = start + timedelta(hours=1) + (now - supplemented.due_at) + timedelta(days=3)
    assert back < now
    services.complete_supplement(supplemented, actor=w.desk, at=back)
    supplemented = Dossier.objects.get(pk=supplemented.pk)
    assert supplemented.effective_due_at == rules.effective_due_at(supplemented) > now
    # Item 4: another one, late, without a letter.
    late = processing(w, start + timedelta(minutes=5), "Vũ Minh Khoa")
    assert late.effective_due_at < now

    sign_in(page, base, "chuyenvien")
    page.wait_for_selector("#queue-table")
    shot(page, "queue")
    row = page.locator(f"tr.queue-row[data-code='{supplemented.code}']")
    due_cell = row.locator("td").nth(4).inner_text()
    assert "quá hạn" not in due_cell and "còn" in due_cell
    assert row.locator(".apology-flag").count() == 0
    late_row = page.locator(f"tr.queue-row[data-code='{late.code}']")
    assert "quá hạn" in late_row.locator("td").nth(4).inner_text()
    page.goto(f"{base}/can-bo/ho-so/{supplemented.code}/")
    assert page.locator("#effective-due").inner_text().strip() == timezone.localtime(
        supplemented.effective_due_at
    ).strftime("%d/%m/%Y %H:%M")
    shot(page, "dossier-effective-due")

    # The late dossier: the queue proposes the letter; the specialist drafts it, the leader signs it.
    page.goto(f"{base}/can-bo/")
    page.wait_for_selector("#queue-table")
    with page.expect_navigation():
        page.click(f"tr.queue-row[data-code='{late.code}'] .apology-flag")
    page.fill("#id_reason", "Chờ kết quả xác minh của Công an tỉnh")
    page.fill("#id_extension_days", "3")
    submit(page)
    sign_in(page, base, "lanhdao")
    page.goto(f"{base}/can-bo/trinh-ky/")
    page.wait_for_selector("#approvals-table")
    shot(page, "approvals-late-apology")
    submit(page, f"tr[data-code='{late.code}'][data-kind='apology'] button.sign-button")
    letter = ApologyLetter.objects.get(dossier=late)
    assert letter.after_due and letter.late_practice and letter.new_due_at > now
    assert Dossier.objects.get(pk=late.pk).effective_due_at == letter.new_due_at
