"""Signing in: failures are limited per account and per client address, logged, and explained in
Vietnamese; the published demo password is refused in production.

Client addresses are documentation addresses (RFC 5737) set on the test client's requests: no traffic.
"""

import base64
import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from motcua.access.throttle import client_address
from motcua.org.demo import DEMO_PASSWORD, create_demo_logins
from motcua.org.models import Role
from tests.factories import official, province_with_department

pytestmark = pytest.mark.django_db

LOGIN = "/dang-nhap/"
ADMIN_LOGIN = "/admin/login/"


OFFICE, HOME, ELSEWHERE = "192.0.2.10", "198.51.100.20", "203.0.113.30"


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def sign_in(client, username, password=DEMO_PASSWORD, *, address=OFFICE, path=LOGIN):
    data = {"username": username, "password": password}
    if path == ADMIN_LOGIN:
        data["next"] = "/admin/"
    return client.post(path, data, REMOTE_ADDR=address)


def fail(client, username, times, *, address=OFFICE, path=LOGIN):
    for _ in range(times):
        sign_in(client, username, "sai-mat-khau", address=address, path=path)


@pytest.fixture
def units():
    return province_with_department()


@pytest.fixture
def specialist(units):
    return official("chuyenvien_a", units[1], Role.SPECIALIST)


def locked(response) -> bool:
    return response.status_code == 429 and "Tạm khóa đăng nhập" in response.content.decode()


# --- failures are limited --------------------------------------------------------------------------------


def test_forty_wrong_passwords_then_the_right_one_is_refused(client, specialist):
    fail(client, "chuyenvien_a", 40)
    response = sign_in(client, "chuyenvien_a")
    assert locked(response) and not signed_in(client)
    page = response.content.decode()
    assert "15 phút" in page and "quản trị viên" in page


def test_the_admin_sign_in_is_limited_too(client, units):
    get_user_model().objects.create_superuser("quantri", password="Mat-khau-quan-tri-2026!")
    fail(client, "quantri", 40, path=ADMIN_LOGIN)
    response = sign_in(client, "quantri", "Mat-khau-quan-tri-2026!", path=ADMIN_LOGIN)
    assert locked(response) and not signed_in(client)


def test_an_account_is_locked_from_every_client_after_its_limit(client, specialist, settings):
    assert settings.MOTCUA_LOGIN_FAILURES_PER_ACCOUNT == 5
    fail(client, "chuyenvien_a", 4)
    assert sign_in(client, "chuyenvien_a", "sai-mat-khau").status_code == 429  # the fifth failure locks
    assert locked(sign_in(client, "chuyenvien_a", address=ELSEWHERE)) and not signed_in(client)


def test_a_client_is_locked_for_every_account_after_its_limit(client, units, specialist, settings):
    """Guessing one password over many accounts: each account fails once, the address is locked."""
    assert settings.MOTCUA_LOGIN_FAILURES_PER_CLIENT == 20
    for i in range(20):
        fail(client, f"doan_{i}", 1, address=HOME)
    assert locked(sign_in(client, "chuyenvien_a", address=HOME)) and not signed_in(client)
    assert sign_in(client, "chuyenvien_a", address=OFFICE).status_code == 302 and signed_in(client)


def test_a_few_failures_do_not_lock_others(client, units, specialist):
    """An office shares one address: a colleague's typos lock neither the office nor the colleague."""
    colleague = official("chuyenvien_b", units[1], Role.SPECIALIST)
    fail(client, "chuyenvien_b", 4)
    assert sign_in(client, "chuyenvien_a").status_code == 302 and signed_in(client)
    client.logout()
    assert sign_in(client, colleague.username).status_code == 302 and signed_in(client)


def test_the_lock_ends_after_the_lockout_minutes(client, specialist, settings):
    fail(client, "chuyenvien_a", 5)
    assert locked(sign_in(client, "chuyenvien_a"))
    # The failures happened 16 minutes ago (the lock lasts MOTCUA_LOGIN_LOCKOUT_MINUTES = 15).
    earlier = AccessAttempt.objects.get(username="chuyenvien_a").attempt_time - timedelta(minutes=16)
    AccessAttempt.objects.update(attempt_time=earlier)
    assert sign_in(client, "chuyenvien_a").status_code == 302 and signed_in(client)


def test_the_limits_are_settings(client, specialist, settings):
    settings.MOTCUA_LOGIN_FAILURES_PER_ACCOUNT = 2
    fail(client, "chuyenvien_a", 2)
    assert locked(sign_in(client, "chuyenvien_a"))


def test_failures_and_locks_are_logged_in_english(client, specialist, caplog):
    caplog.set_level(logging.WARNING, logger="motcua.access")
    fail(client, "chuyenvien_a", 1, address=HOME)
    assert "sign-in failed: username='chuyenvien_a' client=198.51.100.20 path=/dang-nhap/" in caplog.text
    assert "sai-mat-khau" not in caplog.text
    fail(client, "chuyenvien_a", 4, address=HOME)
    assert "sign-in locked: username='chuyenvien_a' client=198.51.100.20" in caplog.text


def test_behind_a_proxy_the_client_is_the_forwarded_address(settings):
    request = RequestFactory().post(LOGIN, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"{ELSEWHERE}, {HOME}")
    assert client_address(request) == "127.0.0.1"  # no proxy configured: the header is not believed
    settings.MOTCUA_PROXY_COUNT = 1
    assert client_address(request) == HOME  # what the proxy saw (the first entry can be forged)
    settings.MOTCUA_PROXY_COUNT = 2
    assert client_address(request) == ELSEWHERE


# --- the API ---------------------------------------------------------------------------------------------


def test_the_api_refuses_http_basic_authentication(client, units):
    """Basic authentication would let anyone guess passwords on the API, outside the sign-in limits."""
    official("kiemsoat_api", units[0], Role.CONTROL_OFFICER)
    credentials = base64.b64encode(f"kiemsoat_api:{DEMO_PASSWORD}".encode()).decode()
    response = client.get("/api/766/score/", HTTP_AUTHORIZATION=f"Basic {credentials}")
    assert response.status_code in (401, 403)
    assert "Basic" not in response.get("WWW-Authenticate", "")
    schemes = client.get("/api/schema/", {"format": "json"}).json()["components"]["securitySchemes"]
    # The staff's session cookie, and the national portal's HMAC signature on its own endpoints only.
    assert set(schemes) == {"cookieAuth", "portalSignature"}


def test_the_api_serves_the_signed_in_session(client, units):
    client.force_login(official("kiemsoat_api", units[0], Role.CONTROL_OFFICER))
    response = client.get("/api/766/score/")
    assert response.status_code not in (401, 403)  # authenticated (400: the period is missing)


# --- the published demo password ---------------------------------------------------------------------------


@pytest.fixture
def demo_logins(units):
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
