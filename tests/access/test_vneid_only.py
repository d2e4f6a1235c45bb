"""The "VNeID only" mode: passwords are off except for break-glass administrators; the demo password stays refused."""

import pytest
from django.contrib.auth import get_user_model

from motcua.access.identity import link_identity
from motcua.org.demo import DEMO_PASSWORD
from motcua.org.models import Role
from tests.factories import official, province_with_department

pytestmark = pytest.mark.django_db
LOGIN = "/dang-nhap/"
PASSWORD = "motcua-demo-2026"  # tests.factories.official's


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def vneid_only(settings):
    settings.MOTCUA_VNEID_ONLY = True
    settings.MOTCUA_OIDC_CLIENT_ID = "motcua"
    settings.MOTCUA_BREAK_GLASS_USERS = ["quantri_khan"]


def test_passwords_are_refused_with_the_reason(client, vneid_only):
    specialist = official("chuyenvien_a", province_with_department()[1], Role.SPECIALIST)
    response = client.post(LOGIN, {"username": specialist.username, "password": PASSWORD})
    assert not signed_in(client) and "chỉ cho phép đăng nhập bằng VNeID" in response.content.decode()
    page = client.get(LOGIN).content.decode()
    assert 'id="vneid-login"' in page and 'id="break-glass"' in page


def test_the_break_glass_administrator_may_use_a_password(client, vneid_only):
    get_user_model().objects.create_superuser("quantri_khan", password="mot-mat-khau-rat-dai-2026")
    client.post(LOGIN, {"username": "quantri_khan", "password": "mot-mat-khau-rat-dai-2026"})
    assert signed_in(client)


def test_the_demo_password_stays_refused_in_production_even_for_break_glass(client, vneid_only, settings):
    settings.PRODUCTION = True
    get_user_model().objects.create_superuser("quantri_khan", password=DEMO_PASSWORD)
    response = client.post(LOGIN, {"username": "quantri_khan", "password": DEMO_PASSWORD})
    assert not signed_in(client) and "Mật khẩu trình diễn" in response.content.decode()


def test_passwords_work_when_the_mode_is_off(client, settings):
    settings.MOTCUA_VNEID_ONLY = False
    specialist = official("chuyenvien_a", province_with_department()[1], Role.SPECIALIST)
    client.post(LOGIN, {"username": specialist.username, "password": PASSWORD})
    assert signed_in(client)


def test_vneid_start_is_404_while_not_configured(client, settings):
    settings.MOTCUA_OIDC_CLIENT_ID = ""
    assert client.get("/oidc/authenticate/").status_code == 404
    assert 'id="vneid-login"' not in client.get(LOGIN).content.decode()


def test_admin_lists_officials_not_linked_yet(client):
    department = province_with_department()[1]
    linked = official("da_lien_ket", department, Role.LEADER)
    official("chua_lien_ket", department, Role.SPECIALIST)
    link_identity(linked, "vneid", "001090001234")
    client.force_login(get_user_model().objects.create_superuser("root", password=None))
    html = client.get("/admin/access/unlinkedofficial/").content.decode()
    assert "chua_lien_ket" in html and "da_lien_ket" not in html
    response = client.post(
        "/admin/access/externalidentity/add/", {"user": linked.pk, "provider": "vneid", "subject": "12345"}
    )
    assert response.status_code == 200 and "12 chữ số" in response.content.decode()
