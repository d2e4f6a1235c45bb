"""Issue #10 item 6: the forms of TT 03/2025 as a real office needs them."""

from datetime import date

import pytest

from motcua.catalog.models import ProcedureCase, ProcedureVersion
from motcua.documents import services
from motcua.documents.forms import DESK, FORMS, issuer_lines, place_name
from motcua.dossiers import services as lifecycle
from motcua.dossiers.models import DossierComponent
from tests.documents.conftest import pdf_text
from tests.factories import vn

pytestmark = pytest.mark.django_db


def test_mau_04_is_a_letter_with_number_symbol_and_subject(apology):
    html = services.render_html("04", apology.dossier)
    assert FORMS["04"].name == "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết"
    assert "V/v: Xin lỗi và đề nghị gia hạn thời gian giải quyết hồ sơ" in html
    assert f"Số: {apology.dossier.code}/XL-" in html
    assert "PHIẾU XIN LỖI" not in html and "<h1>" not in html


def test_mau_01_prints_the_time_limit_of_the_chosen_case(world):
    version = ProcedureVersion.objects.create(
        procedure=world.procedure, number=2, values=world.procedure.versioned_values()
    )
    case = ProcedureCase.objects.create(
        version=version, code="TH2", name="Trường hợp cần xác minh", time_limit=10, time_unit="ngay_lam_viec"
    )
    dossier = world.receive()
    type(dossier).objects.filter(pk=dossier.pk).update(case=case, procedure_version=version)
    dossier.refresh_from_db()
    text = services.render_html("01", dossier)
    assert "10 ngày làm việc" in text and "5 ngày làm việc" not in text


def test_the_receipts_serial_runs_through_the_year_and_the_book_goes_on_from_it(world):
    january = [world.receive(vn(2026, 1, 5, 9, 0)), world.receive(vn(2026, 1, 5, 10, 0))]
    march = world.receive(vn(2026, 3, 2, 9, 0))
    assert [services.build_context("01", d)["book_serial"] for d in january + [march]] == ["1", "2", "3"]
    rows = services.build_context("07", unit=world.department, date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))[
        "rows"
    ]
    assert [(r.index, r.code) for r in rows] == [(3, march.code)]


def test_a_commune_heads_its_forms_as_its_peoples_committee_with_its_own_place(world):
    lines = issuer_lines(world.commune)
    assert lines["lines"] == ["ỦY BAN NHÂN DÂN", world.commune.name.upper()] and lines["parent"] == ""
    assert place_name(world.commune) == world.commune.name.removeprefix("Xã ")
    dossier = lifecycle.receive(
        procedure=world.procedure,
        handling_unit=world.commune,
        receiving_unit=world.commune,
        channel=1,
        received_at=vn(2026, 3, 2, 9),
        applicant={"applicant_name": "Lò Văn Páo"},
    )
    text = pdf_text(services.receipt_pdf(dossier))
    assert "ỦY BAN NHÂN DÂN " + world.commune.name.upper() in text
    assert f"{world.commune.name.removeprefix('Xã ')}, ngày 02 tháng 3 năm 2026" in text


def test_the_desk_is_the_public_service_centre(processed):
    html = services.render_html("06", processed)
    assert DESK == "Trung tâm phục vụ hành chính công" and DESK in html
    assert "Bộ phận tiếp nhận và trả kết quả" not in html


def test_mau_06_has_a_column_for_the_receiver_to_sign(processed):
    html = services.render_html("06", processed)
    assert "<th>Bên nhận ký</th>" in html
    assert html.count('<td class="sign"></td>') == 6  # one per hand-over


def test_a_receipt_with_two_components_fits_one_page(received):
    import io

    import pypdf

    assert DossierComponent.objects.filter(dossier=received).count() == 2
    pdf = services.receipt_pdf(received)
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 1


def test_officials_are_printed_by_full_name(world, received):
    text = pdf_text(services.receipt_pdf(received))
    assert "Lê Văn Bình" in text


def test_mau_07_holds_a_real_code_inside_its_column(world):
    from motcua.org.models import Unit

    Unit.objects.filter(pk=world.department.pk).update(code="000.00.12.H26")
    world.department.refresh_from_db()
    dossier = world.receive(vn(2026, 3, 4, 9))
    type(dossier).objects.filter(pk=dossier.pk).update(code="000.00.12.H26-260304-0001")
    html = services.render_html("07", unit=world.department, date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
    assert "000.00.12.H26-<wbr>260304-<wbr>0001" in html
    overflow = _overflowing_cells(html, "260304")
    assert overflow == [], overflow


def _overflowing_cells(html: str, needle: str) -> list[str]:
    """Text of table cells containing ``needle`` whose laid-out text runs past the cell's right edge."""
    import weasyprint

    from motcua.documents.services import STATIC_DIR, _local_fetcher_class

    document = weasyprint.HTML(
        string=html, base_url=str(STATIC_DIR) + "/", url_fetcher=_local_fetcher_class()()
    ).render(stylesheets=[weasyprint.CSS(filename=str(STATIC_DIR / "forms.css"))])
    found, bad = False, []
    for page in document.pages:
        for box in page._page_box.descendants():
            if type(box).__name__ != "TableCellBox":
                continue
            texts = [b for b in box.descendants() if type(b).__name__ == "TextBox"]
            if not any(needle in t.text for t in texts):
                continue
            found = True
            right = box.content_box_x() + box.width
            bad += [t.text for t in texts if t.position_x + t.width > right + 0.5]
    assert found, "the code was not laid out"
    return bad


def test_the_receipt_lists_the_fees_due_and_says_paid_only_once_a_payment_is_recorded(world):
    """Issue #10 item 16: a paper dossier records its fee lines when received; the receipt shows what is due and
    claims "đã nộp" only after a payment was recorded."""
    from motcua.catalog.models import FeeSpec
    from motcua.catalog.versions import current_version

    version = current_version(world.procedure)
    FeeSpec.objects.create(version=version, code="PLLTP", name="Phí cung cấp thông tin lý lịch tư pháp", amount=200_000)
    dossier = world.receive()
    DossierComponent.objects.create(dossier=dossier, name="Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp")
    DossierComponent.objects.create(dossier=dossier, name="Căn cước công dân", reused=True)
    assert list(dossier.fee_lines.values_list("code", "amount")) == [("PLLTP", 200_000)]
    pdf = services.receipt_pdf(dossier)
    text = pdf_text(pdf)
    assert "Phí cung cấp thông tin lý lịch tư pháp" in text and "200.000 đồng" in text
    assert "Phí, lệ phí phải nộp: 200.000 đồng (chưa nộp)" in text and "Đã nộp" not in text
    assert len(pypdf_pages(pdf)) == 1  # two components and a fee still on one page
    lifecycle.record_payment(dossier, method=0, amount=200_000, actor=world.desk, at=vn(2026, 3, 2, 9, 20))
    text = pdf_text(services.receipt_pdf(dossier))
    assert "Đã nộp: 200.000 đồng ngày 02/03/2026." in text and "phải nộp" not in text


def test_a_receipt_without_fees_says_nothing_about_them(received):
    assert "lệ phí" not in services.render_html("01", received)


def pypdf_pages(pdf: bytes):
    import io

    import pypdf

    return pypdf.PdfReader(io.BytesIO(pdf)).pages


def test_the_provinces_centre_issues_what_the_province_receives(world):
    """The province receives through its public-service centre (NĐ 118/2025) for a department: the receipt is the
    centre's, under the provincial People's Committee, not the province's as a handling body."""
    lines = issuer_lines(world.province)
    assert lines == {
        "parent": "ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM",
        "name": "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
        "lines": ["TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG"],
    }
    dossier = lifecycle.receive(
        procedure=world.procedure,
        handling_unit=world.department,
        receiving_unit=world.province,
        channel=1,
        received_at=vn(2026, 3, 2, 9),
        applicant={"applicant_name": "Lò Văn Páo"},
    )
    html = services.render_html("01", dossier)
    assert "Trung tâm phục vụ hành chính công tỉnh Thử Nghiệm tiếp nhận hồ sơ của" in html
