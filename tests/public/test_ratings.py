"""Ratings from the tracking page and the counter kiosk; a "not satisfied" opens the leaders' follow-up."""

import html
import re

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from motcua.dossiers import tracking as tokens
from motcua.feedback import services as feedback
from motcua.feedback.models import Rating, RatingFollowUp
from motcua.feedback.reasons import DISSATISFACTION_REASONS
from motcua.workdays.services import get_calendar

pytestmark = pytest.mark.django_db
FOLLOW_UPS = "/can-bo/theo-doi-danh-gia/"


def text(response) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def rate_url(dossier) -> str:
    return f"/tra-cuu-ho-so/{tokens.token_for(dossier.code)}/danh-gia/"


def test_one_rating_per_dossier_a_later_one_replaces_it(client, world):
    dossier = world.done()
    assert client.post(rate_url(dossier), {"satisfied": "1"}).status_code == 302
    rating = Rating.objects.get(dossier=dossier)
    assert not rating.dissatisfied and not RatingFollowUp.objects.exists()
    response = client.post(rate_url(dossier), {"satisfied": "0", "reason": "thai_do"}, follow=True)
    assert "Cảm ơn ông/bà đã đánh giá" in text(response)
    assert Rating.objects.filter(dossier=dossier).count() == 1
    rating.refresh_from_db()
    assert rating.dissatisfied and rating.comment.startswith("Thái độ của cán bộ")
    assert "Ông/bà đã đánh giá: Không hài lòng" in text(response)


def test_not_satisfied_needs_a_reason_from_the_list(client, world):
    dossier = world.done()
    for data in ({"satisfied": "0"}, {"satisfied": "0", "reason": "khong-co"}, {}):
        response = client.post(rate_url(dossier), data)
        assert response.status_code == 400, data
    assert not Rating.objects.exists()
    assert client.post(rate_url(world.received()), {"satisfied": "1"}).status_code == 404  # no result yet
    assert len(DISSATISFACTION_REASONS) == 9


def test_not_satisfied_opens_a_follow_up_for_the_units_leader(client, world):
    dossier = world.returned()
    client.post(rate_url(dossier), {"satisfied": "0", "reason": "tong_thoi_gian"})
    task = RatingFollowUp.objects.get()
    rating = Rating.objects.get(dossier=dossier)
    assert (task.unit, task.state, task.source) == (world.department, "open", "web")
    assert task.due_at == get_calendar().add_working_days(rating.rated_at, 2)
    client.post(rate_url(dossier), {"satisfied": "0", "reason": "thai_do"})  # again, while the task is open
    assert RatingFollowUp.objects.count() == 1 and RatingFollowUp.objects.get().reason.startswith("Thái độ")

    client.force_login(world.leader)
    page = text(client.get(FOLLOW_UPS))
    assert dossier.code in page and "Thái độ của cán bộ" in page and "trang tra cứu" in page
    client.force_login(world.commune_leader)  # another unit's leader does not see it
    assert dossier.code not in text(client.get(FOLLOW_UPS))


def test_only_leaders_open_the_follow_up_list_and_close_with_a_note(client, world):
    dossier = world.done()
    client.post(rate_url(dossier), {"satisfied": "0", "reason": "cong_khai"})
    task = RatingFollowUp.objects.get()
    assert client.get(FOLLOW_UPS).status_code == 302  # sign in first
    for official in (world.specialist, world.desk):
        client.force_login(official)
        assert client.get(FOLLOW_UPS).status_code == 403
    client.force_login(world.commune_leader)
    assert client.post(f"{FOLLOW_UPS}{task.pk}/dong/", {"note": "Không phải việc của tôi"}).status_code == 403
    client.force_login(world.leader)
    client.post(f"{FOLLOW_UPS}{task.pk}/dong/", {"note": ""})
    task.refresh_from_db()
    assert task.state == "open"
    response = client.post(
        f"{FOLLOW_UPS}{task.pk}/dong/", {"note": "Đã gọi điện xin lỗi, niêm yết lại TTHC"}, follow=True
    )
    assert "Đã đóng việc theo dõi hồ sơ" in text(response)
    task.refresh_from_db()
    assert (task.state, task.closed_by, task.note) == ("closed", world.leader, "Đã gọi điện xin lỗi, niêm yết lại TTHC")
    entry = (
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(RatingFollowUp), object_pk=str(task.pk))
        .order_by("-timestamp")
        .first()
    )
    assert entry.actor == world.leader and entry.cid == "web" and "state" in entry.changes_dict
    assert "Đã gọi điện xin lỗi" in text(client.get(FOLLOW_UPS + "?trang-thai=da-dong"))


def test_a_not_satisfied_from_the_portal_opens_a_task_too(world):
    dossier = world.done()
    feedback.record_rating(dossier, satisfied=False, reason="Chậm", rated_at=timezone.now(), source="portal")
    assert RatingFollowUp.objects.get().source == "portal"


# --- the counter kiosk -------------------------------------------------------------------------------------


def kiosk(world) -> str:
    return f"/danh-gia-tai-quay/{world.department.code}/"


def test_the_kiosk_needs_a_signed_in_desk_officer_of_the_unit(client, world):
    response = client.get(kiosk(world))
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]
    for official in (world.specialist, world.leader, world.commune_desk):
        client.force_login(official)
        assert client.get(kiosk(world)).status_code == 403, official
    client.force_login(world.desk)
    assert client.get(kiosk(world)).status_code == 200
    assert client.get("/danh-gia-tai-quay/")["Location"] == kiosk(world)  # one desk: straight to it


def test_kiosk_one_tap_per_dossier_returned_today(client, world):
    returned, waiting = world.returned(), world.done(applicant_name="Lê Văn Tám")
    client.force_login(world.desk)
    page = text(client.get(kiosk(world)))
    assert returned.code in page and "Nguyễn T. H. N." in page and "Nguyễn Thị Hồng Nhung" not in page
    assert waiting.code not in page  # not handed over yet
    response = client.post(f"{kiosk(world)}{returned.code}/", {"satisfied": "1"}, follow=True)
    assert f"Cảm ơn ông/bà đã đánh giá hồ sơ {returned.code}" in text(response)
    assert "Đã đánh giá. Xin cảm ơn!" in text(response)
    rating = Rating.objects.get(dossier=returned)
    assert not rating.dissatisfied
    entry = LogEntry.objects.get(content_type=ContentType.objects.get_for_model(Rating), object_pk=str(rating.pk))
    assert entry.cid == "kiosk" and entry.actor == world.desk
    assert client.post(f"{kiosk(world)}{waiting.code}/", {"satisfied": "1"}).status_code == 404


def test_kiosk_not_satisfied_asks_the_reason_then_opens_the_follow_up(client, world):
    returned = world.returned()
    client.force_login(world.desk)
    response = client.post(f"{kiosk(world)}{returned.code}/", {"satisfied": "0"})
    assert response["Location"] == f"{kiosk(world)}{returned.code}/ly-do/" and not Rating.objects.exists()
    page = text(client.get(response["Location"]))
    assert all(str(label) in page for _code, label in DISSATISFACTION_REASONS)
    client.post(f"{kiosk(world)}{returned.code}/", {"satisfied": "0", "reason": "so_lan_lien_he"})
    assert Rating.objects.get(dossier=returned).dissatisfied
    assert RatingFollowUp.objects.get().source == "kiosk"
