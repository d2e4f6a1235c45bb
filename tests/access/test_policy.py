"""The permission matrix and row-level scope of motcua.access.policy."""

import pytest
from django.contrib.auth import get_user_model

from motcua.access import identity, policy
from motcua.access.policy import Action
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.org.models import Official, Role, Unit, UnitKind
from tests.factories import official, procedure, province_with_department, vn

pytestmark = pytest.mark.django_db

CHANGES = [a for a in Action if a not in policy.READ_ONLY]


@pytest.fixture
def org():
    province, department, commune = province_with_department()
    other = Unit.objects.create(code="H99.02", name="Sở Xây dựng", kind=UnitKind.DEPARTMENT, parent=province)
    proc = procedure()
    dossier = services.receive(procedure=proc, handling_unit=department, channel=1, received_at=vn(2026, 3, 2, 9))
    return {"province": province, "department": department, "commune": commune, "other": other, "dossier": dossier}


def test_oversight_roles_change_nothing():
    for role in (Role.CONTROL_OFFICER, Role.ADMINISTRATOR):
        assert policy.ROLE_ACTIONS[role] == policy.READ_ONLY


def test_every_action_has_a_role_and_separation_of_duties():
    granted = set().union(*policy.ROLE_ACTIONS.values())
    assert granted == set(Action)
    # The desk receives and returns; only a leader signs results and apology letters.
    assert Action.RECEIVE in policy.ROLE_ACTIONS[Role.DESK_OFFICER]
    assert Action.RECEIVE not in policy.ROLE_ACTIONS[Role.SPECIALIST]
    for signing in (Action.APPROVE_RESULT, Action.SIGN_APOLOGY, Action.STOP):
        assert [r for r, acts in policy.ROLE_ACTIONS.items() if signing in acts] == [Role.LEADER]


def test_matrix_applies_on_own_units_dossiers(org):
    for role in Role:
        user = official(f"u_{role}", org["department"], role)
        for action in Action:
            assert policy.can(user, action, org["dossier"]) == (action in policy.ROLE_ACTIONS[role]), (role, action)


def test_another_units_official_may_do_nothing(org):
    for role in (Role.DESK_OFFICER, Role.SPECIALIST, Role.LEADER):
        user = official(f"x_{role}", org["other"], role)
        assert not policy.can(user, Action.VIEW, org["dossier"])
        for action in CHANGES:
            assert not policy.can(user, action, org["dossier"]), (role, action)
            with pytest.raises(policy.AccessDenied):
                policy.authorize(user, action, org["dossier"])


def test_anonymous_and_inactive_users_have_no_rights(org):
    from django.contrib.auth.models import AnonymousUser

    assert not policy.can(AnonymousUser(), Action.VIEW, org["dossier"])
    user = official("gone", org["department"], Role.SPECIALIST)
    user.is_active = False
    user.save()
    user = get_user_model().objects.get(pk=user.pk)
    assert not policy.can(user, Action.VIEW, org["dossier"])
    Official.objects.filter(user=user).update(is_active=False)
    user.is_active = True
    user.save()
    user = get_user_model().objects.get(pk=user.pk)
    assert policy.positions(user) == ()


def test_consulted_unit_may_view_and_answer_only(org):
    specialist = official("sxd", org["other"], Role.SPECIALIST)
    desk = official("sxd_desk", org["other"], Role.DESK_OFFICER)
    dossier = org["dossier"]
    services.start_processing(dossier, at=vn(2026, 3, 2, 10))
    consultation = services.consult(
        dossier, unit=org["other"], question="Ý kiến về quy hoạch?", due_at=vn(2026, 3, 5, 10), at=vn(2026, 3, 2, 11)
    )
    fresh = get_user_model().objects.get(pk=specialist.pk)
    assert policy.can(fresh, Action.VIEW, dossier)
    assert policy.can(fresh, Action.ANSWER_CONSULTATION, consultation=consultation)
    assert not policy.can(fresh, Action.HAND_OFF, dossier)
    assert policy.can(fresh, Action.ANSWER_CONSULTATION, dossier)  # its own unit's consultation on it
    assert not policy.can(fresh, Action.REQUEST_SUPPLEMENT, dossier)
    assert list(policy.visible_dossiers(fresh)) == [dossier]
    # A desk officer of the consulted unit is not part of the consultation.
    assert not policy.can(desk, Action.VIEW, dossier)
    assert list(policy.visible_dossiers(desk)) == []


def test_scope_covers_the_subtree_and_the_province_sees_everything(org):
    commune_dossier = services.receive(
        procedure=Dossier.objects.get().procedure,
        handling_unit=org["commune"],
        channel=1,
        received_at=vn(2026, 3, 3, 9),
    )
    control = official("ks", org["province"], Role.CONTROL_OFFICER)
    commune_desk = official("xa", org["commune"], Role.DESK_OFFICER)
    assert set(policy.visible_dossiers(control)) == {org["dossier"], commune_dossier}
    assert list(policy.visible_dossiers(commune_desk)) == [commune_dossier]
    assert policy.can(control, Action.VIEW, commune_dossier)
    assert not policy.can(control, Action.RETURN_RESULT, commune_dossier)
    assert policy.home_units(commune_desk, Action.RECEIVE) == [org["commune"].pk]
    assert policy.can(commune_desk, Action.RECEIVE, unit=org["commune"])
    assert not policy.can(commune_desk, Action.RECEIVE, unit=org["department"])


def test_visible_dossiers_of_a_department_official(org):
    specialist = official("cv", org["department"], Role.SPECIALIST)
    received_elsewhere = services.receive(
        procedure=Dossier.objects.get().procedure,
        handling_unit=org["other"],
        receiving_unit=org["department"],
        channel=1,
        received_at=vn(2026, 3, 3, 9),
    )
    assert set(policy.visible_dossiers(specialist)) == {org["dossier"], received_elsewhere}


def test_denied_access_is_logged_in_english(org, caplog):
    user = official("x", org["other"], Role.DESK_OFFICER)
    with caplog.at_level("WARNING", logger="motcua.access"), pytest.raises(policy.AccessDenied) as denied:
        policy.authorize(user, Action.RETURN_RESULT, org["dossier"])
    assert "không có quyền" in denied.value.message
    assert "access denied" in caplog.text and org["dossier"].code in caplog.text


def test_external_identity_resolves_to_the_linked_active_account(org):
    user = official("oidc_user", org["department"], Role.SPECIALIST)
    identity.link_identity(user, "vneid", "0123456789ab")
    assert identity.user_for_identity("vneid", "0123456789ab") == user
    assert identity.user_for_identity("vneid", "unknown") is None
    user.is_active = False
    user.save()
    assert identity.user_for_identity("vneid", "0123456789ab") is None


def test_sign_in_page_in_vietnamese_and_workspace_requires_login(client, org):
    assert client.get("/can-bo/").status_code == 302
    page = client.get("/dang-nhap/").content.decode()
    assert "Đăng nhập hệ thống" in page and "cdn." not in page
    official("cv2", org["department"], Role.SPECIALIST)
    bad = client.post("/dang-nhap/", {"username": "cv2", "password": "sai-mat-khau"})
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in bad.content.decode()
    good = client.post("/dang-nhap/", {"username": "cv2", "password": "motcua-demo-2026"})
    assert good.status_code == 302 and good["Location"] == "/can-bo/"


# --- complaints (PAKN) ------------------------------------------------------------------------------------------


@pytest.fixture
def complaint(org):
    from motcua.feedback.services import register_complaint

    made, _ = register_complaint(
        code="PAKN-1",
        unit=org["department"],
        category="quy_dinh",
        title="Chậm",
        content="...",
        submitted_at=vn(2026, 3, 2, 9),
    )
    return made


def test_complaint_duties_are_separated():
    holders = {a: {r for r, acts in policy.ROLE_ACTIONS.items() if a in acts} for a in policy.COMPLAINT_ACTIONS}
    assert holders[Action.REGISTER_COMPLAINT] == {Role.DESK_OFFICER}
    assert holders[Action.DRAFT_COMPLAINT_ANSWER] == {Role.SPECIALIST}
    for decision in (
        Action.ASSIGN_COMPLAINT,
        Action.TRANSFER_COMPLAINT,
        Action.REFUSE_COMPLAINT,
        Action.APPROVE_COMPLAINT_ANSWER,
    ):
        assert holders[decision] == {Role.LEADER}, decision
    assert holders[Action.PUBLISH_COMPLAINT_ANSWER] == {Role.DESK_OFFICER, Role.LEADER}
    assert all(not holders[a] & {Role.CONTROL_OFFICER, Role.ADMINISTRATOR} for a in policy.COMPLAINT_ACTIONS)


def test_complaint_matrix_applies_in_the_complaints_unit(org, complaint):
    for role in Role:
        own = official(f"c_{role}", org["department"], role)
        elsewhere = official(f"e_{role}", org["other"], role)
        above = official(f"p_{role}", org["province"], role)
        for action in (Action.VIEW, *policy.COMPLAINT_ACTIONS):
            allowed = action in policy.ROLE_ACTIONS[role]
            assert policy.can(own, action, complaint=complaint) == allowed, (role, action)
            assert policy.can(above, action, complaint=complaint) == allowed, (role, action)
            assert not policy.can(elsewhere, action, complaint=complaint), (role, action)
        with pytest.raises(policy.AccessDenied, match="phản ánh"):
            policy.authorize(elsewhere, Action.VIEW, complaint=complaint)


def test_visible_complaints_follow_the_units(org, complaint):
    from motcua.feedback.models import Complaint
    from motcua.feedback.services import register_complaint

    theirs, _ = register_complaint(
        code="PAKN-2",
        unit=org["other"],
        category="hanh_vi",
        title="Thái độ",
        content="...",
        submitted_at=vn(2026, 3, 2, 9),
    )
    codes = lambda user: set(policy.visible_complaints(user).values_list("code", flat=True))  # noqa: E731
    assert codes(official("sp", org["department"], Role.SPECIALIST)) == {"PAKN-1"}
    assert codes(official("xd", org["other"], Role.LEADER)) == {"PAKN-2"}
    assert codes(official("ks", org["province"], Role.CONTROL_OFFICER)) == {"PAKN-1", "PAKN-2"}
    assert codes(official("xa", org["commune"], Role.DESK_OFFICER)) == set()
    from django.contrib.auth.models import AnonymousUser

    assert policy.visible_complaints(AnonymousUser()).count() == 0
    assert set(Complaint.objects.values_list("code", flat=True)) == {"PAKN-1", "PAKN-2"} and theirs
