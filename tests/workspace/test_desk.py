"""The one-stop desk (Bộ phận Một cửa): reception outcomes, hand-over, result return, permissions."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from motcua.catalog.models import Procedure
from motcua.dossiers import intake, services
from motcua.dossiers.models import (
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierResult,
    Payment,
    Reception,
    Status,
    SupplementRequest,
)
from motcua.files.models import StoredFile
from motcua.files.services import read_bytes
from tests.factories import procedure
from tests.pdfs import pdf_bytes
from tests.workspace import desk_fixtures

desk_world = desk_fixtures.desk_world  # the shared fixture, used by name
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_now")]  # "now": tests.conftest.PINNED_NOW

RECEIVE_URL = reverse("workspace:desk-receive")
PDF_BYTES = pdf_bytes(text="a scanned application form")


CCCD_PDF = pdf_bytes(text="cccd")


def _scan(name="to-khai.pdf", body=PDF_BYTES):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def _login(client, user):
    client.force_login(user)
    return client


# --- helpers in the intake module ---------------------------------------------------------------


def test_normalize_and_search_ignore_accents(desk_world):
    assert intake.normalize("Cấp Phiếu LÝ LỊCH tư pháp, Đăng ký") == "cap phieu ly lich tu phap, dang ky"
    hits = intake.search_procedures(desk_world.department, "ly lich tu phap")
    assert [h.code for h in hits] == ["1.000001"]
    assert [h.code for h in intake.search_procedures(desk_world.department, "1.00000")] == ["1.000001", "1.000002"]
    # A commune-level procedure is not offered at a department's own counter (the public-service centres of the
    # province and the communes receive every procedure of the province, NĐ 118/2025).
    assert intake.search_procedures(desk_world.department, "khai sinh") == []
    assert [h.code for h in intake.search_procedures(desk_world.commune, "khai sinh")] == ["2.000009"]


def test_competent_units_restrict_the_picker(desk_world):
    desk_world.procedure.competent_units.set([desk_world.commune])
    assert not intake.procedures_for_unit(desk_world.department).filter(pk=desk_world.procedure.pk).exists()
    assert intake.procedures_for_unit(desk_world.commune).filter(pk=desk_world.procedure.pk).exists()


def test_completeness_names_the_missing_mandatory_components(desk_world):
    tp01, tp02, _tp03 = desk_world.components
    result = intake.check_completeness(desk_world.components, {"TP01"})
    assert not result.complete and result.missing == [tp02]
    assert intake.check_completeness(desk_world.components, {"TP01", "TP02"}).complete


# --- reception of a paper dossier ---------------------------------------------------------------


def test_receive_a_complete_paper_dossier(client, desk_world):
    _login(client, desk_world.desk)
    tp01, tp02, _ = desk_world.components
    data = desk_world.applicant(outcome="receive", **desk_world.ticks(0, 1), **{f"f{tp01.pk}": _scan()})
    response = client.post(RECEIVE_URL, data)

    dossier = Dossier.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "workspace:desk-received", args=[dossier.code]
    )
    assert dossier.status == Status.RECEIVED and dossier.channel == 1
    assert dossier.receiving_unit == desk_world.department and dossier.handling_unit == desk_world.department
    assert dossier.applicant_id_number == "001203004567" and dossier.summary == "Cấp phiếu lý lịch tư pháp số 1"
    assert dossier.due_at == services.compute_due_at(desk_world.procedure, dossier.received_at)
    scanned = DossierComponent.objects.get(dossier=dossier, component_code="TP01")
    assert scanned.file_sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert scanned.digitized and scanned.has_file and read_bytes(scanned.stored_file) == PDF_BYTES
    assert scanned.original_name == "to-khai.pdf" and scanned.uploaded_by == desk_world.desk
    paper = DossierComponent.objects.get(dossier=dossier, component_code="TP02")
    assert not paper.has_file and not paper.digitized
    assert dossier.has_digitized_component
    assert DossierEvent.objects.filter(dossier=dossier, action="receive", actor=desk_world.desk).exists()
    assert LogEntry.objects.get_for_object(dossier).exists()
    reception = Reception.objects.get(dossier=dossier)
    assert reception.received_by == desk_world.desk and reception.result_delivery == "Trực tiếp tại Bộ phận Một cửa"

    page = client.get(response["Location"])
    text = page.content.decode()
    assert dossier.code in text
    assert timezone.localtime(dossier.due_at).strftime("%H:%M %d/%m/%Y") in text
    assert reverse("workspace:dossier-form", args=[dossier.code, "receipt"]) in text


def test_check_lists_missing_components_and_prefills_the_supplement_items(client, desk_world):
    _login(client, desk_world.desk)
    response = client.post(RECEIVE_URL, desk_world.applicant(outcome="check", **desk_world.ticks(0)))
    text = response.content.decode()
    assert response.status_code == 200 and "Còn thiếu 1 thành phần bắt buộc" in text
    assert "Bản chụp Căn cước công dân</textarea>" in text
    assert Dossier.objects.count() == 0

    check = reverse("workspace:desk-check")
    partial = client.post(
        check,
        {
            "procedure": desk_world.procedure.pk,
            **desk_world.ticks(0, 1),
            "supplement_items": "Bản chụp Căn cước công dân",
        },
        HTTP_HX_REQUEST="true",
    )
    text = partial.content.decode()
    assert 'data-complete="1"' in text and "<html" not in text
    # The list came from an earlier check: it follows the ticks and is emptied now that nothing is missing.
    assert 'hx-swap-oob="true"></textarea>' in text
    typed = client.post(
        check,
        {
            "procedure": desk_world.procedure.pk,
            **desk_world.ticks(0),
            "supplement_items": "Bản sao sổ hộ khẩu có chứng thực",
        },
        HTTP_HX_REQUEST="true",
    )
    assert 'data-complete="0"' in typed.content.decode() and "<textarea" not in typed.content.decode()


def test_incomplete_dossier_gets_a_supplement_request_with_the_itemised_list(client, desk_world):
    _login(client, desk_world.desk)
    response = client.post(
        RECEIVE_URL, desk_world.applicant(outcome="supplement", reason="Thiếu bản chụp CCCD", **desk_world.ticks(0))
    )
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert dossier.status == Status.SUPPLEMENT_REQUESTED and dossier.received_at is None
    request = SupplementRequest.objects.get(dossier=dossier)
    assert request.items == ["Bản chụp Căn cước công dân"] and request.stage == SupplementRequest.Stage.RECEPTION
    assert request.requested_by == desk_world.desk
    assert list(dossier.components.values_list("component_code", flat=True)) == ["TP01"]
    page = client.get(response["Location"]).content.decode()
    assert "Bản chụp Căn cước công dân" in page
    assert reverse("workspace:dossier-form", args=[dossier.code, "supplement"]) in page


def test_refusal_without_reason_is_a_form_error_and_creates_nothing(client, desk_world):
    _login(client, desk_world.desk)
    before = Dossier.objects.count()
    response = client.post(RECEIVE_URL, desk_world.applicant(outcome="refuse", reason="  "))
    assert response.status_code == 200
    assert "Phải ghi rõ lý do từ chối tiếp nhận." in response.content.decode()
    assert Dossier.objects.count() == before and DossierEvent.objects.count() == 0

    response = client.post(RECEIVE_URL, desk_world.applicant(outcome="refuse", reason="Không thuộc thẩm quyền"))
    dossier = Dossier.objects.get()
    assert response.status_code == 302 and dossier.status == Status.NOT_RECEIVED
    assert (
        reverse("workspace:dossier-form", args=[dossier.code, "refusal"])
        in client.get(response["Location"]).content.decode()
    )


def test_applicant_fields_are_validated_next_to_the_field(client, desk_world):
    _login(client, desk_world.desk)
    response = client.post(
        RECEIVE_URL,
        desk_world.applicant(
            outcome="receive", applicant_id_number="12345", applicant_email="khong-hop-le", **desk_world.ticks(0, 1)
        ),
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "Số định danh cá nhân gồm đúng 12 chữ số." in text and "Địa chỉ thư điện tử không hợp lệ." in text
    assert 'aria-invalid="true"' in text and Dossier.objects.count() == 0


def test_a_refused_reception_saves_nothing_not_even_the_scans(client, desk_world, settings):
    """UserError from the action (mandatory component missing): message shown, no row, no file."""
    _login(client, desk_world.desk)
    _tp01, tp02, tp03 = desk_world.components
    data = desk_world.applicant(outcome="receive", **desk_world.ticks(2), **{f"f{tp03.pk}": _scan("cu-tru.pdf")})
    response = client.post(RECEIVE_URL, data)
    text = response.content.decode()
    assert response.status_code == 200 and "Hồ sơ còn thiếu thành phần bắt buộc" in text
    assert "Chưa có dữ liệu nào được lưu." in text
    assert Dossier.objects.count() == 0 and DossierComponent.objects.count() == 0 and DossierEvent.objects.count() == 0
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_a_failing_action_removes_the_scans_it_already_stored(desk_world, settings):
    """A refused scan after a good one: no dossier, no row for the good scan either (its object is unreachable)."""
    counter = intake.CounterDossier(
        procedure=desk_world.procedure,
        handling_unit=desk_world.department,
        receiving_unit=desk_world.department,
        channel=1,
        applicant={"applicant_name": "Lê Văn C"},
    )
    tp01, tp02, _ = desk_world.components
    good = intake.Submission(name=tp01.name, code="TP01", file=_scan())
    bad = intake.Submission(name=tp02.name, code="TP02", file=_scan("virus.exe", b"MZ"))
    with pytest.raises(intake.UserError):
        intake.receive_at_counter(counter, [good, bad], actor=desk_world.desk)
    assert Dossier.objects.count() == 0 and StoredFile.objects.count() == 0
    assert not any(p.is_file() for p in settings.MEDIA_ROOT.rglob("*"))


def test_non_scan_uploads_are_refused_next_to_the_component(client, desk_world):
    _login(client, desk_world.desk)
    tp01 = desk_world.components[0]
    data = desk_world.applicant(
        outcome="receive",
        **desk_world.ticks(0, 1),
        **{f"f{tp01.pk}": SimpleUploadedFile("macro.docm", b"PK", content_type="application/zip")},
    )
    response = client.post(RECEIVE_URL, data)
    assert response.status_code == 200 and "không phải PDF hoặc ảnh" in response.content.decode()
    assert Dossier.objects.count() == 0


# --- supplement, second request, reception after it ---------------------------------------------


def test_supplement_then_completion_then_reception_and_no_second_request(client, desk_world):
    _login(client, desk_world.desk)
    client.post(RECEIVE_URL, desk_world.applicant(outcome="supplement", **desk_world.ticks(0)))
    dossier = Dossier.objects.get()
    tp02 = desk_world.components[1]

    page = client.get(reverse("workspace:desk-complete-supplement", args=[dossier.code]))
    assert page.status_code == 200 and "Bản chụp Căn cước công dân" in page.content.decode()
    response = client.post(
        reverse("workspace:desk-complete-supplement", args=[dossier.code]),
        {f"c{tp02.pk}": "on", f"f{tp02.pk}": _scan("cccd.pdf", CCCD_PDF)},
    )
    dossier.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == reverse("workspace:desk-intake", args=[dossier.code])
    assert dossier.status == Status.SUBMITTED
    assert SupplementRequest.objects.get(dossier=dossier).completed_at is not None
    assert dossier.components.get(component_code="TP02").file_sha256 == hashlib.sha256(CCCD_PDF).hexdigest()

    # A second supplement request is refused by the service, with its message, and changes nothing.
    events = DossierEvent.objects.count()
    response = client.post(
        reverse("workspace:desk-intake", args=[dossier.code]),
        {
            "outcome": "supplement",
            "supplement_items": "Bản sao sổ hộ khẩu",
            "sets_count": "1",
            "result_delivery": "Trực tiếp tại Bộ phận Một cửa",
        },
    )
    assert response.status_code == 200
    assert "Hồ sơ đã được yêu cầu bổ sung một lần" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED and SupplementRequest.objects.filter(dossier=dossier).count() == 1
    assert DossierEvent.objects.count() == events

    response = client.post(
        reverse("workspace:desk-intake", args=[dossier.code]),
        {"outcome": "receive", "sets_count": "1", "result_delivery": "Bưu chính công ích"},
    )
    dossier.refresh_from_db()
    assert response.status_code == 302 and dossier.status == Status.RECEIVED
    assert dossier.due_at == services.compute_due_at(desk_world.procedure, dossier.received_at)


# --- hand-over, return, payment, withdrawal ------------------------------------------------------


def test_hand_the_dossier_to_the_first_workflow_step(client, desk_world):
    _login(client, desk_world.desk)
    dossier = desk_world.received()
    page = client.get(reverse("workspace:desk-received", args=[dossier.code])).content.decode()
    assert "Thẩm định" in page and "chuyenvien" in page  # the first step and the specialist to choose
    response = client.post(reverse("workspace:desk-start", args=[dossier.code]), {"assignee": desk_world.specialist.pk})
    dossier.refresh_from_db()
    assert response.status_code == 302
    assert dossier.status == Status.PROCESSING and dossier.current_step == desk_world.steps[0]
    assert dossier.current_assignee == desk_world.specialist and dossier.step_due_at is not None


def test_hand_over_refuses_an_assignee_from_elsewhere(client, desk_world):
    _login(client, desk_world.desk)
    dossier = desk_world.received()
    response = client.post(reverse("workspace:desk-start", args=[dossier.code]), {"assignee": desk_world.leader.pk})
    dossier.refresh_from_db()
    assert response.status_code == 200 and dossier.status == Status.RECEIVED


def test_starting_twice_is_refused_with_a_message(client, desk_world):
    _login(client, desk_world.desk)
    dossier = desk_world.received()
    services.start_processing(dossier, actor=desk_world.desk)
    response = client.post(reverse("workspace:desk-start", args=[dossier.code]), {})
    assert response.status_code == 200 and "Không thể «Chuyển xử lý»" in response.content.decode()


def test_return_the_result_with_the_delivery_method(client, desk_world):
    _login(client, desk_world.desk)
    dossier = desk_world.done()
    page = client.get(reverse("workspace:desk-return", args=[dossier.code]))
    assert page.status_code == 200 and "Bưu chính công ích" in page.content.decode()
    response = client.post(
        reverse("workspace:desk-return", args=[dossier.code]), {"delivery_method": "Bưu chính công ích"}
    )
    dossier.refresh_from_db()
    assert response.status_code == 302 and dossier.status == Status.RETURNED
    result = DossierResult.objects.get(dossier=dossier)
    assert result.delivery_method == "Bưu chính công ích" and result.delivered_at is not None
    event = DossierEvent.objects.get(dossier=dossier, action="return_result")
    assert event.data == {"delivery_method": "Bưu chính công ích"} and event.actor == desk_world.desk


def test_payment_and_withdrawal(client, desk_world):
    _login(client, desk_world.desk)
    dossier = desk_world.received()
    response = client.post(
        reverse("workspace:desk-payment", args=[dossier.code]),
        {"method": "0", "amount": "200000", "transaction_id": "BL-0001"},
    )
    assert response.status_code == 302
    assert Payment.objects.get(dossier=dossier).amount == 200000
    response = client.post(reverse("workspace:desk-payment", args=[dossier.code]), {"method": "0", "amount": "-5"})
    assert response.status_code == 200 and "Số tiền không được âm." in response.content.decode()
    response = client.post(reverse("workspace:desk-withdrawal", args=[dossier.code]), {"reason": ""})
    assert response.status_code == 200 and "Phải ghi rõ lý do rút hồ sơ." in response.content.decode()
    response = client.post(reverse("workspace:desk-withdrawal", args=[dossier.code]), {"reason": "Công dân đổi ý"})
    dossier.refresh_from_db()
    assert response.status_code == 302 and dossier.status == Status.WITHDRAWAL_REQUESTED


# --- online dossiers -------------------------------------------------------------------------------


def test_an_online_dossier_is_received_from_the_desk_list(client, desk_world):
    _login(client, desk_world.desk)
    online = services.register_online(
        procedure=desk_world.procedure,
        handling_unit=desk_world.department,
        code="G22.99-260302-0001",
        submitted_at=timezone.now() - timedelta(hours=1),
        applicant={"applicant_name": "Phạm Thị Dung", "applicant_id_number": "001203001111"},
    )
    DossierComponent.objects.create(dossier=online, component_code="TP01", name="Tờ khai", has_file=True)
    desk = client.get(reverse("workspace:desk")).content.decode()
    assert online.code in desk and reverse("workspace:desk-intake", args=[online.code]) in desk
    assert "giờ làm việc" in desk  # the 8-working-hour answer countdown

    intake_url = reverse("workspace:desk-intake", args=[online.code])
    assert client.get(intake_url).status_code == 200
    response = client.post(
        intake_url,
        {"outcome": "receive", "sets_count": "1", **desk_world.ticks(1), "result_delivery": "Trực tuyến / kho dữ liệu"},
    )
    online.refresh_from_db()
    assert response.status_code == 302 and online.status == Status.RECEIVED
    assert online.due_at == services.compute_due_at(desk_world.procedure, online.received_at)
    assert Reception.objects.get(dossier=online).counter_unit == desk_world.department
    assert set(online.components.values_list("component_code", flat=True)) == {"TP01", "TP02"}


# --- permissions ------------------------------------------------------------------------------------


def _desk_posts(world, dossier, done):
    return [
        (RECEIVE_URL, world.applicant(outcome="receive", **world.ticks(0, 1))),
        (reverse("workspace:desk-intake", args=[dossier.code]), {"outcome": "refuse", "reason": "x"}),
        (reverse("workspace:desk-start", args=[dossier.code]), {}),
        (reverse("workspace:desk-complete-supplement", args=[dossier.code]), {}),
        (reverse("workspace:desk-return", args=[done.code]), {"delivery_method": "Bưu chính công ích"}),
        (reverse("workspace:desk-payment", args=[dossier.code]), {"method": "0", "amount": "1000"}),
        (reverse("workspace:desk-withdrawal", args=[dossier.code]), {"reason": "x"}),
    ]


def _snapshot():
    return (
        Dossier.objects.count(),
        DossierEvent.objects.count(),
        Payment.objects.count(),
        sorted(Dossier.objects.values_list("code", "status")),
    )


@pytest.mark.parametrize("who", ["specialist", "leader", "control", "anonymous"])
def test_only_desk_officers_may_use_the_desk(client, desk_world, who):
    dossier, done = desk_world.received(), desk_world.done()
    if who != "anonymous":
        _login(client, getattr(desk_world, who))
    before = _snapshot()
    for url, data in _desk_posts(desk_world, dossier, done):
        response = client.post(url, data)
        if who == "anonymous":
            assert response.status_code == 302 and reverse("access:login") in response["Location"], url
        else:
            assert response.status_code == 403, url
            assert "không có quyền" in response.content.decode().lower()
    for url in (reverse("workspace:desk"), RECEIVE_URL):
        assert client.get(url).status_code == (302 if who == "anonymous" else 403)
    assert _snapshot() == before


def test_a_desk_officer_of_another_unit_cannot_touch_this_units_dossiers(client, desk_world):
    dossier, done = desk_world.received(), desk_world.done()
    _login(client, desk_world.other_desk)
    before = _snapshot()
    for url, data in _desk_posts(desk_world, dossier, done)[1:]:
        assert client.post(url, data).status_code in (403, 404), url
    assert client.get(reverse("workspace:desk-received", args=[dossier.code])).status_code == 404
    assert _snapshot() == before
    assert dossier.code not in client.get(reverse("workspace:desk")).content.decode()


def test_a_commune_centre_receives_for_any_competent_unit_of_the_province(client, desk_world):
    """NĐ 118/2025: reception regardless of administrative boundary; receiving and handling units apart."""
    _login(client, desk_world.other_desk)  # the commune's public-service centre
    assert [h.code for h in intake.search_procedures(desk_world.commune, "ly lich")] == ["1.000001"]
    # Routed to a unit that does not handle the procedure: refused with a Vietnamese message, nothing written.
    before = _snapshot()
    response = client.post(
        RECEIVE_URL,
        desk_world.applicant(outcome="receive", handling_unit=desk_world.commune.pk, **desk_world.ticks(0, 1)),
    )
    assert response.status_code == 200 and "không giải quyết thủ tục" in str(response.context["form"].errors)
    assert _snapshot() == before
    response = client.post(RECEIVE_URL, desk_world.applicant(outcome="receive", **desk_world.ticks(0, 1)))
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert (dossier.receiving_unit, dossier.handling_unit) == (desk_world.commune, desk_world.department)
    assert dossier.code.startswith("H99.1001-") and dossier.reception.counter_unit == desk_world.commune
    # The department's specialists see it in their unit; the commune desk keeps it in its lists.
    assert dossier.code in client.get(reverse("workspace:desk") + "?list=received").content.decode()


def test_a_province_level_procedure_is_handled_by_a_department_never_the_province(client, desk_world):
    """Issue #10 item 16: a procedure of the province level naming no competent unit is routed to a department
    (sở, ban, ngành); the province's centre receives it but the province node does not handle it, nor a commune."""
    from motcua.org.models import Role, Unit, UnitKind
    from tests.factories import official

    building = Unit.objects.create(
        code="H99.02", name="Sở Xây dựng", kind=UnitKind.DEPARTMENT, parent=desk_world.province
    )
    assert list(intake.competent_units(desk_world.procedure, desk_world.province)) == [desk_world.department, building]
    centre = official("motcua_tinh", desk_world.province, Role.DESK_OFFICER)
    _login(client, centre)
    form = client.get(RECEIVE_URL, {"procedure": desk_world.procedure.pk}).context["form"]
    offered = list(form.fields["handling_unit"].queryset)
    assert desk_world.province not in offered and desk_world.commune not in offered and desk_world.department in offered
    response = client.post(
        RECEIVE_URL,
        desk_world.applicant(outcome="receive", handling_unit=desk_world.province.pk, **desk_world.ticks(0, 1)),
    )
    assert response.status_code == 200 and "không giải quyết thủ tục" in str(response.context["form"].errors)
    response = client.post(RECEIVE_URL, desk_world.applicant(outcome="receive", **desk_world.ticks(0, 1)))
    dossier = Dossier.objects.get()
    assert (dossier.receiving_unit, dossier.handling_unit) == (desk_world.province, desk_world.department)


def test_district_level_procedures_are_offered_at_the_commune_after_the_reform(desk_world):
    from datetime import date

    district = procedure(code="1.000777", days=5, name="Cấp giấy chứng nhận đăng ký hộ kinh doanh", level_district=True)
    Procedure.objects.filter(pk=district.pk).update(level_province=False)
    district.refresh_from_db()
    assert intake.procedures_for_unit(desk_world.commune, date(2025, 7, 1)).filter(pk=district.pk).exists()
    assert not intake.procedures_for_unit(desk_world.commune, date(2025, 6, 30)).filter(pk=district.pk).exists()
    assert list(intake.competent_units(district, desk_world.commune, date(2025, 7, 1))) == [desk_world.commune]


# --- lists and query counts ----------------------------------------------------------------------------


def test_desk_lists_count_and_filter(client, desk_world):
    _login(client, desk_world.desk)
    received = desk_world.received(applicant_name="Võ Văn Em")
    desk_world.received(applicant_name="Đỗ Thị Giang")
    done = desk_world.done()
    response = client.get(reverse("workspace:desk"), {"list": "received"})
    text = response.content.decode()
    assert 'data-count="received">2<' in text and 'data-count="results">1<' in text
    assert received.code in text and reverse("workspace:desk-start", args=[received.code]) in text
    response = client.get(reverse("workspace:desk"), {"list": "received", "q": "Võ Văn"})
    assert received.code in response.content.decode() and 'data-count="received">1<' in response.content.decode()
    results = client.get(reverse("workspace:desk"), {"list": "results"}).content.decode()
    assert done.code in results and reverse("workspace:desk-return", args=[done.code]) in results


def test_desk_list_query_count_does_not_grow_with_rows(client, desk_world, django_assert_max_num_queries):
    _login(client, desk_world.desk)
    for _ in range(30):
        desk_world.received()
    for i in range(5):
        services.request_supplement(desk_world.received(), items=[f"Giấy tờ {i}"], reason="Thiếu")
    client.get(reverse("workspace:desk"))  # warm the per-process caches (calendar, units tree)
    for listing in ("received", "supplement", "pending", "results"):
        with django_assert_max_num_queries(10):
            response = client.get(reverse("workspace:desk"), {"list": listing})
        assert response.status_code == 200


def test_procedure_search_is_htmx_and_cheap(client, desk_world, django_assert_max_num_queries):
    _login(client, desk_world.desk)
    url = reverse("workspace:desk-procedure-search")
    client.get(url, {"q": "ly lich"}, HTTP_HX_REQUEST="true")
    with django_assert_max_num_queries(6):
        partial = client.get(url, {"q": "ly lich"}, HTTP_HX_REQUEST="true")
    text = partial.content.decode()
    assert "1.000001" in text and "<html" not in text and "procedure-hit" in text
    full = client.get(url, {"q": "chung thuc"})
    assert "<html" in full.content.decode() and "1.000002" in full.content.decode()
    part = client.get(
        reverse("workspace:desk-procedure-part"), {"procedure": desk_world.procedure.pk}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Bản chụp Căn cước công dân" in part and 'name="procedure"' in part


def test_a_case_brings_its_own_components_and_time_limit(client, desk_world):
    from motcua.catalog.models import ComponentSpec, ProcedureCase

    version = desk_world.procedure.current_version
    case = ProcedureCase.objects.create(
        version=version, code="TH2", name="Người nước ngoài", time_limit=10, time_unit="ngay_lam_viec"
    )
    extra = ComponentSpec.objects.create(version=version, case=case, code="TP04", name="Hộ chiếu còn hạn")
    assert extra in intake.declared_components(desk_world.procedure, case)
    assert extra not in intake.declared_components(desk_world.procedure)

    _login(client, desk_world.desk)
    part = client.get(
        reverse("workspace:desk-procedure-part"),
        {"procedure": desk_world.procedure.pk, "case": case.pk},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "Người nước ngoài" in part and "Hộ chiếu còn hạn" in part
    response = client.post(
        RECEIVE_URL,
        desk_world.applicant(outcome="receive", case=case.pk, **desk_world.ticks(0, 1), **{f"c{extra.pk}": "on"}),
    )
    dossier = Dossier.objects.get()
    assert response.status_code == 302 and dossier.case == case
    assert dossier.due_at == services.compute_due_at(desk_world.procedure, dossier.received_at, case)


def test_a_dossier_received_at_the_counter_records_the_fees_of_its_case(client, desk_world):
    """Issue #10 item 16: the fee lines due come from the procedure's fee catalogue and the legal case chosen
    (R4.8); the desk page says they are due until a payment is recorded, then that they were paid."""
    from motcua.catalog.models import FeeSpec, ProcedureCase

    version = desk_world.procedure.current_version
    FeeSpec.objects.create(version=version, code="PLLTP", name="Phí cung cấp thông tin lý lịch tư pháp", amount=200_000)
    student = ProcedureCase.objects.create(version=version, code="SV", name="Sinh viên, người có công với cách mạng")
    FeeSpec.objects.filter(code="PLLTP").update(
        case=ProcedureCase.objects.create(version=version, code="CD", name="Công dân")
    )
    FeeSpec.objects.create(
        version=version, case=student, code="PLLTP-SV", name="Phí cung cấp thông tin lý lịch tư pháp", amount=100_000
    )
    FeeSpec.objects.create(version=version, code="PX", name="Phí khác (chung cho mọi trường hợp)", amount=5_000)
    assert [f.code for f in intake.declared_fees(desk_world.procedure, student)] == ["PX", "PLLTP-SV"]

    _login(client, desk_world.desk)
    part = client.get(
        reverse("workspace:desk-procedure-part"),
        {"procedure": desk_world.procedure.pk, "case": student.pk},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "Phí, lệ phí phải nộp" in part and "Phí cung cấp thông tin lý lịch tư pháp 100.000" in part
    assert "200.000" not in part
    response = client.post(
        RECEIVE_URL, desk_world.applicant(outcome="receive", case=student.pk, **desk_world.ticks(0, 1))
    )
    dossier = Dossier.objects.get()
    assert response.status_code == 302 and dossier.case == student
    assert list(dossier.fee_lines.values_list("code", "amount")) == [("PX", 5_000), ("PLLTP-SV", 100_000)]
    page = client.get(reverse("workspace:desk-received", args=[dossier.code])).content.decode()
    assert 'id="fees-due"' in page and "105.000" in page and "chưa nộp" in page and 'id="fees-paid"' not in page
    client.post(reverse("workspace:desk-payment", args=[dossier.code]), {"method": "0", "amount": "105000"})
    page = client.get(reverse("workspace:desk-received", args=[dossier.code])).content.decode()
    assert 'id="fees-paid"' in page and 'id="fees-due"' not in page
    # An online dossier keeps the fee lines the portal sent (none here): the catalogue does not add any.
    online = services.register_online(
        procedure=desk_world.procedure,
        handling_unit=desk_world.department,
        submitted_at=timezone.now() - timedelta(hours=1),
        code="H99.01-ONLINE-0001",
        applicant={"applicant_name": "Lê Thị Cúc"},
    )
    services.receive(procedure=desk_world.procedure, handling_unit=desk_world.department, channel=2, dossier=online)
    assert not online.fee_lines.exists()


# --- applicants: individual, organisation, foreigner, authorised submitter ----------------------------------


@pytest.mark.parametrize(
    ("kind", "typed", "stored"),
    [
        ("individual", "001203004567", "001203004567"),
        ("organisation", "0101234567", "0101234567"),
        ("organisation", "0101234567-001", "0101234567001"),
        ("foreigner", "c1234567", "C1234567"),
    ],
)
def test_applicant_kinds_and_their_identification(client, desk_world, kind, typed, stored):
    _login(client, desk_world.desk)
    data = desk_world.applicant(
        outcome="receive", **desk_world.ticks(0, 1), applicant_kind=kind, applicant_id_number=typed
    )
    assert client.post(RECEIVE_URL, data).status_code == 302
    dossier = Dossier.objects.get()
    assert (dossier.applicant_kind, dossier.applicant_id_number) == (kind, stored)


@pytest.mark.parametrize(
    ("kind", "typed", "message"),
    [
        ("individual", "0101234567", "Số định danh cá nhân gồm đúng 12 chữ số"),
        ("organisation", "001203004567", "Mã số doanh nghiệp / mã số thuế gồm 10 chữ số"),
        ("foreigner", "AB-12", "Số hộ chiếu gồm 6 đến 12"),
    ],
)
def test_a_number_that_does_not_fit_the_kind_is_refused(client, desk_world, kind, typed, message):
    _login(client, desk_world.desk)
    data = desk_world.applicant(
        outcome="receive", **desk_world.ticks(0, 1), applicant_kind=kind, applicant_id_number=typed
    )
    response = client.post(RECEIVE_URL, data)
    assert response.status_code == 200 and message in response.content.decode()
    assert Dossier.objects.count() == 0


def test_an_authorised_submitter_is_recorded_with_the_authorisation(client, desk_world):
    _login(client, desk_world.desk)
    base = desk_world.applicant(outcome="receive", **desk_world.ticks(0, 1))
    incomplete = client.post(RECEIVE_URL, {**base, "submitter_name": "Lê Văn Bảo"})
    assert "Nộp thay theo ủy quyền" in incomplete.content.decode() and Dossier.objects.count() == 0
    response = client.post(
        RECEIVE_URL,
        {
            **base,
            "submitter_name": "Lê Văn Bảo",
            "submitter_id_number": "001099000111",
            "authorisation": "Giấy ủy quyền số 12/UQ ngày 01/03/2026, UBND phường chứng thực",
        },
    )
    dossier = Dossier.objects.get()
    assert (dossier.submitter_name, dossier.submitter_id_number) == ("Lê Văn Bảo", "001099000111")
    assert dossier.authorisation.startswith("Giấy ủy quyền số 12/UQ")
    page = client.get(response["Location"]).content.decode()
    assert "Người được ủy quyền" in page and "số định danh cá nhân" in page and "CCCD" not in page
