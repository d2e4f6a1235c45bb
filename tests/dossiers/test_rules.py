"""Issue #10 (law) and #13 (one rule in one place): the effective due instant, supplements, apology letters,
refusals, each rule answered by one ``why_not_`` the page, the form and the service share."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import override_settings

from motcua.core.errors import TransitionError
from motcua.dossiers import rules, services
from motcua.dossiers.models import Dossier, Status, StopNotice
from motcua.index766.explain import indicator_records
from motcua.index766.sources import load_exchange_set
from motcua.interchange.exporter import export_exchange_set
from tests.factories import official, procedure, province_with_department, vn, workflow

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    province, department, commune = province_with_department()
    proc = procedure(days=5)
    workflow(proc)
    desk = official("motcua_desk", department, "desk_officer")
    return department, proc, desk


def _received(setup, at=None):
    department, proc, desk = setup
    return services.receive(
        procedure=proc,
        handling_unit=department,
        channel=1,
        actor=desk,
        received_at=at or vn(2026, 3, 2, 9),
        applicant={"applicant_name": "Nguyễn Văn An"},
    )


def _processing(setup):
    dossier = _received(setup)  # NgayHenTra Mon 09/03/2026 09:00
    services.start_processing(dossier, at=vn(2026, 3, 2, 10))
    return dossier


# --- item 2: one effective due instant -------------------------------------------------------------------


def test_effective_due_adds_completed_supplement_time(setup):
    dossier = _processing(setup)
    assert Dossier.objects.get(pk=dossier.pk).effective_due_at == vn(2026, 3, 9, 9)
    services.request_supplement(dossier, items=["Bản sao CCCD"], reason="Thiếu", at=vn(2026, 3, 3, 9))
    services.complete_supplement(dossier, at=vn(2026, 3, 5, 15))  # the applicant took 2 days 6 hours
    dossier = Dossier.objects.get(pk=dossier.pk)
    expected = vn(2026, 3, 9, 9) + timedelta(days=2, hours=6)
    assert rules.effective_due_at(dossier) == rules.effective_due_at(dossier, judged=True) == expected
    assert dossier.due_at == vn(2026, 3, 9, 9)  # NgayHenTra itself never moves (R1.29)
    assert dossier.effective_due_at == expected  # stored for the queue
    # The desk's and the queue's countdown: still in time after the old appointment.
    assert services.working_hours_left(dossier, vn(2026, 3, 9, 10)) > 0


def _on_time(tmp_path, as_of: str) -> bool:
    export_exchange_set(tmp_path / "set")
    df = indicator_records(load_exchange_set(tmp_path / "set"), "2026-03", "2.1", as_of=as_of, now=vn(2026, 12, 1, 0))
    (ok,) = df["ok"].tolist()
    return bool(ok)


def test_the_766_engine_judges_against_the_same_instant(setup, tmp_path):
    dossier = _processing(setup)
    services.request_supplement(dossier, items=["Bản sao CCCD"], reason="Thiếu", at=vn(2026, 3, 3, 9))
    services.complete_supplement(dossier, at=vn(2026, 3, 5, 15))
    due = rules.effective_due_at(Dossier.objects.get(pk=dossier.pk), judged=True)  # Wed 11/03 15:00
    assert due == vn(2026, 3, 11, 15)
    # After NgayHenTra but before the effective instant the engine counts it in time; after it, late.
    assert _on_time(tmp_path / "a", "2026-03-10T09:00") is True
    assert _on_time(tmp_path / "b", "2026-03-11T15:30") is False


def test_apology_letter_gives_the_displayed_appointment_not_the_judged_one(setup):
    dossier = _processing(setup)
    services.issue_apology(dossier, reason="Chờ xác minh", new_due_at=vn(2026, 3, 12, 9), at=vn(2026, 3, 5, 9))
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert rules.effective_due_at(dossier) == dossier.effective_due_at == vn(2026, 3, 12, 9)
    assert rules.effective_due_at(dossier, judged=True) == vn(2026, 3, 9, 9)


# --- item 3: supplements ---------------------------------------------------------------------------------


def test_counter_guidance_is_not_the_first_request_of_processing(setup, tmp_path):
    department, proc, desk = setup
    dossier = services.register_online(
        procedure=proc, handling_unit=department, submitted_at=vn(2026, 3, 1, 20), code="H99.01-260301-9001"
    )
    services.request_supplement(dossier, items=["Ảnh chân dung"], reason="Ảnh mờ", at=vn(2026, 3, 2, 8))
    services.complete_supplement(dossier, at=vn(2026, 3, 2, 8, 30))
    dossier = services.receive(
        procedure=proc, handling_unit=department, channel=2, dossier=dossier, received_at=vn(2026, 3, 2, 9)
    )
    services.start_processing(dossier, at=vn(2026, 3, 2, 10))
    assert rules.second_supplement_warning(dossier) is None
    # The first request of processing needs no "second request" reason …
    services.request_supplement(dossier, items=["Sơ đồ"], reason="Thiếu", at=vn(2026, 3, 3, 9))
    services.complete_supplement(dossier, at=vn(2026, 3, 3, 15))
    # … the national list holds only it, and the 766 engine keeps the dossier in time.
    export_exchange_set(tmp_path / "set")
    (line,) = [json.loads(x) for x in (tmp_path / "set" / "dossiers.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [s["NgayYeuCau"][:16] for s in line["DanhSachHoSoBoSung"]] == ["2026-03-03T09:00"]
    df = indicator_records(
        load_exchange_set(tmp_path / "set"), "2026-03", "2.1", as_of="2026-03-09T10:00", now=vn(2026, 12, 1, 0)
    )
    assert df["ok"].tolist() == [True]
    # A second request of processing still needs the reason.
    with pytest.raises(TransitionError) as error:
        services.request_supplement(dossier, items=["Bản đồ"], reason="Thiếu", at=vn(2026, 3, 4, 9))
    assert error.value.code == "second_supplement"


def test_unanswered_supplement_closes_the_dossier_after_15_working_days(setup):
    dossier = _processing(setup)
    services.request_supplement(dossier, items=["Bản sao CCCD"], reason="Thiếu", at=vn(2026, 3, 3, 9))
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert rules.supplement_closing_at(dossier) == vn(2026, 3, 24, 9)  # 15 working days, no holiday in March
    reason = rules.why_not_close_unanswered_supplement(dossier, vn(2026, 3, 24, 8))
    assert reason and reason.code == "supplement_time_left"
    with pytest.raises(TransitionError):
        services.close_unanswered_supplement(dossier, at=vn(2026, 3, 24, 8))
    assert Dossier.objects.get(pk=dossier.pk).status == Status.SUPPLEMENT_REQUESTED
    services.close_unanswered_supplement(dossier, at=vn(2026, 3, 24, 9))
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.status == Status.STOPPED
    assert dossier.stop_notice.kind == StopNotice.Kind.STOP and "15 ngày làm việc" in dossier.stop_notice.reason


def test_unanswered_counter_supplement_ends_as_not_received(setup):
    department, proc, _desk = setup
    dossier = services.register_online(
        procedure=proc, handling_unit=department, submitted_at=vn(2026, 3, 1, 20), code="H99.01-260301-9002"
    )
    services.request_supplement(dossier, items=["Ảnh"], reason="Ảnh mờ", at=vn(2026, 3, 2, 8))
    services.close_unanswered_supplement(dossier, at=vn(2026, 3, 30, 8))
    assert Dossier.objects.get(pk=dossier.pk).status == Status.NOT_RECEIVED


# --- item 4: apology letters -----------------------------------------------------------------------------


def test_late_dossier_may_get_its_one_letter_and_the_queue_proposes_it(setup):
    dossier = _processing(setup)
    at = vn(2026, 3, 10, 9)  # a day after NgayHenTra
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert rules.why_not_propose_apology(dossier, at) is None
    assert rules.should_propose_apology(-8.0, has_letter=False, pending=False)
    proposal = services.propose_apology(dossier, reason="Chậm", extension_days=3, at=at)
    assert proposal.new_due_at == vn(2026, 3, 13, 9)  # three working days from now, not from the past due
    letter = services.sign_apology(proposal, at=vn(2026, 3, 10, 10))
    assert letter.after_due and letter.late_practice
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert rules.why_not_propose_apology(dossier, at).code == "second_apology"
    assert not rules.should_propose_apology(-8.0, has_letter=True, pending=False)


def test_apology_warning_hours_setting_is_read(setup):
    with override_settings(MOTCUA_APOLOGY_WARNING_HOURS=16):
        assert rules.should_propose_apology(12.0, has_letter=False, pending=False)
    with override_settings(MOTCUA_APOLOGY_WARNING_HOURS=8):
        assert not rules.should_propose_apology(12.0, has_letter=False, pending=False)


# --- item 5: refusals ------------------------------------------------------------------------------------


def test_refusing_reception_is_impossible_once_received(setup):
    dossier = _processing(setup)
    services.request_supplement(dossier, items=["Bản sao CCCD"], reason="Thiếu", at=vn(2026, 3, 3, 9))
    with pytest.raises(TransitionError) as error:
        services.refuse_reception(dossier, reason="Không đủ điều kiện", at=vn(2026, 3, 3, 10))
    assert error.value.code == "already_received"
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.status == Status.SUPPLEMENT_REQUESTED and not dossier.events.filter(action="refuse_reception")


# --- #13: the page, the form and the service ask the same function ------------------------------------------


def test_pause_rules_are_one_function(setup):
    dossier = _processing(setup)
    at = vn(2026, 3, 3, 9)
    assert rules.why_not_resume(dossier, at).code == "not_paused"
    services.pause(dossier, reason="Chờ", at=at)
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert rules.why_not_pause(dossier, at).code == "already_paused"
    assert rules.why_not_finish(dossier, at).code == "paused"
    with pytest.raises(TransitionError) as error:
        services.finish(dossier, at=vn(2026, 3, 3, 10))
    assert error.value.code == "paused"


# --- item 7: the dossier code's unit part is the electronic identifier ------------------------------------


def test_code_uses_the_receiving_units_electronic_identifier(setup):
    from django.urls import reverse

    from motcua.dossiers.codes import is_dossier_code

    department = setup[0]
    department.extra = {"MaDinhDanhDienTu": "000.00.12.H26"}
    department.save()
    dossier = _received(setup)
    assert dossier.code == "000.00.12.H26-260302-0001"
    assert is_dossier_code(dossier.code)
    assert reverse("workspace:dossier", args=[dossier.code]).endswith("/000.00.12.H26-260302-0001/")


def test_a_malformed_identifier_is_not_used(setup):
    from motcua.org.identifiers import code_prefix, is_unit_identifier

    assert is_unit_identifier("000.00.12.H26") and is_unit_identifier("H26.123.45")
    assert not any(is_unit_identifier(v) for v in ("", None, "H99.01", "000/00/12/H26", "000.00.12.H26 "))
    department = setup[0]
    department.extra = {"MaDinhDanhDienTu": "../x"}
    department.save()
    assert code_prefix(department.code, department.electronic_id) == "H99.01"
    assert _received(setup).code == "H99.01-260302-0001"


def test_import_stores_the_effective_due_instant(setup, tmp_path):
    from motcua.interchange.importer import import_exchange_set

    department, proc, _desk = setup
    line = {
        "MaHoSo": "H99.01-260302-0100",
        "MaTTHC": proc.code,
        "MaDonVi": department.code,
        "KenhThucHien": 1,
        "NgayNopHoSo": "2026-03-01T08:00:00+07:00",
        "NgayTiepNhan": "2026-03-02T09:00:00+07:00",
        "NgayHenTra": "2026-03-09T09:00:00+07:00",
        "TrangThaiHoSo": 4,
        "DanhSachHoSoBoSung": [
            {"NgayYeuCau": "2026-03-01T09:00:00+07:00", "NgayBoSung": "2026-03-01T10:00:00+07:00"},  # counter
            {"NgayYeuCau": "2026-03-03T09:00:00+07:00", "NgayBoSung": "2026-03-04T09:00:00+07:00"},
        ],
    }
    (tmp_path / "dossiers.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    import_exchange_set(tmp_path)
    dossier = Dossier.objects.get(code="H99.01-260302-0100")
    assert dossier.effective_due_at == rules.effective_due_at(dossier) == vn(2026, 3, 10, 9)


def test_scoreboard_late_list_shows_the_effective_due_instant(setup, tmp_path):
    from motcua.index766.periods import parse_period
    from motcua.scoreboard.services import _late_dossiers

    dossier = _processing(setup)
    services.request_supplement(dossier, items=["Bản sao CCCD"], reason="Thiếu", at=vn(2026, 3, 3, 9))
    services.complete_supplement(dossier, at=vn(2026, 3, 5, 15))
    export_exchange_set(tmp_path / "set")
    (late,) = _late_dossiers(load_exchange_set(tmp_path / "set"), parse_period("2026-03"), None)
    assert late.code == dossier.code
    assert late.due_at == rules.effective_due_at(Dossier.objects.get(pk=dossier.pk), judged=True) == vn(2026, 3, 11, 15)


def test_forms_print_the_effective_due_instant(setup):
    from motcua.documents import forms

    dossier = _processing(setup)
    services.request_supplement(dossier, items=["Bản sao CCCD"], reason="Thiếu", at=vn(2026, 3, 3, 9))
    services.complete_supplement(dossier, at=vn(2026, 3, 5, 15))
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert "ngày 11/03/2026" in forms.control_context(dossier)["new_due_text"]
    services.issue_apology(dossier, reason="Chờ xác minh", new_due_at=vn(2026, 3, 16, 9), at=vn(2026, 3, 6, 9))
    context = forms.apology_context(Dossier.objects.get(pk=dossier.pk))
    assert "ngày 11/03/2026" in context["due_text"] and "ngày 16/03/2026" in context["new_due_text"]


def test_citizens_tracking_page_gives_the_effective_due_instant(setup):
    from motcua.public import tracking

    dossier = _processing(setup)
    services.request_supplement(dossier, items=["Bản sao CCCD"], reason="Thiếu", at=vn(2026, 3, 3, 9))
    services.complete_supplement(dossier, at=vn(2026, 3, 5, 15))
    assert tracking.load(dossier.code).collection.due_at == vn(2026, 3, 11, 15)
