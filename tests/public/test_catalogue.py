"""The public catalogue: accent-free search, filters, a procedure's parts, the embeddable unit list."""

import html

import pytest

pytestmark = pytest.mark.django_db


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def test_search_ignores_accents_and_case(client, world):
    for query in ("ly lich tu phap", "LÝ LỊCH TƯ PHÁP", "Ly Lich", "phieu  LY lich"):
        text = page(client.get("/thu-tuc/", {"q": query}))
        assert "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam" in text, query
        assert "Chứng thực bản sao" not in text
    assert "Thủ tục đã bãi bỏ" not in page(client.get("/thu-tuc/", {"q": "ly lich"}))  # abolished: not published
    text = page(client.get("/thu-tuc/", {"q": "1.000002"}))
    assert "Chứng thực bản sao từ bản chính giấy tờ" in text and "lý lịch" not in text


def test_filters_by_unit_field_and_level(client, world):
    by_commune = page(client.get("/thu-tuc/", {"unit": world.commune.code}))
    assert "Đăng ký khai sinh" in by_commune and "Phiếu lý lịch" not in by_commune
    by_department = page(client.get("/thu-tuc/", {"unit": world.department.code}))
    assert "Phiếu lý lịch" in by_department and "Đăng ký khai sinh" not in by_department
    by_field = page(client.get("/thu-tuc/", {"field": "CT"}))
    assert "Chứng thực bản sao" in by_field and "Phiếu lý lịch" not in by_field
    by_level = page(client.get("/thu-tuc/", {"level": "XA"}))
    assert "Đăng ký khai sinh" in by_level and "Chứng thực bản sao" not in by_level


def test_procedure_page_shows_the_published_parts(client, world):
    text = page(client.get("/thu-tuc/1.000001/"))
    for part in (
        "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
        "5 ngày làm việc",  # time limit
        "Cấp trong ngày",
        "1 ngày làm việc",
        "Giấy tờ chứng minh việc cấp gấp",  # a case with its own
        "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp",
        "Bản chụp thẻ Căn cước (2 bản)",  # components
        "Phí cấp Phiếu lý lịch tư pháp: 200.000 đ",
        "Luật Lý lịch tư pháp 2009",
        "Trung tâm Phục vụ hành chính công tỉnh",  # where (by level: no competent unit named)
        "Nộp trực tuyến trên Cổng Dịch vụ công quốc gia",
        "ma_thu_tuc=1.000001",
        "Toàn trình",
    ):
        assert part in text, part
    assert "Nộp trực tuyến" not in page(client.get("/thu-tuc/1.000002/"))  # no online service
    assert client.get("/thu-tuc/9.999999/").status_code == 404  # abolished
    assert client.get("/thu-tuc/khong-co/").status_code == 404


def test_embed_shows_only_the_units_procedures_and_may_be_framed(client, world):
    response = client.get(f"/nhung/{world.commune.code}/")
    text = page(response)
    assert "Đăng ký khai sinh" in text and "Phiếu lý lịch" not in text and "Chứng thực" not in text
    assert "X-Frame-Options" not in response.headers
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]  # framed by any unit's site
    assert "frame-ancestors 'none'" in client.get("/thu-tuc/").headers["Content-Security-Policy"]
    assert 'class="navbar' not in text  # no site navigation inside someone else's page
    assert "Đăng ký khai sinh" not in page(client.get(f"/nhung/{world.commune.code}/", {"q": "ly lich"}))
    detail = client.get(f"/nhung/{world.commune.code}/thu-tuc/2.000009/")
    assert "Đăng ký khai sinh" in page(detail) and "X-Frame-Options" not in detail.headers
    assert client.get(f"/nhung/{world.commune.code}/thu-tuc/1.000001/").status_code == 404  # another unit's
    assert client.get("/nhung/KHONG-CO/").status_code == 404
    # Every other page keeps Django's clickjacking protection.
    for url in ("/thu-tuc/", "/thu-tuc/1.000001/", f"/don-vi/{world.commune.code}/", "/tra-cuu-ho-so/", "/"):
        assert client.get(url).headers["X-Frame-Options"] == "DENY", url


def test_unit_page_shows_the_snippet_to_copy(client, world):
    text = page(client.get(f"/don-vi/{world.department.code}/"))
    assert world.department.name in text and "01 Hùng Vương" in text
    assert (
        f'<iframe src="https://motcua.example.gov.vn/nhung/{world.department.code}/" '
        f'title="Thủ tục hành chính — {world.department.name}"'
    ) in text
    assert "Đơn vị giải quyết 2 thủ tục hành chính." in text


def test_catalogue_sees_a_new_procedure_at_once(client, world):
    from tests.factories import procedure

    assert "Cấp giấy phép lái xe" not in page(client.get("/thu-tuc/", {"q": "giay phep lai xe"}))
    procedure(code="3.000001", name="Cấp giấy phép lái xe")
    assert "Cấp giấy phép lái xe" in page(client.get("/thu-tuc/", {"q": "giay phep lai xe"}))


def test_home_links_to_the_public_pages(client, world):
    text = page(client.get("/"))
    for url in ("/thu-tuc/", "/tra-cuu-ho-so/", "/phan-anh-kien-nghi/", "/dang-nhap/"):
        assert f'href="{url}"' in text, url


def test_pages_are_vietnamese_first_and_translate_to_english(client, world):
    from django.utils import translation

    assert "Tra cứu thủ tục hành chính" in page(client.get("/thu-tuc/"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/thu-tuc/"})
    try:
        english = page(client.get("/thu-tuc/"))
        assert "Find an administrative procedure" in english and "Procedure name or code" in english
        assert "Track a dossier" in page(client.get("/tra-cuu-ho-so/"))
    finally:
        translation.deactivate()
