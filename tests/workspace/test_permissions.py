"""Permission tests for every role on every action.

Every :class:`policy.Action` that concerns a dossier × every :class:`org.Role` (officials of the dossier's
own unit, or of the province for the overseers) + anonymous + an official of an unrelated unit + an
official of a consulted unit. The HTTP outcome of the corresponding request is asserted: allowed → the
state changes; denied → 403 (or 404 where the dossier is not even visible) and nothing changes.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from motcua.access import policy
from motcua.dossiers.intake import DeliveryMethod
from motcua.dossiers.models import Status
from motcua.org.models import Role
from motcua.workspace.processing import actions
from tests.factories import vn
from tests.workspace import processing_fixtures
from tests.workspace.processing_fixtures import snapshot

world = processing_fixtures.world  # the shared fixture, used by name

pytestmark = pytest.mark.django_db

A = policy.Action
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
#: Not about dossiers: the scoreboard, the leaders' follow-up of ratings (tests/public) and the complaints desk
#: have their own tests.
NOT_DOSSIER_ACTIONS = {A.VIEW_SCOREBOARD, A.EXPORT_SCOREBOARD, A.FOLLOW_UP_RATING, *policy.COMPLAINT_ACTIONS}


def login(client, world, principal):
    if principal != "anonymous":
        client.force_login(getattr(world, USER_OF[principal]))


def expected(principal: str, permission: A) -> str:
    """What the matrix promises: allowed, denied (403) or hidden (404)."""
    if principal == "anonymous":
        return "login"
    if principal == "other_unit":
        return "hidden"
    if principal == "consulted":
        return "allowed" if permission in policy.CONSULTED_ACTIONS else "denied"
    if permission == A.ANSWER_CONSULTATION:
        return "denied"  # only the consulted unit answers, not the dossier's own
    return "allowed" if permission in policy.ROLE_ACTIONS[principal] else "denied"


def assert_outcome(response, outcome, before, after):
    if outcome == "login":
        assert response.status_code == 302 and "/dang-nhap/" in response["Location"]
        assert after == before
    elif outcome == "hidden":
        assert response.status_code == 404 and after == before
    elif outcome == "denied":
        assert response.status_code == 403, response.content.decode()[:500]
        assert "không có quyền" in response.content.decode().lower() and after == before
    else:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert after != before


# --- the processing actions (this module's URLs) ------------------------------------------------------------

#: action slug → (policy action, dossier state, form data)
STEP_CASES = {
    "tham-dinh": (A.APPRAISE, "processing", lambda w, d: {"opinion": "Hồ sơ đủ điều kiện."}),
    "chuyen-buoc": (A.HAND_OFF, "processing", lambda w, d: {"step": w.steps[1].pk, "note": "Chuyển xem xét"}),
    "chuyen-nguoi": (A.HAND_OFF, "processing", lambda w, d: {"assignee": w.specialist2.pk}),
    "lay-y-kien": (
        A.CONSULT,
        "processing",
        lambda w, d: {"unit": w.other_unit.pk, "question": "Xác nhận công trình", "due_at": "2026-03-06T10:00"},
    ),
    "tra-loi-y-kien": (
        A.ANSWER_CONSULTATION,
        "processing",
        lambda w, d: {"consultation": d.consultations.get().pk, "answer": "Thống nhất."},
    ),
    "yeu-cau-bo-sung": (
        A.REQUEST_SUPPLEMENT,
        "processing",
        lambda w, d: {"items": "Bản sao CCCD\nẢnh 4x6", "reason": "Thiếu giấy tờ"},
    ),
    "tam-dung": (A.PAUSE, "processing", lambda w, d: {"reason": "Chờ xác minh thực địa"}),
    "tiep-tuc": (A.RESUME, "paused", lambda w, d: {}),
    "nghia-vu-tai-chinh": (A.REQUEST_FINANCIAL_OBLIGATION, "processing", lambda w, d: {"reason": "Nộp lệ phí"}),
    "trinh-ket-qua": (
        A.PROPOSE_RESULT,
        "processing",
        lambda w, d: {"title": "Phiếu lý lịch tư pháp số 1", "step": w.steps[2].pk, "assignee": w.leader.pk},
    ),
    "ky-ket-qua": (A.APPROVE_RESULT, "at_leader_step", lambda w, d: {}),
    "tra-lai-ket-qua": (A.APPROVE_RESULT, "at_leader_step", lambda w, d: {"reason": "Sai họ tên"}),
    "de-xuat-xin-loi": (
        A.PROPOSE_APOLOGY,
        "processing",
        lambda w, d: {"reason": "Chờ Công an tỉnh trả lời", "extension_days": "3"},
    ),
    "ky-xin-loi": (A.SIGN_APOLOGY, "apology_pending", lambda w, d: {}),
    "tra-lai-xin-loi": (A.SIGN_APOLOGY, "apology_pending", lambda w, d: {"reason": "Ghi rõ lý do"}),
    "dung-xu-ly": (A.STOP, "processing", lambda w, d: {"reason": "Người nộp không đến bổ sung"}),
    "tu-choi": (A.REFUSE_AFTER_APPRAISAL, "processing", lambda w, d: {"reason": "Không đủ điều kiện"}),
    "dong-ho-so-khong-bo-sung": (A.STOP, "supplement_overdue", lambda w, d: {}),
}


def test_every_step_action_is_covered():
    assert set(STEP_CASES) == set(actions.ACTIONS)
    covered = {case[0] for case in STEP_CASES.values()} | DESK_ACTIONS | {A.VIEW, A.PRINT_FORMS}
    assert covered == set(A) - NOT_DOSSIER_ACTIONS


@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize("slug", list(STEP_CASES))
def test_step_action_by_role(client, world, principal, slug):
    permission, state, payload = STEP_CASES[slug]
    dossier = getattr(world, state)()
    login(client, world, principal)
    before = snapshot(dossier)
    response = client.post(reverse("workspace:dossier-action", args=[dossier.code, slug]), payload(world, dossier))
    assert_outcome(response, expected(principal, permission), before, snapshot(dossier))


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_view_dossier_page_by_role(client, world, principal):
    dossier = world.processing()
    login(client, world, principal)
    response = client.get(reverse("workspace:dossier", args=[dossier.code]))
    outcome = expected(principal, A.VIEW)
    if outcome == "login":
        assert response.status_code == 302
    elif outcome == "hidden":
        assert response.status_code == 404
    else:
        assert response.status_code == 200 and dossier.code in response.content.decode()


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_print_forms_by_role(client, world, principal):
    dossier = world.processing()
    login(client, world, principal)
    response = client.get(reverse("workspace:dossier-form", args=[dossier.code, "receipt"]))
    outcome = expected(principal, A.PRINT_FORMS)
    expected_status = {"login": 302, "hidden": 404, "denied": 403, "allowed": 200}[outcome]
    assert response.status_code == expected_status
    if outcome == "allowed":
        assert response["Content-Type"] == "application/pdf"


# --- the one-stop desk's actions (its own URLs, built by the desk) -------------------------------------------

DESK_ACTIONS = {
    A.RECEIVE,
    A.REFUSE_RECEPTION,
    A.START_PROCESSING,
    A.COMPLETE_SUPPLEMENT,
    A.RECORD_PAYMENT,
    A.RETURN_RESULT,
    A.RECORD_WITHDRAWAL,
}
#: url name → (policy action, dossier state, form data, the status it leads to)
DESK_CASES = {
    "workspace:desk-start": (A.START_PROCESSING, "received", {"assignee": ""}),
    "workspace:desk-complete-supplement": (
        A.COMPLETE_SUPPLEMENT,
        "supplement_requested",
        {"extra0_name": "Bản sao CCCD"},
    ),
    "workspace:desk-payment": (A.RECORD_PAYMENT, "processing", {"method": "0", "amount": "50000"}),
    "workspace:desk-return": (
        A.RETURN_RESULT,
        "done",
        {
            "delivery_method": DeliveryMethod.DESK,
            "collector_name": "Nguyễn Văn An",
            "collector_id_number": "001203004567",
        },
    ),
    "workspace:desk-withdrawal": (A.RECORD_WITHDRAWAL, "processing", {"reason": "Công dân xin rút hồ sơ"}),
}


@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize("url_name", list(DESK_CASES))
def test_desk_action_by_role(client, world, principal, url_name):
    """The desk's screens are the desk officer's: any other official is refused (403, or 404 when the dossier is
    not theirs), even one the matrix lets do the action elsewhere (a specialist completing a supplement)."""
    permission, state, data = DESK_CASES[url_name]
    dossier = getattr(world, state)()
    login(client, world, principal)
    before = snapshot(dossier)
    response = client.post(reverse(url_name, args=[dossier.code]), data)
    after = snapshot(dossier)
    if principal == "anonymous":
        assert response.status_code == 302 and "/dang-nhap/" in response["Location"] and after == before
    elif principal == Role.DESK_OFFICER:
        assert expected(principal, permission) == "allowed"
        html = response.content.decode()
        assert response.status_code == 302, html[html.find("<main") :][:3000]
        assert after != before
    else:
        assert response.status_code in (403, 404) and after == before


@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize("permission", sorted(DESK_ACTIONS))
def test_desk_actions_in_the_matrix(world, principal, permission):
    """The policy answer for every desk action (reception is asked of the unit, the others of a dossier)."""
    dossier = world.received()
    user = None if principal == "anonymous" else getattr(world, USER_OF[principal])
    if permission in (A.RECEIVE, A.REFUSE_RECEPTION):
        allowed = policy.can(user, permission, unit=world.department) if user else False
    else:
        allowed = policy.can(user, permission, dossier) if user else False
    outcome = expected(principal, permission)
    assert allowed == (outcome == "allowed")


# --- the control officer: sees everything, changes nothing -----------------------------------------------------


def test_control_officer_sees_every_dossier_page_without_actions_and_every_post_is_403(client, world):
    dossiers = {
        state: getattr(world, state)()
        for state in ("received", "processing", "paused", "at_leader_step", "apology_pending", "supplement_requested")
    }
    client.force_login(world.control)
    for dossier in dossiers.values():
        page = client.get(reverse("workspace:dossier", args=[dossier.code]))
        html = page.content.decode()
        assert page.status_code == 200 and dossier.code in html
        assert "action-link" not in html and "desk-link" not in html and 'id="no-actions"' in html
    for slug in actions.ACTIONS:
        for dossier in dossiers.values():
            before = snapshot(dossier)
            response = client.post(
                reverse("workspace:dossier-action", args=[dossier.code, slug]),
                {"reason": "x", "opinion": "x", "title": "x", "answer": "x"},
            )
            assert response.status_code == 403 and snapshot(dossier) == before
            assert client.get(reverse("workspace:dossier-action", args=[dossier.code, slug])).status_code == 403
    search = client.get(reverse("workspace:search"))
    assert all(d.code in search.content.decode() for d in dossiers.values())


def test_forms_open_only_for_who_may_act(client, world):
    """GET of an action form follows the same rule as its POST."""
    dossier = world.processing()
    url = reverse("workspace:dossier-action", args=[dossier.code, "tham-dinh"])
    client.force_login(world.specialist)
    assert client.get(url).status_code == 200
    client.force_login(world.leader)  # leaders do not appraise
    assert client.get(url).status_code == 403
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404


def test_refused_action_reshows_the_form_and_changes_nothing(client, world, monkeypatch):
    """Allowed role, but the lifecycle says no (a second apology letter; a late first one is allowed)."""
    from motcua.dossiers import services
    from motcua.workspace.processing import risk

    dossier = world.processing()
    services.issue_apology(dossier, reason="Chậm", new_due_at=vn(2026, 3, 12, 9), at=vn(2026, 3, 9, 9, 15))
    client.force_login(world.specialist)
    url = reverse("workspace:dossier-action", args=[dossier.code, "de-xuat-xin-loi"])
    before = snapshot(dossier)
    monkeypatch.setattr(risk, "now", lambda: vn(2026, 3, 9, 9, 30))  # half an hour after NgayHenTra
    response = client.post(url, {"reason": "Chậm", "extension_days": "3"})
    assert response.status_code == 200 and "chỉ được gia hạn một lần" in response.content.decode()
    assert snapshot(dossier) == before and Status(dossier.status) == Status.PROCESSING
