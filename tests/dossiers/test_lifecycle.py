"""The dossier lifecycle: legal moves succeed with an event and an audit entry; illegal ones change nothing."""

import json

import pytest
from auditlog.models import LogEntry

from motcua.catalog.versions import current_version
from motcua.core.errors import TransitionError, UserError
from motcua.dossiers import lifecycle, services
from motcua.dossiers.models import Dossier, DossierEvent, Status, StopNotice
from motcua.interchange.importer import import_exchange_set
from tests.factories import official, procedure, province_with_department, vn, workflow

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    province, department, commune = province_with_department()
    proc = procedure(days=5)
    steps = workflow(proc)
    desk = official("motcua_desk", department, "desk_officer")
    return department, proc, steps, desk


def receive(setup, at=None):
    department, proc, _steps, desk = setup
    return services.receive(
        procedure=proc,
        handling_unit=department,
        channel=1,
        actor=desk,
        received_at=at or vn(2026, 3, 2, 9, 0),
        applicant={"applicant_name": "Nguyễn Văn An"},
    )


def test_receive_sets_code_due_instant_event_and_audit(setup):
    dossier = receive(setup)
    assert dossier.code == "H99.01-260302-0001"
    assert dossier.status == Status.RECEIVED
    # 5 working days of 8 h from Mon 02/03/2026 09:00 → Mon 09/03/2026 09:00.
    assert dossier.due_at == vn(2026, 3, 9, 9, 0)
    event = dossier.events.get()
    assert (event.from_status, event.to_status, event.action) == (None, Status.RECEIVED, "receive")
    assert event.actor.username == "motcua_desk"
    entry = LogEntry.objects.get_for_object(dossier).latest("timestamp")
    assert entry.actor.username == "motcua_desk" and entry.cid == "web"
    assert dossier.procedure_version.number == 1


def test_daily_sequence_per_unit(setup):
    first = receive(setup, vn(2026, 3, 2, 9))
    second = receive(setup, vn(2026, 3, 2, 10))
    next_day = receive(setup, vn(2026, 3, 3, 9))
    assert [first.code[-4:], second.code[-4:], next_day.code] == ["0001", "0002", "H99.01-260303-0001"]


def test_reception_skips_codes_an_import_already_took(setup, tmp_path):
    # Another system's export holds the desk's next two codes of the day.
    (tmp_path / "dossiers.jsonl").write_text(
        "".join(
            json.dumps({"MaHoSo": f"H99.01-260302-000{n}", "MaTTHC": "1.000001", "MaDonVi": "H99.01"}) + "\n"
            for n in (1, 2)
        ),
        encoding="utf-8",
    )
    assert import_exchange_set(tmp_path).ok
    first = receive(setup, vn(2026, 3, 2, 9))
    second = receive(setup, vn(2026, 3, 2, 10))
    assert [first.code, second.code] == ["H99.01-260302-0003", "H99.01-260302-0004"]


def test_full_happy_path_with_steps(setup):
    _department, _proc, steps, desk = setup
    dossier = receive(setup)
    services.start_processing(dossier, actor=desk, at=vn(2026, 3, 2, 9, 30))
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING and dossier.current_step == steps[0]
    assert dossier.step_due_at == vn(2026, 3, 3, 9, 30)  # 8 working hours
    event = services.hand_off(dossier, step=steps[1], actor=desk, at=vn(2026, 3, 3, 10, 0))
    assert event.data["previous_step_outcome"] == "quá hạn"
    services.finish(
        dossier, result_code="KQ-1", file_url="https://example.invalid/kq.pdf", signed=True, at=vn(2026, 3, 5, 10)
    )
    services.return_result(dossier, delivery_method="Trực tiếp", at=vn(2026, 3, 5, 14))
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED
    assert list(dossier.events.filter(kind="status").values_list("to_status", flat=True)) == [2, 4, 9, 10]
    assert dossier.results.get().delivered_at == vn(2026, 3, 5, 14)


def test_illegal_transition_changes_nothing(setup):
    dossier = receive(setup)
    events_before = DossierEvent.objects.count()
    with pytest.raises(TransitionError) as error:
        services.return_result(dossier, delivery_method="Bưu chính", at=vn(2026, 3, 3, 9))
    assert "Trả kết quả" in error.value.message and "«Được tiếp nhận»" in error.value.message
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED and DossierEvent.objects.count() == events_before


def test_every_table_entry_is_reachable_only_from_its_sources():
    for name, transition in lifecycle.TRANSITIONS.items():
        for status in [None, *Status.values]:
            if status in transition.sources:
                assert lifecycle.check(status, name) is transition
            else:
                with pytest.raises(TransitionError):
                    lifecycle.check(status, name)
    assert "return_result" in lifecycle.allowed_actions(Status.DONE)
    # A returned dossier is final: only the push of its signed result to the citizen's store (no status) remains.
    assert lifecycle.allowed_actions(Status.RETURNED) == ["push_result"]
    assert lifecycle.TRANSITIONS["push_result"].target is None


def test_second_supplement_needs_an_override_reason(setup):
    _department, _proc, _steps, desk = setup
    dossier = receive(setup)
    services.start_processing(dossier, at=vn(2026, 3, 2, 10))
    services.request_supplement(dossier, items=["Bản sao CCCD"], reason="Thiếu giấy tờ", at=vn(2026, 3, 3, 9))
    services.complete_supplement(dossier, at=vn(2026, 3, 4, 9))
    with pytest.raises(TransitionError) as error:
        services.request_supplement(dossier, items=["Sơ đồ"], reason="Thiếu", at=vn(2026, 3, 4, 10))
    assert error.value.code == "second_supplement"
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING and dossier.supplement_requests.count() == 1
    services.request_supplement(
        dossier,
        items=["Sơ đồ"],
        reason="Thiếu",
        override_reason="Luật chuyên ngành yêu cầu",
        actor=desk,
        at=vn(2026, 3, 4, 10),
    )
    assert dossier.supplement_requests.count() == 2
    first = dossier.supplement_requests.first()
    assert first.completed_at == vn(2026, 3, 4, 9) and first.stage == "appraisal"


def test_supplement_at_reception_returns_to_submitted(setup):
    department, proc, _steps, _desk = setup
    dossier = services.register_online(
        procedure=proc, handling_unit=department, submitted_at=vn(2026, 3, 2, 20), code="H99.01-260302-9001"
    )
    services.request_supplement(dossier, items=["Ảnh chân dung"], reason="Ảnh mờ", at=vn(2026, 3, 3, 8))
    services.complete_supplement(dossier, at=vn(2026, 3, 3, 15))
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED
    dossier = services.receive(
        procedure=proc, handling_unit=department, channel=2, dossier=dossier, received_at=vn(2026, 3, 4, 8)
    )
    assert dossier.code == "H99.01-260302-9001" and dossier.status == Status.RECEIVED


def test_apology_once_before_due_and_late_practice_flag(setup):
    _department, _proc, _steps, desk = setup
    dossier = receive(setup)  # due Mon 09/03/2026 09:00
    services.start_processing(dossier, at=vn(2026, 3, 2, 10))
    letter = services.issue_apology(
        dossier, reason="Chờ ý kiến liên ngành", new_due_at=vn(2026, 3, 12, 9), signer=desk, at=vn(2026, 3, 6, 16)
    )
    assert letter.late_practice is True  # 2 working hours left < 1 working day
    dossier.refresh_from_db()
    assert dossier.due_at == vn(2026, 3, 9, 9) and dossier.extended_due_at == vn(2026, 3, 12, 9)
    with pytest.raises(TransitionError) as error:
        services.issue_apology(dossier, reason="Lần hai", new_due_at=vn(2026, 3, 20, 9), at=vn(2026, 3, 6, 16, 30))
    assert error.value.code == "second_apology"


def test_apology_after_due_is_allowed_once_and_recorded_late(setup):
    # interchange.md §4: the seeds order letters for dossiers already late; one letter, flagged late.
    dossier = receive(setup)
    services.start_processing(dossier, at=vn(2026, 3, 2, 10))
    letter = services.issue_apology(dossier, reason="Muộn", new_due_at=vn(2026, 3, 20, 9), at=vn(2026, 3, 9, 9, 1))
    assert letter.after_due is True and letter.late_practice is True
    assert dossier.events.get(action="issue_apology").data["after_due"] is True
    with pytest.raises(TransitionError) as error:
        services.issue_apology(dossier, reason="Lần hai", new_due_at=vn(2026, 3, 27, 9), at=vn(2026, 3, 10, 9))
    assert error.value.code == "second_apology"


def test_withdrawal_after_reception_then_stop(setup):
    dossier = receive(setup)
    services.request_withdrawal(dossier, reason="Không còn nhu cầu", at=vn(2026, 3, 3, 9))
    services.stop(dossier, reason="Công dân rút hồ sơ", at=vn(2026, 3, 3, 10))
    dossier.refresh_from_db()
    assert dossier.status == Status.STOPPED
    notice = dossier.stop_notice
    assert notice.kind == StopNotice.Kind.WITHDRAWAL and notice.requested_at == vn(2026, 3, 3, 9)


def test_refusal_at_the_counter_needs_a_reason_and_gets_a_code(setup):
    department, proc, _steps, _desk = setup
    dossier = Dossier(procedure=proc, handling_unit=department, channel=1)
    with pytest.raises(UserError):
        services.refuse_reception(dossier, reason="  ", at=vn(2026, 3, 2, 9))
    assert not Dossier.objects.exists()
    dossier = services.refuse_reception(dossier, reason="Không thuộc thẩm quyền", at=vn(2026, 3, 2, 9))
    assert dossier.status == Status.NOT_RECEIVED and dossier.code.startswith("H99.01-260302-")
    assert dossier.received_at is None


def test_backdated_action_is_refused(setup):
    dossier = receive(setup, vn(2026, 3, 2, 9))
    with pytest.raises(TransitionError):
        services.start_processing(dossier, at=vn(2026, 3, 1, 9))
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RECEIVED


def test_financial_obligation_is_fulfilled_by_payment(setup):
    dossier = receive(setup)
    services.start_processing(dossier, at=vn(2026, 3, 2, 10))
    services.request_financial_obligation(dossier, reason="Nộp lệ phí", at=vn(2026, 3, 3, 9))
    services.record_payment(dossier, method=1, amount=200_000, transaction_id="PAY-1", at=vn(2026, 3, 3, 11))
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING and dossier.online_payment == 1
    assert dossier.paid_at == vn(2026, 3, 3, 11)


def test_pause_blocks_finish_until_resumed(setup):
    dossier = receive(setup)
    services.start_processing(dossier, at=vn(2026, 3, 2, 10))
    services.pause(dossier, reason="Chờ xác minh", at=vn(2026, 3, 3, 9))
    with pytest.raises(TransitionError):
        services.finish(dossier, at=vn(2026, 3, 3, 10))
    services.resume(dossier, at=vn(2026, 3, 4, 9))
    services.finish(dossier, at=vn(2026, 3, 4, 10))
    assert Dossier.objects.get(pk=dossier.pk).status == Status.DONE


def test_dossier_keeps_the_procedure_version_it_was_received_under(setup):
    department, proc, _steps, _desk = setup
    before = receive(setup, vn(2026, 3, 2, 9))
    proc.time_limit = 10  # the catalogue changes: a new legal version
    proc.save()
    after = services.receive(procedure=proc, handling_unit=department, channel=1, received_at=vn(2026, 3, 2, 10))
    before.refresh_from_db()
    assert (before.procedure_version.number, after.procedure_version.number) == (1, 2)
    assert before.procedure_version.values["time_limit"] == "5" and after.procedure_version.values["time_limit"] == "10"
    assert before.due_at == vn(2026, 3, 9, 9) and after.due_at == vn(2026, 3, 16, 10)  # old deadline untouched


def test_step_outcome_early_on_time_late():
    due = vn(2026, 3, 5, 10, 0)
    assert services.step_outcome(vn(2026, 3, 4, 16, 0), due) == "trước hạn"  # an earlier day
    assert services.step_outcome(vn(2026, 3, 5, 9, 0), due) == "đúng hạn"  # the due day, in time
    assert services.step_outcome(vn(2026, 3, 5, 10, 1), due) == "quá hạn"
    assert services.step_outcome(vn(2026, 3, 5, 10, 1), None) is None


def test_a_case_with_its_own_time_limit_sets_the_due_instant(setup):
    from motcua.catalog.models import ProcedureCase

    department, proc, _steps, _desk = setup
    version = current_version(proc)
    urgent = ProcedureCase.objects.create(
        version=version, code="TH2", name="Cấp trong ngày", time_limit=4, time_unit="gio_lam_viec"
    )
    dossier = services.receive(
        procedure=proc, handling_unit=department, channel=1, case=urgent, received_at=vn(2026, 3, 2, 9, 0)
    )
    assert dossier.due_at == vn(2026, 3, 2, 15, 0)  # 09:00–11:30 and 13:30–15:00: 4 working hours
