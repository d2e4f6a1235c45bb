"""The complaints desk (/can-bo/phan-anh/): the queue ordered by working hours left with its warnings, the intake
form, the complaint page with its deadlines, and every action by every role over HTTP.

``NOW`` (the views' clock) is Wed 04/03/2026 10:00; office hours 07:00–11:30 and 13:30–17:00 (8 h a day).
"""

from __future__ import annotations

import html as htmllib
import re
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from motcua.access import policy
from motcua.feedback import services
from motcua.feedback.models import Complaint, ComplaintAnswer, ComplaintStatus, ComplaintStatusLog
from motcua.org.models import Role
from motcua.workdays.services import get_calendar
from motcua.workspace.complaints import actions
from tests.factories import vn
from tests.feedback.builders import new_complaint, reach
from tests.workspace import processing_fixtures
from tests.workspace.processing_fixtures import NOW

world = processing_fixtures.world  # the shared fixture, used by name

pytestmark = pytest.mark.django_db

S = ComplaintStatus
A = policy.Action
QUEUE = reverse("workspace:complaints")
INTAKE = reverse("workspace:complaint-intake")


def page(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return htmllib.unescape(response.content.decode())


def row(html: str, key: str) -> str:
    start = html.index(f'data-code="{key}"')
    return html[start : html.index("</tr>", start)]


def codes_of(html: str) -> list[str]:
    table = html[html.index('id="complaints-table"') :]
    return re.findall(r'<tr data-code="([^"]+)"', table)


def working_hours_before(at, hours: float):
    """The instant ``hours`` working hours before ``at`` (the calendar only adds forward: bisect)."""
    calendar = get_calendar()
    early, late = at - timedelta(days=60), at
    for _ in range(40):
        middle = early + (late - early) / 2
        if calendar.working_hours_between(middle, at) > hours:
            early = middle
        else:
            late = middle
    return late


def when(instant) -> str:
    return timezone.localtime(instant).strftime("%d/%m/%Y %H:%M")


@pytest.fixture
def complaints(world):
    """Complaints of the department in every kind of position, one of another unit."""
    late = new_complaint(world, at=vn(2026, 1, 5, 8), sender="Lê Văn Trễ", title="PAKN trễ")
    at_risk = new_complaint(world, at=working_hours_before(NOW, 116), sender="Trần Văn Sát", title="PAKN sát hạn")
    on_time = new_complaint(world, at=vn(2026, 3, 3, 9), sender="Hoàng Mới", title="PAKN mới")
    publishing = reach(world, S.AWAITING_PUBLICATION, at=vn(2026, 3, 2, 14))  # approved Mon 14:25: due Wed 14:25
    closed = reach(world, S.PUBLISHED, at=vn(2026, 2, 2, 8))
    elsewhere = new_complaint(world, at=vn(2026, 3, 2, 8), unit=world.other_unit, sender="Ngô Xây", title="PAKN XD")
    return {
        "late": late,
        "at_risk": at_risk,
        "on_time": on_time,
        "publishing": publishing,
        "closed": closed,
        "elsewhere": elsewhere,
    }


# --- the queue ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "principal", ["desk", "specialist", "leader", "control", "administrator", "anonymous", "no_position"]
)
def test_who_may_open_the_queue(client, world, django_user_model, principal):
    if principal == "no_position":
        client.force_login(django_user_model.objects.create_user("khach", password=None))
    elif principal != "anonymous":
        client.force_login(getattr(world, principal))
    response = client.get(QUEUE)
    if principal == "anonymous":
        assert response.status_code == 302 and "/dang-nhap/" in response["Location"]
    elif principal == "no_position":
        assert response.status_code == 403 and "không có quyền" in response.content.decode().lower()
    else:
        assert response.status_code == 200


def test_queue_is_ordered_by_time_left_in_the_officials_units(client, world, complaints):
    client.force_login(world.specialist)
    html = page(client, QUEUE)
    c = {k: v.code for k, v in complaints.items()}
    # The nearest running deadline first: the late one, then the two due within a working day, then the new one.
    due = {k: Complaint.objects.get(pk=v.pk).due_at for k, v in complaints.items()}
    expected = [c[k] for k in sorted(("late", "at_risk", "on_time", "publishing"), key=lambda k: due[k])]
    assert codes_of(html) == expected and expected[0] == c["late"] and expected[-1] == c["on_time"]
    assert c["closed"] not in codes_of(html) and c["elsewhere"] not in codes_of(html)
    assert codes_of(page(client, QUEUE, view="da-ket-thuc")) == [c["closed"]]
    assert len(codes_of(page(client, QUEUE, view="tat-ca"))) == 5
    client.force_login(world.control)
    assert len(codes_of(page(client, QUEUE, view="tat-ca"))) == 6
    client.force_login(world.outsider)
    assert codes_of(page(client, QUEUE)) == [c["elsewhere"]]


def test_queue_shows_deadlines_warnings_and_badges(client, world, complaints):
    client.force_login(world.leader)
    html = page(client, QUEUE)
    late = row(html, complaints["late"].code)
    assert f"Hạn trả lời: {when(services.deadlines_of(complaints['late']).answer_by)}" in late
    assert "badge-late" in late and "quá hạn" in late
    at_risk = row(html, complaints["at_risk"].code)
    assert "badge-at-risk" in at_risk and "còn 4 giờ làm việc" in at_risk
    publishing = row(html, complaints["publishing"].code)
    publish_by = services.deadlines_of(Complaint.objects.get(pk=complaints["publishing"].pk)).publish_by
    assert f"Hạn công khai: {when(publish_by)}" in publishing and "badge-at-risk" in publishing
    on_time = row(html, complaints["on_time"].code)
    assert "badge-late" not in on_time and "badge-at-risk" not in on_time and "còn" in on_time
    warnings = html[html.index('id="complaint-warnings"') : html.index("</div>", html.index('id="complaint-warnings"'))]
    assert "1 phản ánh quá hạn" in warnings and "2 phản ánh đến hạn trong 1 ngày làm việc" in warnings


def test_queue_filters_and_accent_free_search(client, world, complaints):
    client.force_login(world.control)
    assert codes_of(page(client, QUEUE, status=S.AWAITING_PUBLICATION)) == [complaints["publishing"].code]
    assert codes_of(page(client, QUEUE, q="tran van sat")) == [complaints["at_risk"].code]
    assert codes_of(page(client, QUEUE, q="PAKN SÁT HẠN")) == [complaints["at_risk"].code]
    assert len(codes_of(page(client, QUEUE, status="khong-co"))) == 5  # an unknown status filters nothing
    client.force_login(world.specialist)
    mine = codes_of(page(client, QUEUE, mine="on"))
    assert mine == [complaints["publishing"].code]  # reach() assigns the specialist on the way


# --- intake -------------------------------------------------------------------------------------------------------


def intake_data(world, **overrides):
    return {
        "channel": "duong_day_nong",
        "unit": world.department.pk,
        "category": "hanh_vi",
        "title": "Cán bộ hẹn lần thứ ba",
        "content": "Tôi đến ba lần vẫn chưa được trả kết quả.",
        "sender_name": "Vũ Thị Hoa",
        "sender_phone": "0903 111 222",
        "sender_email": "hoa@example.vn",
        "sender_address": "",
        "dossier_code": "",
        **overrides,
    }


def test_the_desk_records_a_hotline_complaint(client, world):
    client.force_login(world.desk)
    assert "Ghi nhận PAKN" in page(client, QUEUE)
    form = page(client, INTAKE)
    assert world.department.name in form and world.other_unit.name not in form
    response = client.post(INTAKE, intake_data(world))
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("workspace:complaint", args=[complaint.code])
    assert (complaint.status, complaint.channel, complaint.category) == (S.AWAITING, "duong_day_nong", "hanh_vi")
    assert complaint.submitted_at == NOW and complaint.due_at == get_calendar().add_working_hours(NOW, 120)
    assert complaint.sender_phone == "0903 111 222" and complaint.code.startswith("H99.01-PAKN-260304-")
    html = page(client, response["Location"])
    assert "Đã ghi nhận phản ánh, kiến nghị" in html and complaint.code in html
    # The same sender and subject again, with other accents and case: linked as a repeat.
    again = client.post(INTAKE, intake_data(world, title="cán bộ hẹn LẦN THỨ BA", sender_name="vu thi hoa"))
    later = Complaint.objects.exclude(pk=complaint.pk).get()
    assert later.repeats == complaint
    assert "đã liên kết là phản ánh lặp lại" in page(client, again["Location"])


def test_intake_refuses_bad_input_and_other_roles(client, world):
    client.force_login(world.desk)
    response = client.post(INTAKE, intake_data(world, title="", unit=world.other_unit.pk, dossier_code="KHONG-CO"))
    html = htmllib.unescape(response.content.decode())
    assert response.status_code == 200 and Complaint.objects.count() == 0
    assert "Không tìm thấy hồ sơ KHONG-CO" in html
    for name in ("specialist", "leader", "control", "administrator", "outsider"):
        client.force_login(getattr(world, name))
        assert client.get(INTAKE).status_code == 403
        assert client.post(INTAKE, intake_data(world)).status_code == 403
    assert Complaint.objects.count() == 0
    client.logout()
    assert client.get(INTAKE).status_code == 302


def test_intake_links_a_dossier_the_desk_sees(client, world):
    dossier = world.received()
    client.force_login(world.desk)
    client.post(INTAKE, intake_data(world, dossier_code=dossier.code))
    complaint = Complaint.objects.get()
    assert complaint.dossier == dossier and complaint.dossier_code == dossier.code


# --- the complaint page ---------------------------------------------------------------------------------------------


def test_complaint_page_shows_the_four_deadlines(client, world):
    complaint = reach(world, S.ACCEPTED)  # sent Wed 04/03 08:00, accepted 08:05
    deadlines = services.deadlines_of(complaint)
    client.force_login(world.specialist)
    html = page(client, reverse("workspace:complaint", args=[complaint.code]))
    for key, instant in (
        ("refuse", deadlines.refuse_by),
        ("supplement", deadlines.supplement_by),
        ("answer", deadlines.answer_by),
    ):
        line = html[html.index(f'id="deadline-{key}"') : html.index("</tr>", html.index(f'id="deadline-{key}"'))]
        assert when(instant) in line and 'data-state="running"' in line, key
    assert "06/03/2026 08:00" in html and "11/03/2026 08:00" in html  # 2 and 5 working days
    assert "tính từ khi phê duyệt" in html
    assert 'id="running-deadline"' in html and f"Hạn trả lời: {when(deadlines.answer_by)}" in html
    assert [
        a
        for a in ('data-action="du-thao"', 'data-action="yeu-cau-bo-sung"', 'data-action="phan-loai"')
        if a not in html
    ] == []
    assert 'data-action="phe-duyet"' not in html and 'data-action="tu-choi"' not in html  # the leader's


def test_complaint_page_after_publication(client, world):
    complaint = reach(world, S.PUBLISHED)
    client.force_login(world.leader)
    html = page(client, reverse("workspace:complaint", args=[complaint.code]))
    assert 'id="deadline-answer" data-state="met"' in html and 'id="deadline-publish" data-state="met"' in html
    assert 'id="deadline-refuse" data-state="none"' in html
    assert "Hồ sơ của ông đã có kết quả" in html and "Đã công khai lúc" in html and 'id="no-actions"' in html
    assert [
        e
        for e in (
            "Ghi nhận phản ánh, kiến nghị",
            "Tiếp nhận",
            "Phân công chuyên viên xử lý",
            "Dự thảo trả lời",
            "Phê duyệt trả lời",
            "Công khai trả lời",
        )
        if e not in html
    ] == []


def test_a_late_complaint_shows_which_deadline_it_missed(client, world):
    complaint = new_complaint(world, at=vn(2026, 2, 2, 8))
    client.force_login(world.leader)
    html = page(client, reverse("workspace:complaint", args=[complaint.code]))
    assert 'id="deadline-answer" data-state="late"' in html and 'id="deadline-refuse" data-state="expired"' in html
    assert "tu-choi" not in html  # the 2-day window is over: no refusal button


def test_a_complaint_elsewhere_is_hidden(client, world):
    complaint = new_complaint(world, unit=world.other_unit)
    client.force_login(world.specialist)
    assert client.get(reverse("workspace:complaint", args=[complaint.code])).status_code == 404
    client.force_login(world.control)
    assert client.get(reverse("workspace:complaint", args=[complaint.code])).status_code == 200


# --- every action by every role ---------------------------------------------------------------------------------

PRINCIPALS = [*(r.value for r in Role), "anonymous", "other_unit", "consulted"]
USER_OF = {
    Role.DESK_OFFICER: "desk",
    Role.SPECIALIST: "specialist",
    Role.LEADER: "leader",
    Role.CONTROL_OFFICER: "control",
    Role.ADMINISTRATOR: "administrator",
    "other_unit": "outsider",
    "consulted": "consulted",
}
#: slug → (policy action, starting state, form data)
CASES = {
    "tiep-nhan": (A.ACCEPT_COMPLAINT, S.AWAITING, lambda w: {}),
    "phan-loai": (A.CLASSIFY_COMPLAINT, S.AWAITING, lambda w: {"category": "hanh_vi"}),
    "phan-cong": (A.ASSIGN_COMPLAINT, S.ACCEPTED, lambda w: {"assignee": w.specialist2.pk}),
    "chuyen-don-vi": (
        A.TRANSFER_COMPLAINT,
        S.PROCESSING,
        lambda w: {"unit": w.other_unit.pk, "reason": "Thuộc Sở Xây dựng"},
    ),
    "yeu-cau-bo-sung": (A.REQUEST_COMPLAINT_INFORMATION, S.ACCEPTED, lambda w: {"request": "Số hồ sơ"}),
    "nhan-bo-sung": (A.RECORD_COMPLAINT_INFORMATION, S.SUPPLEMENT, lambda w: {"information": "HS-1"}),
    "tu-choi": (A.REFUSE_COMPLAINT, S.AWAITING, lambda w: {"reason": "Không phải PAKN"}),
    "du-thao": (A.DRAFT_COMPLAINT_ANSWER, S.PROCESSING, lambda w: {"text": "Kính gửi ông An"}),
    "tra-lai": (A.APPROVE_COMPLAINT_ANSWER, "draft_pending", lambda w: {"reason": "Nêu căn cứ"}),
    "phe-duyet": (A.APPROVE_COMPLAINT_ANSWER, "draft_pending", lambda w: {}),
    "cong-khai": (A.PUBLISH_COMPLAINT_ANSWER, S.AWAITING_PUBLICATION, lambda w: {}),
}


def expected(principal: str, permission) -> str:
    if principal == "anonymous":
        return "login"
    if principal in ("other_unit", "consulted"):
        return "hidden"
    return "allowed" if permission in policy.ROLE_ACTIONS[principal] else "denied"


def snapshot(complaint) -> tuple:
    fresh = Complaint.objects.get(pk=complaint.pk)
    return (
        fresh.status,
        fresh.unit_id,
        fresh.assignee_id,
        fresh.category,
        fresh.due_at,
        fresh.answer,
        ComplaintStatusLog.objects.count(),
        LogEntry.objects.count(),
        list(ComplaintAnswer.objects.order_by("pk").values_list("state", flat=True)),
    )


def test_every_action_and_complaint_permission_is_covered():
    assert set(CASES) == set(actions.ACTIONS)
    assert {case[0] for case in CASES.values()} | {A.REGISTER_COMPLAINT} == set(policy.COMPLAINT_ACTIONS)


@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize("slug", list(CASES))
def test_complaint_action_by_role(client, world, principal, slug):
    permission, state, payload = CASES[slug]
    complaint = reach(world, state)
    if principal != "anonymous":
        client.force_login(getattr(world, USER_OF[principal]))
    url = reverse("workspace:complaint-action", args=[complaint.code, slug])
    before = snapshot(complaint)
    response = client.post(url, payload(world))
    after = snapshot(complaint)
    outcome = expected(principal, permission)
    if outcome == "login":
        assert response.status_code == 302 and "/dang-nhap/" in response["Location"] and after == before
    elif outcome == "hidden":
        assert response.status_code == 404 and after == before
    elif outcome == "denied":
        assert response.status_code == 403, response.content.decode()[:500]
        assert "không có quyền" in response.content.decode().lower() and after == before
        assert client.get(url).status_code == 403
    else:
        assert response.status_code == 302, htmllib.unescape(response.content.decode())[-3000:]
        assert after != before
        log = ComplaintStatusLog.objects.filter(complaint=complaint).order_by("-pk").first()
        assert log.action == actions.ACTIONS[slug].transition and log.actor == getattr(world, USER_OF[principal])
        assert log.occurred_at == NOW


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_view_complaint_page_by_role(client, world, principal):
    complaint = reach(world, S.PROCESSING)
    if principal != "anonymous":
        client.force_login(getattr(world, USER_OF[principal]))
    response = client.get(reverse("workspace:complaint", args=[complaint.code]))
    outcome = expected(principal, A.VIEW)
    assert response.status_code == {"login": 302, "hidden": 404, "allowed": 200}[outcome]


def test_buttons_follow_the_role_and_the_state(client, world):
    complaint = reach(world, "draft_pending")
    url = reverse("workspace:complaint", args=[complaint.code])
    shown = {}
    for name in ("desk", "specialist", "leader", "control"):
        client.force_login(getattr(world, name))
        shown[name] = set(re.findall(r'data-action="([a-z-]+)"', page(client, url).split('id="actions"')[1]))
    assert shown["leader"] == {"phe-duyet", "tra-lai", "phan-loai", "phan-cong", "tu-choi"}
    assert shown["specialist"] == {"phan-loai"}  # a draft is pending: no second draft, no information request
    assert shown["desk"] == {"phan-loai"}
    assert shown["control"] == set()


def test_a_refused_action_reshows_the_form_and_changes_nothing(client, world, monkeypatch):
    """The leader may refuse, but the 2-working-day window is over: the rule says why, nothing changes."""
    from motcua.workspace.processing import risk

    complaint = new_complaint(world)  # Wed 04/03 08:00: refusal possible until Fri 06/03 08:00
    monkeypatch.setattr(risk, "now", lambda: vn(2026, 3, 6, 9))
    client.force_login(world.leader)
    url = reverse("workspace:complaint-action", args=[complaint.code, "tu-choi"])
    before = snapshot(complaint)
    response = client.post(url, {"reason": "Không thuộc phạm vi"})
    html = htmllib.unescape(response.content.decode())
    assert response.status_code == 200 and "Đã quá thời hạn từ chối (08:00 06/03/2026" in html
    assert snapshot(complaint) == before


def test_a_transfer_leaves_the_units_queue(client, world):
    complaint = reach(world, S.PROCESSING)
    client.force_login(world.leader)
    response = client.post(
        reverse("workspace:complaint-action", args=[complaint.code, "chuyen-don-vi"]),
        {"unit": world.other_unit.pk, "reason": "Thuộc thẩm quyền Sở Xây dựng"},
    )
    assert response.status_code == 302 and response["Location"] == QUEUE
    assert complaint.code not in page(client, QUEUE)
    fresh = Complaint.objects.get(pk=complaint.pk)
    assert fresh.unit == world.other_unit and fresh.status == S.TRANSFERRED
    assert fresh.due_at == get_calendar().add_working_hours(NOW, 120)  # the clock restarted


def test_the_action_forms_apply_the_rule(world):
    """The forms refuse what the action's why_not rule refuses, with its reason."""
    from motcua.workspace.complaints.forms import DraftAnswerForm, ReasonForm

    complaint = reach(world, "draft_pending")
    form = DraftAnswerForm({"text": "Bản thứ hai"}, complaint=complaint, transition="draft_answer", at=NOW)
    assert not form.is_valid() and form.non_field_errors() == ["Phản ánh đã có dự thảo trả lời chờ phê duyệt."]
    fresh = new_complaint(world)
    late = ReasonForm({"reason": "Không phải PAKN"}, complaint=fresh, transition="refuse", at=vn(2026, 3, 9, 9))
    assert not late.is_valid() and "quá thời hạn từ chối" in late.non_field_errors()[0]
    assert ReasonForm({"reason": "Không phải PAKN"}, complaint=fresh, transition="refuse", at=NOW).is_valid()
