"""Specialists' and leaders' step actions: appraisal, transfer, drafts for signature, signing and returning them.

Each action writes an event and an audit entry; each refusal leaves every table as it was.
"""

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model

from motcua.core.errors import TransitionError, UserError
from motcua.dossiers import services
from motcua.dossiers.models import (
    ApologyLetter,
    Dossier,
    DossierEvent,
    DossierResult,
    Proposal,
    Status,
)
from motcua.files import signing
from motcua.files.services import read_bytes
from motcua.org.models import Official
from tests.factories import procedure, province_with_department, vn, workflow
from tests.pdfs import pdf_bytes, upload

pytestmark = pytest.mark.django_db


def official(username, unit, role):
    """An official without a usable password (hashing one costs a second here)."""
    user = get_user_model().objects.create_user(username=username, password=None, first_name=username)
    Official.objects.create(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def setup():
    _province, department, commune = province_with_department()
    proc = procedure(days=5)
    steps = workflow(proc)
    people = {
        "desk": official("desk", department, "desk_officer"),
        "specialist": official("specialist", department, "specialist"),
        "specialist2": official("specialist2", department, "specialist"),
        "leader": official("leader", department, "leader"),
        "commune_specialist": official("commune_specialist", commune, "specialist"),
    }
    return department, proc, steps, people


def processing(setup):
    """Received Mon 02/03/2026 09:00 (due Mon 09/03 09:00), at step 1 with the specialist since 09:30."""
    department, proc, _steps, people = setup
    dossier = services.receive(
        procedure=proc,
        handling_unit=department,
        channel=1,
        actor=people["desk"],
        received_at=vn(2026, 3, 2, 9),
        applicant={"applicant_name": "Lê Văn Cường"},
    )
    services.start_processing(dossier, assignee=people["specialist"], actor=people["desk"], at=vn(2026, 3, 2, 9, 30))
    dossier.refresh_from_db()
    return dossier


def snapshot(dossier):
    """Everything an action could touch, to prove a refusal changed nothing."""
    fresh = Dossier.objects.get(pk=dossier.pk)
    return (
        fresh.status,
        fresh.current_step_id,
        fresh.current_assignee_id,
        fresh.step_due_at,
        fresh.extended_due_at,
        DossierEvent.objects.count(),
        Proposal.objects.count(),
        list(Proposal.objects.order_by("pk").values_list("state", flat=True)),
        DossierResult.objects.count(),
        ApologyLetter.objects.count(),
        LogEntry.objects.count(),
    )


def audited(obj, actor):
    entry = LogEntry.objects.get_for_object(obj).latest("timestamp")
    return entry.actor_id == actor.pk and entry.cid == "web"


# --- thẩm định -------------------------------------------------------------------------------------------


def test_appraisal_is_a_step_event_with_the_opinion(setup):
    people = setup[3]
    dossier = processing(setup)
    event = services.record_appraisal(
        dossier, opinion="Hồ sơ đủ điều kiện cấp phiếu.", actor=people["specialist"], at=vn(2026, 3, 2, 14)
    )
    assert (event.kind, event.action, event.to_status) == ("step", "appraise", None)
    assert event.reason == "Hồ sơ đủ điều kiện cấp phiếu." and event.data["step"] == "Thẩm định"
    assert event.actor == people["specialist"]
    assert audited(dossier, people["specialist"])


def test_appraisal_refusals_change_nothing(setup):
    people = setup[3]
    dossier = processing(setup)
    before = snapshot(dossier)
    with pytest.raises(UserError):
        services.record_appraisal(dossier, opinion="  ", actor=people["specialist"], at=vn(2026, 3, 2, 14))
    services.request_supplement(dossier, items=["CCCD"], reason="Thiếu", at=vn(2026, 3, 2, 15))
    before = snapshot(dossier)
    with pytest.raises(TransitionError):  # waiting for the applicant: nothing to appraise
        services.record_appraisal(dossier, opinion="Đủ", actor=people["specialist"], at=vn(2026, 3, 2, 16))
    assert snapshot(dossier) == before


# --- chuyển người xử lý -------------------------------------------------------------------------------------


def test_transfer_keeps_the_step_and_its_deadline(setup):
    people = setup[3]
    dossier = processing(setup)
    step_due = dossier.step_due_at
    event = services.transfer(dossier, assignee=people["specialist2"], actor=people["leader"], at=vn(2026, 3, 2, 14))
    dossier.refresh_from_db()
    assert dossier.current_assignee == people["specialist2"] and dossier.step_due_at == step_due
    assert event.action == "transfer" and event.data["to_assignee"] == "specialist2"
    assert event.data["from_assignee"] == "specialist"
    assert audited(dossier, people["leader"])


@pytest.mark.parametrize("who", ["leader", "commune_specialist", "specialist", None])
def test_transfer_refused_to_the_wrong_person_changes_nothing(setup, who):
    people = setup[3]
    dossier = processing(setup)
    before = snapshot(dossier)
    with pytest.raises(UserError):  # a leader does not hold the specialist step; another unit; the same person; nobody
        services.transfer(dossier, assignee=people[who] if who else None, actor=people["leader"], at=vn(2026, 3, 2, 14))
    assert snapshot(dossier) == before


# --- dự thảo kết quả, ký duyệt, trả lại -----------------------------------------------------------------------


def test_propose_result_hands_to_the_leader_step_and_approval_finishes_with_a_signed_result(setup):
    _department, _proc, steps, people = setup
    dossier = processing(setup)
    proposal = services.propose_result(
        dossier,
        title="Phiếu lý lịch tư pháp",
        result_code="LLTP-7",
        note="Đủ điều kiện",
        draft=upload("du-thao.pdf", pdf_bytes(2)),
        step=steps[2],
        assignee=people["leader"],
        actor=people["specialist"],
        at=vn(2026, 3, 3, 9),
    )
    dossier.refresh_from_db()
    assert proposal.state == Proposal.State.PENDING and proposal.from_step == steps[0]
    assert dossier.current_step == steps[2] and dossier.current_assignee == people["leader"]
    assert list(dossier.events.values_list("action", flat=True))[-2:] == ["propose_result", "hand_off"]
    assert audited(proposal, people["specialist"])
    assert DossierResult.objects.count() == 0  # a draft is not a result the 766 index could count

    result = services.approve_result(proposal, signer=people["leader"], at=vn(2026, 3, 3, 15))
    dossier.refresh_from_db()
    proposal.refresh_from_db()
    assert dossier.status == Status.DONE and dossier.current_step is None
    assert result.signature_state == DossierResult.Signature.VERIFIED and result.code == "LLTP-7"
    # The draft itself was signed: a new file whose PAdES signature validates, by the leader's approval.
    assert result.stored_file.has_signature and result.stored_file != proposal.draft_file
    assert result.signed_by == people["leader"] and result.stored_file.page_count == 2
    assert signing.validate_pdf(read_bytes(result.stored_file)).valid
    assert result.file_url.endswith(f"/tep/ket-qua/{result.stored_file.sha256}/")
    assert (proposal.state, proposal.decided_by, proposal.result) == (Proposal.State.SIGNED, people["leader"], result)
    finish = dossier.events.get(action="finish")
    assert finish.actor == people["leader"] and finish.to_status == Status.DONE
    assert audited(proposal, people["leader"]) and audited(result, people["leader"])


def test_result_refusals_change_nothing(setup):
    _department, _proc, steps, people = setup
    dossier = processing(setup)
    before = snapshot(dossier)
    with pytest.raises(UserError):  # no title
        services.propose_result(dossier, title=" ", actor=people["specialist"], at=vn(2026, 3, 3, 9))
    with pytest.raises(UserError):  # the signing step goes to a leader, not to a specialist
        services.propose_result(
            dossier,
            title="KQ",
            step=steps[2],
            assignee=people["specialist2"],
            actor=people["specialist"],
            at=vn(2026, 3, 3, 9),
        )
    assert snapshot(dossier) == before
    proposal = services.propose_result(dossier, title="KQ", actor=people["specialist"], at=vn(2026, 3, 3, 9))
    before = snapshot(dossier)
    with pytest.raises(TransitionError) as error:  # one draft at a time
        services.propose_result(dossier, title="KQ 2", actor=people["specialist"], at=vn(2026, 3, 3, 10))
    assert error.value.code == "result_pending"
    services_pause = services.pause(dossier, reason="Chờ xác minh", at=vn(2026, 3, 3, 11))
    before = snapshot(dossier)
    with pytest.raises(TransitionError):  # paused: resume first
        services.approve_result(proposal, signer=people["leader"], at=vn(2026, 3, 3, 12))
    assert snapshot(dossier) == before and services_pause.ended_at is None
    with pytest.raises(UserError):  # the wrong kind
        services.sign_apology(proposal, signer=people["leader"], at=vn(2026, 3, 3, 12))
    with pytest.raises(UserError):  # returning needs a reason
        services.reject_result(proposal, reason="", actor=people["leader"], at=vn(2026, 3, 3, 12))
    assert snapshot(dossier) == before


def test_rejected_result_goes_back_to_the_drafting_specialist_and_cannot_be_signed(setup):
    _department, _proc, steps, people = setup
    dossier = processing(setup)
    proposal = services.propose_result(
        dossier, title="KQ", step=steps[2], assignee=people["leader"], actor=people["specialist"], at=vn(2026, 3, 3, 9)
    )
    services.reject_result(proposal, reason="Sai họ tên người được cấp", actor=people["leader"], at=vn(2026, 3, 3, 10))
    dossier.refresh_from_db()
    proposal.refresh_from_db()
    assert dossier.current_step == steps[0] and dossier.current_assignee == people["specialist"]
    assert proposal.state == Proposal.State.RETURNED and proposal.decision_note == "Sai họ tên người được cấp"
    assert list(dossier.events.values_list("action", flat=True))[-2:] == ["reject_result", "hand_off"]
    assert dossier.events.get(action="reject_result").actor == people["leader"]
    before = snapshot(dossier)
    with pytest.raises(TransitionError) as error:
        services.approve_result(proposal, signer=people["leader"], at=vn(2026, 3, 3, 11))
    assert error.value.code == "proposal_decided" and snapshot(dossier) == before
    # a new draft is allowed again
    services.propose_result(dossier, title="KQ sửa", actor=people["specialist"], at=vn(2026, 3, 3, 14))


# --- văn bản xin lỗi và đề nghị gia hạn ---------------------------------------------------------------------


def test_apology_is_proposed_with_a_calendar_due_and_signed_once(setup):
    people = setup[3]
    dossier = processing(setup)
    proposal = services.propose_apology(
        dossier, reason="Chờ xác minh liên ngành", extension_days=3, actor=people["specialist"], at=vn(2026, 3, 6, 9)
    )
    # Mon 09/03 09:00 + 3 working days = Thu 12/03 09:00.
    assert proposal.new_due_at == vn(2026, 3, 12, 9) and proposal.state == Proposal.State.PENDING
    assert dossier.events.filter(action="propose_apology").get().actor == people["specialist"]
    assert audited(proposal, people["specialist"])
    assert ApologyLetter.objects.count() == 0 and Dossier.objects.get(pk=dossier.pk).extended_due_at is None

    letter = services.sign_apology(proposal, signer=people["leader"], at=vn(2026, 3, 6, 10))
    dossier.refresh_from_db()
    proposal.refresh_from_db()
    assert letter.signed_by == people["leader"] and letter.new_due_at == vn(2026, 3, 12, 9)
    assert dossier.due_at == vn(2026, 3, 9, 9) and dossier.extended_due_at == vn(2026, 3, 12, 9)
    assert proposal.state == Proposal.State.SIGNED and proposal.apology_letter == letter
    assert audited(letter, people["leader"]) and audited(proposal, people["leader"])

    before = snapshot(dossier)
    with pytest.raises(TransitionError) as error:  # only once
        services.propose_apology(
            dossier, reason="Lần hai", extension_days=2, actor=people["specialist"], at=vn(2026, 3, 6, 11)
        )
    assert error.value.code == "second_apology" and snapshot(dossier) == before


def test_apology_refusals_change_nothing(setup):
    people = setup[3]
    dossier = processing(setup)
    before = snapshot(dossier)
    with pytest.raises(UserError):
        services.propose_apology(dossier, reason="", extension_days=3, actor=people["specialist"], at=vn(2026, 3, 6, 9))
    with pytest.raises(UserError):
        services.propose_apology(
            dossier, reason="Chậm", extension_days=0, actor=people["specialist"], at=vn(2026, 3, 6, 9)
        )
    assert snapshot(dossier) == before

    proposal = services.propose_apology(
        dossier, reason="Chậm", extension_days=3, actor=people["specialist"], at=vn(2026, 3, 6, 9)
    )
    before = snapshot(dossier)
    with pytest.raises(TransitionError) as error:  # one awaits signature already
        services.propose_apology(
            dossier, reason="Chậm", extension_days=2, actor=people["specialist"], at=vn(2026, 3, 6, 10)
        )
    assert error.value.code == "apology_pending"
    assert snapshot(dossier) == before
    # The leader signs after the due instant: allowed (interchange.md §4), recorded as issued late.
    letter = services.sign_apology(proposal, signer=people["leader"], at=vn(2026, 3, 9, 10))
    assert letter.after_due and letter.late_practice


def test_returned_apology_can_be_proposed_again(setup):
    people = setup[3]
    dossier = processing(setup)
    proposal = services.propose_apology(
        dossier, reason="Chậm", extension_days=3, actor=people["specialist"], at=vn(2026, 3, 6, 9)
    )
    services.reject_apology(
        proposal, reason="Ghi rõ cơ quan chưa trả lời", actor=people["leader"], at=vn(2026, 3, 6, 10)
    )
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.RETURNED
    assert dossier.events.get(action="reject_apology").reason == "Ghi rõ cơ quan chưa trả lời"
    before = snapshot(dossier)
    with pytest.raises(TransitionError):
        services.sign_apology(proposal, signer=people["leader"], at=vn(2026, 3, 6, 11))
    assert snapshot(dossier) == before
    again = services.propose_apology(
        dossier, reason="Công an tỉnh chưa trả lời", extension_days=2, actor=people["specialist"], at=vn(2026, 3, 6, 11)
    )
    assert again.state == Proposal.State.PENDING and Proposal.objects.count() == 2


def test_a_new_procedure_version_keeps_cases_components_and_fees():
    from motcua.catalog.models import ComponentSpec, FeeSpec, ProcedureCase
    from motcua.catalog.versions import current_version as _current_version
    from tests.factories import procedure as make_procedure

    proc = make_procedure(code="1.009999")
    first = _current_version(proc)
    case = ProcedureCase.objects.create(version=first, code="TH1", name="Cấp lần đầu")
    ComponentSpec.objects.create(version=first, case=case, code="TP01", name="Tờ khai")
    ComponentSpec.objects.create(version=first, code="TP02", name="Bản sao CCCD", required=False)
    FeeSpec.objects.create(version=first, case=case, code="LP1", name="Lệ phí", amount=100_000)
    proc.time_limit = 7
    proc.save()
    second = _current_version(proc)
    assert second.number == first.number + 1
    assert list(second.cases.values_list("code", flat=True)) == ["TH1"]
    new_case = second.cases.get()
    assert sorted(second.components.values_list("code", "required", "case_id")) == [
        ("TP01", True, new_case.pk),
        ("TP02", False, None),
    ]
    assert list(second.fees.values_list("code", "amount", "case_id")) == [("LP1", 100_000, new_case.pk)]
    assert first.components.count() == 2  # the old version is untouched (dossiers keep it)
