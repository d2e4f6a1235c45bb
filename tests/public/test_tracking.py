"""Dossier tracking: code and second factor, the receipt's QR address, masking, no enumeration, limits."""

import html
import re
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.documents import services as documents
from motcua.dossiers import services
from motcua.dossiers import tracking as tokens

pytestmark = pytest.mark.django_db
TRACK = "/tra-cuu-ho-so/"


def text(response) -> str:
    """The page's words: tags out, spaces collapsed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def qr_path(dossier) -> str:
    """What a phone opens when it scans the receipt: the QR's address, without the site's origin."""
    url = documents.build_context("01", dossier)["qr_payload"]
    assert url.startswith("https://motcua.example.gov.vn/")
    return url.removeprefix("https://motcua.example.gov.vn")


def test_code_and_last_four_digits_of_the_id_number_or_the_phone(client, world):
    dossier = world.received()
    for factor in ("2345", "5678"):  # 001185012345, 0912 345 678
        response = client.post(TRACK, {"code": dossier.code, "factor": factor})
        assert response.status_code == 302
        assert response["Location"] == f"{TRACK}{tokens.token_for(dossier.code)}/"
    page = text(client.get(response["Location"]))
    assert dossier.code in page and "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam" in page
    assert "Tình trạng: Được tiếp nhận" in page
    assert "Hồ sơ đã được tiếp nhận và đang được chuyển đến cơ quan giải quyết." in page
    due = timezone.localtime(dossier.due_at)
    assert f"Hẹn trả kết quả: {due:%H:%M} ngày {due:%d/%m/%Y}" in page
    assert "Trực tiếp tại Bộ phận Một cửa" in page and "01 Hùng Vương" in page  # where to collect


def test_wrong_factor_and_unknown_code_get_the_same_answer(client, world):
    dossier = world.received()

    def answer(code, factor):
        response = client.post(TRACK, {"code": code, "factor": factor})
        # The CSRF token is masked afresh on every page: the only byte that may differ.
        body = re.sub(r'(csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]+"', "", response.content.decode())
        return response.status_code, response["Content-Type"], body.replace(code, "<code>")

    wrong_factor = answer(dossier.code, "9999")
    unknown_code = answer("H99.01-990101-0001", "9999")
    assert wrong_factor == unknown_code
    assert wrong_factor[0] == 200 and "Không tìm thấy hồ sơ với mã và 4 chữ số đã nhập" in html.unescape(
        wrong_factor[2]
    )
    # A dossier without a recorded ID number or phone cannot be found by a factor at all.
    bare = world.received(applicant_id_number="", applicant_phone="")
    assert answer(bare.code, "0000")[2].replace("<code>", "") == wrong_factor[2].replace("<code>", "")


def test_the_receipts_qr_opens_the_page_and_a_tampered_token_is_refused(client, world):
    dossier = world.received()
    path = qr_path(dossier)
    assert client.get(path).status_code == 200
    token = tokens.token_for(dossier.code)
    other = world.received()
    forged = [
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # one character of the signature changed
        f"{other.code}:{token.split(':', 1)[1]}",  # another dossier's code under this signature
        dossier.code,  # no signature
        tokens.token_for(dossier.code).replace(dossier.code, dossier.code.lower()),
    ]
    from django.core import signing

    forged.append(signing.Signer(salt="some.other.salt", algorithm="sha256").sign(dossier.code))  # other salt
    for bad in forged:
        response = client.get(f"{TRACK}{bad}/")
        assert response.status_code == 404, bad
        assert "Đường dẫn tra cứu không hợp lệ" in text(response) and dossier.code not in text(response)


def test_personal_data_is_masked(client, world):
    dossier = world.done()
    page = text(client.get(qr_path(dossier)))
    for secret in (
        "Nguyễn Thị Hồng Nhung",
        "001185012345",
        "0912 345 678",
        "0912345678",
        "12 Trần Hưng Đạo",
        "nhung@example.vn",
    ):
        assert secret not in page, secret
    assert "Nguyễn T. H. N." in page and "•••••••••345" in page and "•••••••678" in page


def test_supplement_request_and_ready_result_are_told_plainly(client, world):
    dossier = world.received()
    services.start_processing(dossier, actor=world.desk)
    services.request_supplement(
        dossier, items=["Bản sao giấy khai sinh", "Ảnh 4x6"], reason="Thiếu giấy tờ", actor=world.specialist
    )
    page = text(client.get(qr_path(dossier)))
    assert "Hồ sơ cần được bổ sung, hoàn thiện" in page
    assert "Bản sao giấy khai sinh" in page and "Ảnh 4x6" in page and "Thiếu giấy tờ" in page
    assert [s in page for s in ("Được tiếp nhận", "Đang xử lý", "Yêu cầu bổ sung giấy tờ")] == [True] * 3
    done = world.done()
    page = text(client.get(qr_path(done)))
    assert "Đã có kết quả giải quyết. Mời ông/bà đến nhận kết quả." in page
    assert "07:00–11:30, 13:30–17:00" in page and "Sở Tư pháp, 01 Hùng Vương" in page


def test_lookup_is_one_query_on_the_codes_unique_index(client, world, django_assert_max_num_queries):
    dossier = world.received()
    with CaptureQueriesContext(connection) as queries:
        response = client.post(TRACK, {"code": dossier.code, "factor": "2345"})
    assert response.status_code == 302
    assert len(queries) == 1, [q["sql"] for q in queries]
    assert re.search(r'WHERE "dossiers_dossier"\."code" = ', queries[0]["sql"]), queries[0]["sql"]
    plan = _plan(queries[0]["sql"])  # the view's own query, as sent
    if connection.vendor == "sqlite":
        assert re.search(
            r"SEARCH dossiers_dossier USING (COVERING )?INDEX sqlite_autoindex_dossiers_dossier_1 "
            r"\(code=\?\)",
            plan,
        ), plan
    else:
        assert re.search(r"Index (Only )?Scan using dossiers_dossier_code_\w+ on dossiers_dossier", plan), plan
    with django_assert_max_num_queries(7):  # dossier with its one-to-ones, events, supplement, office hours …
        assert client.get(response["Location"]).status_code == 200
    with django_assert_max_num_queries(1):
        client.post(TRACK, {"code": "H99.01-990101-0001", "factor": "2345"})


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            return " ".join(str(row[-1]) for row in cursor.fetchall())
        # A test table is tiny and PostgreSQL would rather scan it: ask whether the index serves the query.
        cursor.execute("SET enable_seqscan = off")
        try:
            cursor.execute(f"EXPLAIN {sql}")
            return " ".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")


@pytest.fixture
def clock(monkeypatch):
    """django-ratelimit's clock, moved by the test: windows change without waiting."""
    now = [1_800_000_000.0]
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now[0]))
    return now


def test_429_after_the_limit_and_the_next_window_lets_through(client, world, settings, clock):
    settings.MOTCUA_TRACKING_RATE = "3/m"
    dossier = world.received()
    for _ in range(3):
        assert client.post(TRACK, {"code": dossier.code, "factor": "9999"}).status_code == 200
    refused = client.post(TRACK, {"code": dossier.code, "factor": "2345"})  # even the right factor
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60
    assert "Quá nhiều lượt tra cứu" in text(refused)
    other_client = client.post(TRACK, {"code": dossier.code, "factor": "2345"}, REMOTE_ADDR="203.0.113.9")
    assert other_client.status_code == 302  # the limit is per client
    clock[0] += 60
    assert client.post(TRACK, {"code": dossier.code, "factor": "2345"}).status_code == 302


def test_a_code_under_attack_from_many_clients_is_limited(client, world, settings, clock):
    settings.MOTCUA_TRACKING_CODE_RATE = "2/h"
    dossier = world.received()
    for i in range(2):
        client.post(TRACK, {"code": dossier.code, "factor": f"000{i}"}, REMOTE_ADDR=f"198.51.100.{i}")
    assert client.post(TRACK, {"code": dossier.code, "factor": "2345"}, REMOTE_ADDR="198.51.100.7").status_code == 429
    assert client.post(TRACK, {"code": "H99.01-990101-0001", "factor": "2345"}).status_code == 200  # other codes


def test_token_pages_are_limited_per_client_behind_a_proxy(client, world, settings, clock):
    settings.MOTCUA_PUBLIC_RATE = "2/m"
    settings.MOTCUA_CLIENT_IP_HEADER = "X-Forwarded-For"
    path = qr_path(world.received())
    for _ in range(2):
        assert client.get(path, HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.1").status_code == 200
    assert client.get(path, HTTP_X_FORWARDED_FOR="7.7.7.7, 192.0.2.1").status_code == 429  # first hop is spoofable
    assert client.get(path, HTTP_X_FORWARDED_FOR="192.0.2.2").status_code == 200
