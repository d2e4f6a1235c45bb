"""Signing in: the published demo password is refused in production."""

import pytest
from django.contrib.auth import get_user_model

from motcua.org.demo import DEMO_PASSWORD, create_demo_logins
from tests.factories import province_with_department

pytestmark = pytest.mark.django_db

LOGIN = "/dang-nhap/"
ADMIN_LOGIN = "/admin/login/"


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def demo_logins():
    province_with_department()
    return [username for username, _role, _unit in create_demo_logins()]


def test_production_refuses_the_demo_accounts_with_the_published_password(client, settings, demo_logins):
    settings.PRODUCTION = True
    assert "motcua_admin" in demo_logins and get_user_model().objects.get(username="motcua_admin").is_superuser
    for username in demo_logins:
        response = client.post(LOGIN, {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 200 and not signed_in(client), username
        assert "Mật khẩu trình diễn" in response.content.decode()
    response = client.post(ADMIN_LOGIN, {"username": "motcua_admin", "password": DEMO_PASSWORD, "next": "/admin/"})
    assert response.status_code == 200 and not signed_in(client)


def test_production_accepts_an_account_once_its_password_is_changed(client, settings, demo_logins):
    settings.PRODUCTION = True
    user = get_user_model().objects.get(username="chuyenvien")
    user.set_password("Mat-khau-rieng-2026!")
    user.save()
    response = client.post(LOGIN, {"username": "chuyenvien", "password": "Mat-khau-rieng-2026!"})
    assert response.status_code == 302 and signed_in(client)


def test_development_signs_in_with_the_demo_password(client, demo_logins):
    response = client.post(LOGIN, {"username": "chuyenvien", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and signed_in(client)
