"""A wrong address under /api/ answers JSON, like the API's own errors; elsewhere Django's page."""

import pytest

pytestmark = pytest.mark.django_db


def test_unknown_api_address_is_a_json_404(client):
    response = client.get("/api/766/tasks/khong-phai-ma/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Không tìm thấy địa chỉ này.", "code": "not_found"}


def test_unknown_page_is_an_html_404(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
