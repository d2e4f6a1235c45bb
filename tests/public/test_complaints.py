"""Published complaint answers: only those published, searchable without accents, no sender."""

import html

import pytest

from motcua.feedback.models import Complaint, ComplaintStatus, ComplaintStatusLog
from motcua.feedback.services import register_complaint
from tests.factories import vn

pytestmark = pytest.mark.django_db


def complaint(world, code, title, content, status, answer=""):
    item, _created = register_complaint(
        code=code,
        unit=world.department,
        category="quy_dinh",
        title=title,
        content=content,
        submitted_at=vn(2026, 3, 2, 9),
        sender="Trần Văn Gửi",
    )
    Complaint.objects.filter(pk=item.pk).update(
        status=status, extra={"NguoiGui": "Trần Văn Gửi", "NoiDungTraLoi": answer}
    )
    if status == ComplaintStatus.PUBLISHED:
        ComplaintStatusLog.objects.create(complaint=item, status=status, occurred_at=vn(2026, 3, 20, 10))
    return item


def test_published_answers_are_listed_and_searched_without_accents(client, world):
    complaint(
        world,
        "PAKN-1",
        "Thời gian cấp phiếu lý lịch tư pháp quá lâu",
        "Tôi chờ 10 ngày.",
        ComplaintStatus.PUBLISHED,
        answer="Sở đã rút ngắn thời gian xử lý còn 5 ngày làm việc.",
    )
    complaint(world, "PAKN-2", "Phí chứng thực", "Phí thu không đúng niêm yết.", ComplaintStatus.PUBLISHED)
    complaint(world, "PAKN-3", "Chưa trả lời về lý lịch", "Đang xử lý.", ComplaintStatus.PROCESSING)
    page = html.unescape(client.get("/phan-anh-kien-nghi/").content.decode())
    assert "Thời gian cấp phiếu lý lịch tư pháp quá lâu" in page and "Phí chứng thực" in page
    assert "Chưa trả lời về lý lịch" not in page and "20/03/2026" in page
    found = html.unescape(client.get("/phan-anh-kien-nghi/", {"q": "LY LICH"}).content.decode())
    assert "quá lâu" in found and "Phí chứng thực" not in found and "Chưa trả lời" not in found
    by_answer = html.unescape(client.get("/phan-anh-kien-nghi/", {"q": "rut ngan"}).content.decode())
    assert "quá lâu" in by_answer
    detail = html.unescape(client.get("/phan-anh-kien-nghi/PAKN-1/").content.decode())
    assert "Sở đã rút ngắn thời gian xử lý" in detail and "Tôi chờ 10 ngày." in detail
    assert "Trần Văn Gửi" not in detail and "Trần Văn Gửi" not in page
    assert client.get("/phan-anh-kien-nghi/PAKN-3/").status_code == 404
