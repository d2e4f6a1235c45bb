"""Forms 01–06 rendered from dossiers made by the lifecycle services, parsed back from the PDF."""

import pytest
import segno
from django.conf import settings

from motcua.documents import services
from motcua.documents.forms import FORMS, handover_rows
from motcua.dossiers import tracking
from tests.documents.conftest import APPLICANT, page_sizes_mm, pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db

A4 = (210, 297)
NAME = APPLICANT["applicant_name"]


def assert_official_pdf(pdf: bytes, kind: str, code: str, size: tuple[int, int]) -> str:
    """What every form must show; returns the text for form-specific checks."""
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    spec = FORMS[kind]
    # A letter (Mẫu 04) has no heading: its subject is the "V/v" line under its number.
    assert spec.title in text if kind != "04" else "V/v: Xin lỗi và đề nghị gia hạn thời gian giải quyết hồ sơ" in text
    assert code in text
    assert NAME in text  # diacritics intact through font subsetting and ToUnicode maps
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "UBND TỈNH THỬ NGHIỆM" in text
    assert set(page_sizes_mm(pdf)) == {size}
    fonts = pdf_fonts(pdf)
    assert fonts and all(f["embedded"] for f in fonts.values()), fonts
    # Only the bundled Liberation Serif: no silent fallback to another system font.
    assert {f["family"] for f in fonts.values()} == {"Liberation Serif"}, fonts
    return text


def assert_qr(kind, dossier, **context):
    """The QR is the address of the dossier's tracking page with a signed token, and nothing personal;
    the image embedded is that address's code."""
    ctx = services.build_context(kind, dossier, **context)
    url = ctx["qr_payload"]
    prefix = f"{settings.MOTCUA_PUBLIC_URL.rstrip('/')}/tra-cuu-ho-so/"
    assert url.startswith(prefix) and url.endswith("/")
    assert tracking.code_from_token(url[len(prefix) : -1]) == dossier.code
    for personal in (APPLICANT["applicant_id_number"], APPLICANT["applicant_phone"].replace(" ", ""), "Nguy"):
        assert personal not in url
    expected = segno.make(ctx["qr_payload"], error="m", micro=False, encoding="utf-8").svg_data_uri(
        border=2, dark="#000", light="#fff"
    )
    assert ctx["qr_uri"] == expected
    html = services.render_html(kind, dossier, **context)
    # Top-left: the QR block comes before the issuing body's header.
    assert html.index(expected[:60]) < html.index('class="header"')


def test_receipt(received):
    pdf = services.receipt_pdf(received)
    text = assert_official_pdf(pdf, "01", received.code, A4)
    assert "Thời gian nhận hồ sơ: 09 giờ 00 phút, ngày 02/03/2026" in text
    assert "Thời gian trả kết quả giải quyết hồ sơ: 09 giờ 00 phút, ngày 09/03/2026" in text
    assert "5 ngày làm việc" in text
    assert "Số định danh cá nhân/tổ chức: 001185012345" in text
    assert "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp" in text and "Tái sử dụng dữ liệu điện tử" in text
    assert "Thử Nghiệm, ngày 02 tháng 3 năm 2026" in text
    assert "Lê Văn Bình" in text  # the receiving officer, family name first
    assert f"Số: {received.code}/" in text.replace("/ ", "/")
    assert_qr("01", received)


def test_supplement_request(supplement):
    dossier = supplement.dossier
    pdf = services.supplement_request_pdf(supplement)
    text = assert_official_pdf(pdf, "02", dossier.code, A4)
    assert "1. Bản sao giấy khai sinh có chứng thực" in text and "2. Ảnh chân dung 4x6 cm" in text
    assert "Lý do: Hồ sơ thiếu giấy tờ chứng minh nhân thân" in text
    assert "ngày 03 tháng 3 năm 2026" in text
    assert "PBS-" in text
    assert_qr("02", dossier)


def test_refusal(refused):
    pdf = services.refusal_pdf(refused)
    text = assert_official_pdf(pdf, "03", refused.code, A4)
    assert "Thủ tục không thuộc thẩm quyền giải quyết của Sở Tư pháp" in text
    assert "10 giờ 15 phút, ngày 02/03/2026" in text
    assert_qr("03", refused)


def test_apology(apology):
    dossier = apology.dossier
    pdf = services.apology_pdf(apology)
    text = assert_official_pdf(pdf, "04", dossier.code, A4)
    assert "Kính gửi: " + NAME in text
    assert "Thời gian hẹn trả kết quả giải quyết hồ sơ: 09 giờ 00 phút, ngày 09/03/2026" in text
    assert "hẹn trả kết quả vào: 16 giờ 30 phút, ngày 12/03/2026" in text
    assert "Cần xác minh thông tin lý lịch tại địa phương khác" in text
    assert "Phạm Quốc Khánh" in text and "THỦ TRƯỞNG CƠ QUAN" in text
    assert "ngày 05 tháng 3 năm 2026" in text
    assert_qr("04", dossier)


def test_stop_notice(stopped):
    dossier = stopped.dossier
    pdf = services.stop_notice_pdf(stopped)
    text = assert_official_pdf(pdf, "05", dossier.code, A4)
    assert "dừng giải quyết hồ sơ nêu trên kể từ 09 giờ 00 phút, ngày 03/03/2026" in text
    assert "đề nghị rút hồ sơ của Ông/Bà/Tổ chức lúc 08 giờ 00 phút, ngày 03/03/2026" in text
    assert "Lý do: Công dân rút hồ sơ theo đề nghị" in text
    assert_qr("05", dossier)


def test_control_slip_rows_follow_the_event_log(processed):
    rows = handover_rows(processed)
    assert [(r.giver.split(" (")[0], r.receiver.split(" (")[0]) for r in rows] == [
        ("Trung tâm phục vụ hành chính công", "Thẩm định"),
        ("Thẩm định", "Xem xét, trình ký"),
        ("Xem xét, trình ký", "Xã An Bình"),
        ("Xã An Bình", "Xem xét, trình ký"),
        ("Xem xét, trình ký", "Ký duyệt"),
        ("Ký duyệt", "Trung tâm phục vụ hành chính công"),
    ]  # the pause and resume are not hand-overs
    # Thẩm định was due 03/03 09:30 and handed on at 10:00 (late); Xem xét was due 05/03 10:00 and handed
    # on 04/03 (early: an earlier day); the consultation and the signature finished on their due day.
    assert [r.outcome for r in rows] == ["", "quá hạn", "", "đúng hạn", "trước hạn", "đúng hạn"]
    assert rows[1].time_text == "10 giờ 00 phút, ngày 03/03/2026"


def test_control_slip_pdf(processed):
    pdf = services.control_slip_pdf(processed)
    text = assert_official_pdf(pdf, "06", processed.code, A4)
    assert "Cơ quan phối hợp giải quyết hồ sơ: Xã An Bình" in text
    assert "Thời gian hẹn trả kết quả: 09 giờ 00 phút, ngày 09/03/2026" in text
    assert "quá hạn" in text and "đúng hạn" in text
    assert "10 giờ 00 phút, ngày 03/03/2026" in text
    assert "Tạm dừng" not in text
    assert_qr("06", processed)


def test_control_slip_without_hand_offs_still_prints(received):
    text = pdf_text(services.control_slip_pdf(received))
    assert "Chưa có lần giao, nhận hồ sơ nào." in text


@pytest.mark.parametrize("kind", ["receipt", "1", 1, "01"])
def test_kind_aliases(received, kind):
    assert services.build_context(kind, received)["form"] is FORMS["01"]


def test_overrides_win(received):
    text = pdf_text(services.receipt_pdf(received, number="125", place="Hội An", officer_name="Trần Văn Cường"))
    assert "Số: 125/BPTNTKQ" in text and "Hội An, ngày 02 tháng 3 năm 2026" in text and "Trần Văn Cường" in text


def test_unit_metadata_shapes_the_header(world, received):
    world.department.extra = {"KyHieu": "TTPVHCC", "DiaDanh": "Phố Hiến"}
    world.department.save()
    received.refresh_from_db()
    text = pdf_text(services.receipt_pdf(received)).replace("/ ", "/")
    assert f"{received.code}/TTPVHCC" in text and "Phố Hiến, ngày 02 tháng 3 năm 2026" in text


def test_pdf_response(received):
    response = services.pdf_response("01", received)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="01-receipt-{received.code}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert received.code in pdf_text(response.content)


def test_refusal_after_appraisal_prints_the_agencys_written_refusal(world, received):
    """Issue #10 item 5 (R1.25): neither Mẫu 03 (refusal of reception) nor Mẫu 05 (a stop)."""
    from motcua.core.errors import UserError
    from motcua.dossiers import services as lifecycle
    from tests.factories import vn

    lifecycle.start_processing(received, actor=world.desk, at=vn(2026, 3, 2, 9, 30))
    lifecycle.refuse_after_appraisal(
        received, reason="Không đủ điều kiện cấp theo Điều 7", actor=world.specialist, at=vn(2026, 3, 4, 9, 0)
    )
    received = type(received).objects.get(pk=received.pk)
    pdf = services.render_pdf("refusal-decision", received)
    text = pdf_text(pdf)
    assert "VĂN BẢN TỪ CHỐI GIẢI QUYẾT HỒ SƠ" in text and received.code in text
    assert "Không đủ điều kiện cấp theo Điều 7" in text and "Mẫu số" not in text
    for kind in ("refusal", "stop"):
        with pytest.raises(UserError):
            services.render_html(kind, received)


def test_stop_at_the_agencys_initiative_is_not_a_withdrawal(world, received):
    from motcua.dossiers import services as lifecycle
    from tests.factories import vn

    lifecycle.start_processing(received, actor=world.desk, at=vn(2026, 3, 2, 9, 30))
    lifecycle.stop(received, reason="Cơ quan có thẩm quyền đình chỉ", actor=world.desk, at=vn(2026, 3, 3, 9, 0))
    html = services.render_html("stop", type(received).objects.get(pk=received.pk))
    assert "không do Ông/Bà/Tổ chức đề nghị" in html and "đề nghị rút hồ sơ" not in html
