"""The processing screens: the queue ordered by working hours left, the apology flag, who sees what,
search, the dossier page and the approvals list, with their query budgets.

``NOW`` is Wed 04/03/2026 10:00; office hours 07:00–11:30 and 13:30–17:00 (8 h a day).
"""

import re

import pytest
from django.urls import reverse

from motcua.dossiers import services
from motcua.dossiers.models import Dossier, Status
from motcua.workdays.services import get_calendar
from motcua.workspace.processing import risk
from tests.factories import vn
from tests.workspace import processing_fixtures
from tests.workspace.processing_fixtures import NOW

world = processing_fixtures.world  # the shared fixture, used by name

pytestmark = pytest.mark.django_db


def codes(html: str, row_class: str = "queue-row") -> list[str]:
    return re.findall(rf'class="{row_class}" data-code="([^"]+)"', html)


def row(html: str, code: str) -> str:
    start = html.index(f'data-code="{code}"')
    return html[start : html.index("</tr>", start)]


def arranged(world, due_at, step_due_at, apology_until=None) -> Dossier:
    """A dossier at step 1 with the specialist, its deadlines set to the instants under test."""
    dossier = world.processing(consulted=False)
    Dossier.objects.filter(pk=dossier.pk).update(due_at=due_at, effective_due_at=due_at, step_due_at=step_due_at)
    dossier.refresh_from_db()
    if apology_until:
        services.issue_apology(
            dossier, reason="Chờ xác minh", new_due_at=apology_until, signer=world.leader, at=vn(2026, 3, 3, 9)
        )
    return dossier


@pytest.fixture
def queue_world(world):
    """Seven dossiers; working hours left from Wed 04/03 10:00 worked out by hand (Wed has 5 h left)."""
    cases = {
        # name: (due_at, step_due_at, apology new due, hours to due, hours to step, flag expected)
        # Late and without a letter: still proposed (a late letter is allowed once, interchange.md §4).
        "late": (vn(2026, 3, 3, 16), vn(2026, 3, 4, 15), None, -4.0, 3.0, True),  # Tue 16–17 + Wed 7–10
        "extended": (vn(2026, 3, 9, 9), vn(2026, 3, 4, 11), vn(2026, 3, 12, 9), 47.0, 1.0, False),  # 23 + 3 days
        "six_and_half": (vn(2026, 3, 5, 8, 30), None, None, 6.5, None, True),  # 5 + Thu 7:00–8:30
        "eight": (vn(2026, 3, 5, 10), None, None, 8.0, None, True),  # exactly one working day: flagged
        "step_first": (vn(2026, 3, 6, 10), vn(2026, 3, 5, 10, 30), None, 16.0, 8.5, False),
        "nine": (vn(2026, 3, 5, 11), None, None, 9.0, None, False),  # 5 + Thu 7:00–11:00
        "far": (vn(2026, 3, 6, 14), None, None, 18.0, None, False),  # 5 + 8 + 4.5 + 0.5
    }
    calendar = get_calendar()
    dossiers = {}
    for name, (due, step_due, extended, hours_due, hours_step, _flag) in cases.items():
        assert calendar.working_hours_between(NOW, extended or due) == hours_due  # the hand count is right
        if step_due:
            assert calendar.working_hours_between(NOW, step_due) == hours_step
        dossiers[name] = arranged(world, due, step_due, extended)
    return world, dossiers, cases


def test_queue_is_ordered_by_working_hours_left_with_both_countdowns(client, queue_world):
    world, dossiers, cases = queue_world
    client.force_login(world.specialist)
    html = client.get(reverse("workspace:queue")).content.decode()
    # risk = the smaller of the two countdowns: -4, 1, 6.5, 8, 8.5, 9, 18
    order = ["late", "extended", "six_and_half", "eight", "step_first", "nine", "far"]
    assert codes(html) == [dossiers[name].code for name in order]
    late = row(html, dossiers["late"].code)
    assert "quá hạn 4 giờ" in late and "còn 3 giờ làm việc" in late
    assert "còn 6,5 giờ làm việc" in row(html, dossiers["six_and_half"].code)
    extended = row(html, dossiers["extended"].code)
    assert "còn 47 giờ làm việc" in extended and "còn 1 giờ làm việc" in extended and "đã gia hạn" in extended


def test_apology_flag_at_one_working_day_left_not_after_a_letter_nor_when_late(client, queue_world):
    world, dossiers, cases = queue_world
    client.force_login(world.specialist)
    html = client.get(reverse("workspace:queue")).content.decode()
    for name, case in cases.items():
        assert ("Đề xuất xin lỗi, gia hạn" in row(html, dossiers[name].code)) is case[-1], name

    # Proposed and signed: the flag goes away (a letter exists; only one is allowed).
    dossier = dossiers["six_and_half"]
    url = reverse("workspace:dossier-action", args=[dossier.code, "de-xuat-xin-loi"])
    assert client.post(url, {"reason": "Chờ kết quả xác minh", "extension_days": "2"}).status_code == 302
    html = client.get(reverse("workspace:queue")).content.decode()
    assert "Văn bản xin lỗi chờ ký" in row(html, dossier.code)
    assert "Đề xuất xin lỗi, gia hạn" not in row(html, dossier.code)
    client.force_login(world.leader)
    assert client.post(reverse("workspace:dossier-action", args=[dossier.code, "ky-xin-loi"])).status_code == 302
    dossier.refresh_from_db()
    assert dossier.extended_due_at == vn(2026, 3, 9, 8, 30)  # Thu 05/03 08:30 + 2 working days
    client.force_login(world.specialist)
    html = client.get(reverse("workspace:queue")).content.decode()
    assert "Đề xuất xin lỗi" not in row(html, dossier.code) and "đã gia hạn" in row(html, dossier.code)
    # and the second letter is refused
    response = client.post(url, {"reason": "Lần hai", "extension_days": "2"})
    assert response.status_code == 200 and "chỉ được gia hạn một lần" in response.content.decode()


def test_apology_warning_hours_is_configurable(client, queue_world, settings):
    world, dossiers, _cases = queue_world
    settings.MOTCUA_APOLOGY_WARNING_HOURS = 16
    client.force_login(world.specialist)
    html = client.get(reverse("workspace:queue")).content.decode()
    assert "Đề xuất xin lỗi, gia hạn" in row(html, dossiers["nine"].code)
    assert "Đề xuất xin lỗi, gia hạn" in row(html, dossiers["step_first"].code)  # 16 h to the due instant
    assert "Đề xuất xin lỗi, gia hạn" not in row(html, dossiers["far"].code)


def test_queue_filters(client, queue_world):
    world, dossiers, _cases = queue_world
    client.force_login(world.specialist)
    overdue = client.get(reverse("workspace:queue"), {"overdue": "on"}).content.decode()
    assert codes(overdue) == [dossiers["late"].code]
    services.request_supplement(dossiers["far"], items=["CCCD"], reason="Thiếu", at=vn(2026, 3, 4, 9))
    default = codes(client.get(reverse("workspace:queue")).content.decode())
    assert dossiers["far"].code not in default  # waiting for the applicant: not today's work
    waiting = client.get(reverse("workspace:queue"), {"status": Status.SUPPLEMENT_REQUESTED}).content.decode()
    assert codes(waiting) == [dossiers["far"].code]
    by_step = client.get(reverse("workspace:queue"), {"step": "Ký duyệt"}).content.decode()
    assert codes(by_step) == []
    partial = client.get(
        reverse("workspace:queue"), {"step": "Thẩm định"}, headers={"HX-Request": "true", "HX-Target": "queue-results"}
    ).content.decode()
    assert "<html" not in partial and len(codes(partial)) == 6


def test_who_sees_what_in_their_queue(client, world):
    mine = world.processing()  # assigned to the specialist, consulted unit asked
    unassigned = world.received()
    services.start_processing(unassigned, actor=world.desk, at=vn(2026, 3, 2, 9, 30))  # nobody named yet
    signing = world.at_leader_step()
    apology = world.apology_pending()
    no_workflow = world.processing(consulted=False)
    Dossier.objects.filter(pk=no_workflow.pk).update(current_step=None, current_assignee=None, step_due_at=None)

    def queue_of(user):
        client.force_login(user)
        return set(codes(client.get(reverse("workspace:queue")).content.decode()))

    # Only what is mine (issue #10 item 11); the unit's unassigned work is on the phân công screen.
    assert queue_of(world.specialist) == {mine.code, apology.code}
    assert queue_of(world.specialist2) == set()
    assert set(codes(client.get(reverse("workspace:assignments")).content.decode(), "unassigned-row")) == {
        unassigned.code,
        no_workflow.code,
    }
    assert queue_of(world.leader) == {signing.code, apology.code}  # at the leader's step; awaiting signature
    assert queue_of(world.consulted) == {mine.code, signing.code, apology.code}  # asked for an opinion
    assert queue_of(world.outsider) == set()
    client.force_login(world.control)
    assert "không có hàng việc" in client.get(reverse("workspace:queue")).content.decode()

    consultation = mine.consultations.get()
    services.answer_consultation(consultation, answer="Đồng ý", actor=world.consulted, at=vn(2026, 3, 3, 9))
    assert mine.code not in queue_of(world.consulted)


def test_search_by_code_name_id_number_status_and_dates(client, world):
    first = world.processing(applicant_name="Trần Thị Bình", applicant_id_number="079188000111")
    second = world.received(at=vn(2026, 3, 3, 9), applicant_name="Lê Văn Cường", applicant_id_number="079188000222")
    client.force_login(world.specialist)

    url = reverse("workspace:search")
    html = client.get(url, {"q": "bình"}).content.decode()
    assert first.code in html and second.code not in html
    html = client.get(url, {"q": "079188000222"}).content.decode()
    assert second.code in html and first.code not in html
    html = client.get(url, {"q": first.code}).content.decode()
    assert first.code in html and second.code not in html
    html = client.get(url, {"status": Status.RECEIVED}).content.decode()
    assert second.code in html and first.code not in html
    html = client.get(url, {"received_from": "2026-03-03", "received_to": "2026-03-03"}).content.decode()
    assert second.code in html and first.code not in html
    html = client.get(url, {"received_from": "2026-03-04", "received_to": "2026-03-01"}).content.decode()
    assert "Ngày kết thúc phải sau ngày bắt đầu" in html
    client.force_login(world.outsider)
    html = client.get(url).content.decode()
    assert first.code not in html and second.code not in html  # not their unit's dossiers
    client.force_login(world.control)
    html = client.get(url).content.decode()
    assert first.code in html and second.code in html  # the province sees all


@pytest.mark.parametrize(
    ("field", "value"),
    [("received_to", "9999-12-31"), ("received_from", "0001-01-01"), ("received_from", "9999-12-31")],
)
def test_search_with_a_date_out_of_range_says_so(client, world, field, value):
    client.force_login(world.specialist)
    response = client.get(reverse("workspace:search"), {field: value})
    assert response.status_code == 200
    assert "01/01/1990" in response.content.decode()


def test_consultation_due_date_out_of_range_is_a_form_error(client, world):
    dossier = world.processing(consulted=False)
    client.force_login(world.specialist)
    response = client.post(
        reverse("workspace:dossier-action", args=[dossier.code, "lay-y-kien"]),
        {"unit": world.consulted_unit.pk, "question": "Xác nhận", "due_at": "9999-12-31T10:00"},
    )
    assert response.status_code == 200 and "01/01/1990" in response.content.decode()
    assert not dossier.consultations.exists()


def test_dossier_page_shows_sections_timeline_outcomes_and_forms(client, world):
    dossier = world.at_leader_step()
    client.force_login(world.leader)
    html = client.get(reverse("workspace:dossier", args=[dossier.code])).content.decode()
    assert "Nguyễn Văn An" in html and "09/03/2026 09:00" in html  # applicant, due instant (dd/mm/yyyy HH:MM)
    assert "Thẩm định → Ký duyệt" in html and "bước trước: đúng hạn" in html  # the step outcome of the hand-off
    assert "Công an tỉnh" in html and "chờ trả lời" in html  # the consultation
    assert "Phiếu lý lịch tư pháp số 1" in html and "Chờ ký duyệt" in html  # the draft result
    assert reverse("workspace:dossier-form", args=[dossier.code, "control"]) in html
    assert reverse("workspace:dossier-form", args=[dossier.code, "receipt"]) in html
    assert 'data-action="ky-ket-qua"' in html and 'data-action="tham-dinh"' not in html  # leaders sign, not appraise
    client.force_login(world.specialist)
    html = client.get(reverse("workspace:dossier", args=[dossier.code])).content.decode()
    assert 'data-action="ky-ket-qua"' not in html and 'data-action="tham-dinh"' in html
    assert 'data-action="trinh-ket-qua"' not in html  # one draft at a time


def test_dossier_page_links_desk_actions_for_the_desk(client, world):
    dossier = world.received()
    client.force_login(world.desk)
    html = client.get(reverse("workspace:dossier", args=[dossier.code])).content.decode()
    assert reverse("workspace:desk-start", args=[dossier.code]) in html
    assert 'data-action="tham-dinh"' not in html and 'data-action="yeu-cau-bo-sung"' in html  # the matrix allows it


def test_action_form_as_htmx_partial_and_hand_off_with_assignee(client, world):
    dossier = world.processing()
    client.force_login(world.specialist)
    url = reverse("workspace:dossier-action", args=[dossier.code, "chuyen-buoc"])
    partial = client.get(url, {"step": world.steps[2].pk}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and "Trần Quốc Bảo" in partial and "Đỗ Thị Lan" not in partial  # leaders only
    response = client.post(url, {"step": world.steps[2].pk, "assignee": world.specialist2.pk})  # not a leader
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).current_step == world.steps[0]
    response = client.post(
        url, {"step": world.steps[2].pk, "assignee": world.leader.pk}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and response["HX-Redirect"] == reverse("workspace:dossier", args=[dossier.code])
    dossier.refresh_from_db()
    assert dossier.current_step == world.steps[2] and dossier.current_assignee == world.leader


def test_consult_and_answer_through_the_pages(client, world):
    dossier = world.processing(consulted=False)
    client.force_login(world.specialist)
    url = reverse("workspace:dossier-action", args=[dossier.code, "lay-y-kien"])
    form = client.get(url).content.decode()
    assert 'value="2026-03-09T10:00"' in form  # now + 3 working days by the calendar
    response = client.post(
        url, {"unit": world.consulted_unit.pk, "question": "Xác nhận cư trú", "due_at": "2026-03-09T10:00"}, follow=True
    )
    assert "Đã gửi xin ý kiến Công an tỉnh" in response.content.decode()
    client.force_login(world.consulted)
    page = client.get(reverse("workspace:dossier", args=[dossier.code])).content.decode()
    assert 'data-action="tra-loi-y-kien"' in page and 'data-action="tham-dinh"' not in page
    consultation = dossier.consultations.get()
    response = client.post(
        reverse("workspace:dossier-action", args=[dossier.code, "tra-loi-y-kien"]),
        {"consultation": consultation.pk, "answer": "Có cư trú tại địa phương"},
    )
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.answered_at == NOW and consultation.answer == "Có cư trú tại địa phương"


def test_second_supplement_needs_the_override_reason_and_warns(client, world):
    dossier = world.processing()
    services.request_supplement(dossier, items=["CCCD"], reason="Thiếu", at=vn(2026, 3, 3, 9))
    services.complete_supplement(dossier, at=vn(2026, 3, 3, 14))
    client.force_login(world.specialist)
    url = reverse("workspace:dossier-action", args=[dossier.code, "yeu-cau-bo-sung"])
    assert "quá hạn theo Bộ chỉ số 766" in client.get(url).content.decode()
    response = client.post(url, {"items": "Sơ đồ vị trí", "reason": "Thiếu"})
    assert response.status_code == 200 and "Phải ghi lý do khi yêu cầu bổ sung lần hai" in response.content.decode()
    assert dossier.supplement_requests.count() == 1
    response = client.post(url, {"items": "Sơ đồ vị trí", "reason": "Thiếu", "override_reason": "Luật đất đai"})
    assert response.status_code == 302 and dossier.supplement_requests.count() == 2


def test_approvals_list_and_signing_from_it(client, world):
    result = world.at_leader_step()
    apology = world.apology_pending()
    client.force_login(world.leader)
    url = reverse("workspace:approvals")
    html = client.get(url).content.decode()
    assert codes(html, "approval-row") == [result.code, apology.code] or set(codes(html, "approval-row")) == {
        result.code,
        apology.code,
    }
    response = client.post(reverse("workspace:dossier-action", args=[result.code, "ky-ket-qua"]), {"next": url})
    assert response.status_code == 302 and response["Location"] == url
    result.refresh_from_db()
    # The draft had no file: a paper result, approved, and nothing claims a digital signature.
    assert result.status == Status.DONE and result.results.get().signature_state == "unsigned"
    assert codes(client.get(url).content.decode(), "approval-row") == [apology.code]
    client.force_login(world.specialist)
    assert codes(client.get(url).content.decode(), "approval-row") == []  # specialists sign nothing


def test_query_budgets(client, world, django_assert_max_num_queries):
    for _ in range(30):
        world.processing(consulted=False)
    signing = world.at_leader_step()
    world.apology_pending()
    client.force_login(world.specialist)
    client.get(reverse("workspace:queue"))  # warm the per-process caches (calendar, units tree)
    # session, user, positions, the two filter lists, count, page: nothing per row
    with django_assert_max_num_queries(9):
        response = client.get(reverse("workspace:queue"))
    assert len(codes(response.content.decode())) == 25  # one page
    with django_assert_max_num_queries(8):
        client.get(reverse("workspace:search"), {"q": "Nguyễn"})
    with django_assert_max_num_queries(18):  # one per section, not per event or row
        client.get(reverse("workspace:dossier", args=[signing.code]))
    client.force_login(world.leader)
    with django_assert_max_num_queries(8):
        client.get(reverse("workspace:approvals"))


def test_countdown_texts():
    assert risk.Countdown(6.5).text == "còn 6,5 giờ làm việc"
    assert risk.Countdown(-3).text == "quá hạn 3 giờ"
    assert risk.Countdown(0.04).text == "còn 0 giờ làm việc"
    assert risk.Countdown(None).text == "—"
    assert risk.Countdown(-0.5).late and risk.Countdown(8).at_risk and not risk.Countdown(8.5).at_risk
