"""Form 07, the tracking book, for a unit and a period: PDF (A4 landscape) and XLSX."""

import io
from datetime import date, datetime

import openpyxl
import pytest

from motcua.documents import qr, services
from motcua.documents.forms import BOOK_HEADERS
from motcua.dossiers import services as lifecycle
from tests.documents.conftest import page_sizes_mm, pdf_fonts, pdf_text
from tests.factories import vn

pytestmark = pytest.mark.django_db

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


@pytest.fixture
def book(world):
    """Three dossiers in March at Sở Tư pháp, one in April, one at another unit."""
    first = world.receive(vn(2026, 3, 2, 9, 0))
    second = world.receive(
        vn(2026, 3, 16, 14, 5),
        applicant_name="Công ty TNHH Đồng Tháp Mười",
        applicant_address="Khu công nghiệp Tân Đông",
        applicant_phone="0208 3856 111",
    )
    third = world.receive(vn(2026, 3, 31, 16, 59), applicant_name="Đặng Thị Ánh Tuyết")
    world.receive(vn(2026, 4, 1, 7, 30), applicant_name="Ngoài kỳ")
    lifecycle.receive(
        procedure=world.procedure,
        handling_unit=world.commune,
        channel=1,
        received_at=vn(2026, 3, 3, 9),
        applicant={"applicant_name": "Đơn vị khác"},
    )
    lifecycle.start_processing(first, at=vn(2026, 3, 2, 10, 0))
    lifecycle.finish(first, at=vn(2026, 3, 5, 10, 0))
    lifecycle.return_result(first, delivery_method="Bưu chính công ích", at=vn(2026, 3, 6, 8, 15))
    return [first, second, third]


def test_book_pdf(world, book):
    pdf = services.tracking_book_pdf(world.department, *MARCH)
    text = pdf_text(pdf)
    assert "SỔ THEO DÕI HỒ SƠ" in text and "Từ ngày 01/03/2026 đến ngày 31/03/2026" in text
    for dossier in book:
        assert dossier.code in text
    assert "Công ty TNHH Đồng Tháp Mười" in text and "Đặng Thị Ánh Tuyết" in text
    assert "Ngoài kỳ" not in text and "Đơn vị khác" not in text
    assert "08 giờ 15 phút, ngày 06/03/2026" in text and "Bưu chính công ích" in text
    assert "Quyển số: 2026" in text
    assert set(page_sizes_mm(pdf)) == {(297, 210)}  # A4 landscape
    fonts = pdf_fonts(pdf)
    assert all(f["embedded"] and f["family"] == "Liberation Serif" for f in fonts.values())
    fields = qr.parse_payload(
        services.build_context("07", unit=world.department, date_from=MARCH[0], date_to=MARCH[1])["qr_payload"]
    )
    assert fields == {"MAU": "07", "DV": "H99.01", "TU": "2026-03-01", "DEN": "2026-03-31", "VB": "Sổ theo dõi hồ sơ"}


def test_book_xlsx_one_row_per_dossier(world, book):
    workbook = openpyxl.load_workbook(io.BytesIO(services.tracking_book_xlsx(world.department, *MARCH)))
    sheet = workbook["Sổ theo dõi hồ sơ"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "SỔ THEO DÕI HỒ SƠ"
    header_index = rows.index(BOOK_HEADERS)
    data = [dict(zip(BOOK_HEADERS, row, strict=True)) for row in rows[header_index + 1 :]]
    assert [r["Mã hồ sơ"] for r in data] == [d.code for d in book]
    assert [r["STT"] for r in data] == [1, 2, 3]
    assert [r["Tên tổ chức, cá nhân"] for r in data] == [
        "Nguyễn Thị Hồng Nhung",
        "Công ty TNHH Đồng Tháp Mười",
        "Đặng Thị Ánh Tuyết",
    ]
    assert data[1]["Địa chỉ, số điện thoại"] == "Khu công nghiệp Tân Đông; 0208 3856 111"
    assert {r["Tên thủ tục hành chính"] for r in data} == {"Cấp phiếu lý lịch tư pháp"}
    assert {r["Cơ quan chủ trì giải quyết"] for r in data} == {"Sở Tư pháp"}
    # Instants are Excel date-times in Vietnam time (16:59 on the last day is inside the period).
    assert data[2]["Ngày, giờ nhận hồ sơ"] == datetime(2026, 3, 31, 16, 59)
    assert data[0]["Ngày, giờ hẹn trả kết quả"] == datetime(2026, 3, 9, 9, 0)
    assert data[0]["Ngày, giờ trả kết quả"] == datetime(2026, 3, 6, 8, 15)
    assert data[0]["Phương thức nhận kết quả"] == "Bưu chính công ích"
    assert data[1]["Ngày, giờ trả kết quả"] is None
    assert sheet.cell(row=header_index + 2, column=7).number_format == "hh:mm dd/mm/yyyy"


def test_book_field_filter_and_empty_period(world, book):
    assert services.tracking_book_xlsx(world.department, *MARCH, field_code="khong-co")  # still a valid workbook
    text = pdf_text(services.tracking_book_pdf(world.department, date(2026, 5, 1), date(2026, 5, 31)))
    assert "Không có hồ sơ nào trong kỳ." in text


def test_long_book_repeats_the_header_on_every_page(world):
    for i in range(30):
        world.receive(vn(2026, 3, 2 + i % 20, 8 + i % 8, 0), applicant_name=f"Người nộp số {i + 1}")
    pdf = services.tracking_book_pdf(world.department, *MARCH)
    sizes = page_sizes_mm(pdf)
    assert len(sizes) > 1
    import pypdf

    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        assert "Mã hồ sơ" in page.extract_text()


@pytest.fixture
def ended(world):
    """A withdrawal requested, a stopped and a refused (after appraisal) dossier in March: each row notes
    its status. A dossier refused at the counter was never received and is not in the book."""
    withdrawing = world.receive(vn(2026, 3, 3, 9, 0), applicant_name="Người rút hồ sơ")
    lifecycle.request_withdrawal(withdrawing, reason="Công dân đề nghị rút", at=vn(2026, 3, 3, 10, 0))
    stopped = world.receive(vn(2026, 3, 4, 9, 0), applicant_name="Người bị dừng")
    lifecycle.request_withdrawal(stopped, reason="Công dân đề nghị rút", at=vn(2026, 3, 4, 10, 0))
    lifecycle.stop(stopped, reason="Công dân rút hồ sơ", actor=world.desk, at=vn(2026, 3, 4, 11, 0))
    refused = world.receive(vn(2026, 3, 5, 9, 0), applicant_name="Người bị từ chối")
    lifecycle.start_processing(refused, actor=world.desk, at=vn(2026, 3, 5, 9, 30))
    lifecycle.refuse_after_appraisal(refused, reason="Không đủ điều kiện", actor=world.leader, at=vn(2026, 3, 6, 9, 0))
    return [withdrawing, stopped, refused]


def test_book_notes_the_status_of_ended_dossiers(world, ended):
    """The status label is a lazy translation: it must reach the note as text (a 500 before)."""
    text = pdf_text(services.tracking_book_pdf(world.department, *MARCH))
    assert "Công dân yêu cầu rút hồ sơ" in text and text.count("Dừng xử lý") == 2
    workbook = openpyxl.load_workbook(io.BytesIO(services.tracking_book_xlsx(world.department, *MARCH)))
    rows = list(workbook["Sổ theo dõi hồ sơ"].iter_rows(values_only=True))
    notes = {row[1]: row[11] for row in rows[rows.index(BOOK_HEADERS) + 1 :]}
    assert notes == {
        ended[0].code: "Công dân yêu cầu rút hồ sơ",
        ended[1].code: "Dừng xử lý",
        ended[2].code: "Dừng xử lý",
    }


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_book_page_with_ended_dossiers(client, world, ended, fmt):
    client.force_login(world.leader)
    response = client.get(
        f"/can-bo/so-theo-doi/{world.department.code}/", {"from": "2026-03-01", "to": "2026-03-31", "format": fmt}
    )
    assert response.status_code == 200


def test_book_xlsx_writes_a_hostile_unit_name_as_text(world, book):
    from tests.spreadsheets import HOSTILE, formulas

    world.department.name = HOSTILE
    world.department.save()
    content = services.tracking_book_xlsx(world.department, *MARCH)
    assert formulas(content) == []
    assert openpyxl.load_workbook(io.BytesIO(content)).active["A1"].value == HOSTILE.upper()


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("0001-01-01", "9999-12-31"),
        ("2026-03-01", "9999-12-31"),
        ("0001-01-01", "2026-03-31"),
        ("2026-02-30", "2026-03-31"),
    ],
)
def test_book_page_with_dates_out_of_range_is_a_vietnamese_400(client, world, start, end):
    client.force_login(world.leader)
    for fmt in ("pdf", "xlsx"):
        response = client.get(
            f"/can-bo/so-theo-doi/{world.department.code}/", {"from": start, "to": end, "format": fmt}
        )
        assert response.status_code == 400
        assert "Ngày" in response.content.decode()
