"""The web layer answers, in Vietnamese, without anything fetched from the internet."""

import pytest

pytestmark = pytest.mark.django_db


def test_home_page_is_vietnamese(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Hệ thống thông tin giải quyết thủ tục hành chính" in response.content.decode()


def test_openapi_schema_and_docs_are_served_locally(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"openapi" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs and "cdn." not in docs


def test_admin_requires_login(client):
    response = client.get("/admin/dossiers/dossier/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
