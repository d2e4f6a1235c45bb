"""A dossier's whole journey through the office, in a real headless Chromium (Debian's, via Playwright).

The desk receives it and hands it to the first step; the specialist asks for a supplement, which the
applicant brings to the desk; the specialist proposes an apology-and-extension letter and a result; the
leader signs both before the due instant; the desk returns the result; the control officer sees the
department's 766 indicator 2.1 change on the scoreboard (recomputed live after each committed event).
The recomputations run in a background worker, as in the demo and in production: every action of the day
is answered while they are held back (issue #10 item 9), and the scoreboard follows once they have run.
Screenshots of the main pages go to test-artifacts/e2e-*.png.
"""

import pytest
from huey.contrib.djhuey import HUEY

from motcua.dossiers.models import ApologyLetter, Dossier, Status
from motcua.index766.models import IndicatorSnapshot
from motcua.index766.tasks import current_periods, recompute_current_snapshots
from tests.browser import ARTIFACTS, PASSWORD, requires_chromium, sign_in, submit
from tests.index766.conftest import file_database  # noqa: F401 - Ibis reads committed data from a file
from tests.workspace import desk_fixtures

desk_world = desk_fixtures.desk_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("pinned_now", "file_database"),  # "now": tests.conftest.PINNED_NOW
    requires_chromium,
]


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"e2e-{name}.png"), full_page=True)


def indicator_cells(page, code="2.1") -> tuple[str, str]:
    cells = page.locator(f'[id="indicator-{code}"] td.text-end')
    return cells.nth(0).inner_text().strip(), cells.nth(1).inner_text().strip()


def stored_21(unit) -> tuple[float | None, float | None]:
    month = current_periods()[0]
    row = (
        IndicatorSnapshot.objects.filter(unit=unit, period=month, indicator="2.1")
        .values_list("numerator", "denominator")
        .first()
    )
    return row or (None, None)


def test_a_dossier_goes_through_the_office_and_the_scoreboard_follows(
    live_server, browser_page, desk_world, settings, queued_worker
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # a real hash costs a second
    settings.MOTCUA_LIVE_766 = True  # recomputed after each committed event, by the worker (tests/e2e/conftest.py)
    page, w, base = browser_page, desk_world, live_server.url
    for user in (w.desk, w.specialist, w.leader, w.control):
        user.set_password(PASSWORD)
        user.save()
    recompute_current_snapshots()
    before = stored_21(w.department)

    # The control officer's view before: the department's row for 2.1.
    sign_in(page, base, "kiemsoat")
    page.goto(f"{base}/bang-diem-766/don-vi/{w.department.code}/")
    cells_before = indicator_cells(page)

    # 1. The desk receives a paper dossier and hands it to the first step.
    sign_in(page, base, "motcua_so")
    page.goto(f"{base}/can-bo/mot-cua/tiep-nhan/")
    page.type("#procedure-search", "ly lich", delay=20)
    page.wait_for_selector(".procedure-hit")
    page.click(".procedure-hit >> nth=0")
    page.wait_for_selector("#chosen-procedure")
    page.fill("#id_applicant_name", "Lê Thị Hoa")
    page.fill("#id_applicant_id_number", "044190001234")
    page.fill("#id_applicant_address", "5 Trần Phú, phường Trung Tâm")
    for component in w.components[:2]:
        page.check(f"#id_c{component.pk}")
    shot(page, "desk-receive")
    submit(page, "#btn-receive")
    dossier = Dossier.objects.get(applicant_name="Lê Thị Hoa")
    assert dossier.status == Status.RECEIVED and dossier.due_at is not None
    page.select_option("#id_assignee", str(w.specialist.pk))
    shot(page, "desk-received")
    submit(page, "#btn-start")
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING and dossier.current_step == w.steps[0]

    # 2. The specialist asks for a supplement (once, itemised).
    sign_in(page, base, "chuyenvien")
    page.wait_for_selector("#queue-table")
    assert dossier.code in page.inner_text("#queue-table")
    shot(page, "queue")
    page.goto(f"{base}/can-bo/ho-so/{dossier.code}/thao-tac/yeu-cau-bo-sung/")
    page.fill("#id_items", "Giấy tờ chứng minh nơi cư trú")
    page.fill("#id_reason", "Thiếu giấy tờ chứng minh nơi cư trú")
    submit(page)
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED

    # 3. The applicant brings it to the desk.
    sign_in(page, base, "motcua_so")
    page.goto(f"{base}/can-bo/mot-cua/ho-so/{dossier.code}/nhan-bo-sung/")
    submit(page)
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING

    # 4. The specialist proposes the apology letter and the result, for the leader's signature.
    sign_in(page, base, "chuyenvien")
    page.goto(f"{base}/can-bo/ho-so/{dossier.code}/thao-tac/de-xuat-xin-loi/")
    page.fill("#id_reason", "Chờ xác minh nơi cư trú với Công an xã")
    page.fill("#id_extension_days", "2")
    submit(page)
    page.goto(f"{base}/can-bo/ho-so/{dossier.code}/thao-tac/trinh-ket-qua/")
    page.fill("#id_title", "Phiếu lý lịch tư pháp số 1")
    page.fill("#id_result_code", "LLTP-E2E-001")
    page.select_option("#id_step", str(w.steps[2].pk))
    page.select_option("#id_assignee", str(w.leader.pk))
    submit(page)
    shot(page, "dossier")

    # 5. The leader signs the letter (before the due instant) and the result.
    sign_in(page, base, "lanhdao")
    page.goto(f"{base}/can-bo/trinh-ky/")
    page.wait_for_selector("#approvals-table")
    shot(page, "approvals")
    submit(page, f"tr[data-code='{dossier.code}'][data-kind='apology'] button.sign-button")
    submit(page, f"tr[data-code='{dossier.code}'][data-kind='result'] button.sign-button")
    dossier.refresh_from_db()
    letter = ApologyLetter.objects.get(dossier=dossier)
    assert letter.issued_at < dossier.due_at and dossier.extended_due_at == letter.new_due_at
    assert dossier.status == Status.DONE

    # 6. The desk returns the result.
    sign_in(page, base, "motcua_so")
    page.goto(f"{base}/can-bo/mot-cua/ho-so/{dossier.code}/tra-ket-qua/")
    submit(page)
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED

    # Every action above was answered while the worker held back the first event's recomputation, so the
    # recomputations of the later events were still queued: no action waited for its own.
    assert queued_worker.held == 1 and queued_worker.done == 0 and HUEY.pending_count() >= 5
    assert stored_21(w.department) == before

    # 7. Once the worker has run, the scoreboard followed: the department's 2.1 counts the dossier, on time.
    queued_worker.drain()
    after = stored_21(w.department)
    assert after != before and after[1] == (before[1] or 0) + 1 and after[0] == (before[0] or 0) + 1
    sign_in(page, base, "kiemsoat")
    page.goto(f"{base}/bang-diem-766/don-vi/{w.department.code}/")
    assert indicator_cells(page) != cells_before
    shot(page, "scoreboard-unit")
    page.goto(f"{base}/can-bo/ho-so/{dossier.code}/")
    assert page.locator("#actions-panel a.action-link").count() == 0  # the control officer only reads
    shot(page, "dossier-control")
