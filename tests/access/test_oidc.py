"""VNeID sign-in through OpenID Connect against a real provider (django-oidc-provider) started on 127.0.0.1.

The provider runs in a process of its own (tests/access/oidc_op); motcua runs in the live server. The
browser's part is played by an httpx client that follows the redirects and fills the provider's login
form: authorization code with PKCE (S256), tokens and userinfo fetched by motcua from the provider.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from motcua.access.identity import link_identity
from motcua.access.models import UnlinkedOfficial
from motcua.org.models import Role
from tests.factories import official, province_with_department

ROOT = Path(__file__).resolve().parents[2]
LINKED, UNLINKED = "001090001234", "079000000001"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def provider(live_server, tmp_path, settings):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MOTCUA_")) and k != "DATABASE_URL"}
    env.update(
        OP_DIR=str(tmp_path),
        PYTHONPATH=str(ROOT),
        OP_PEOPLE=f"{LINKED}:mat-khau-vneid:Trần Quốc Bảo;{UNLINKED}:mat-khau-khac:Người chưa liên kết",
    )
    log = open(tmp_path / "op.log", "w")  # noqa: SIM115 — closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.access.oidc_op.run", str(port), f"{live_server.url}/oidc/callback/"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}/openid"
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"{base}/.well-known/openid-configuration", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log.close()
            pytest.fail("the test OpenID provider did not start:\n" + (tmp_path / "op.log").read_text()[-3000:])
        time.sleep(0.3)
    settings.MOTCUA_OIDC_CLIENT_ID = settings.OIDC_RP_CLIENT_ID = "motcua-test"
    settings.OIDC_RP_CLIENT_SECRET = "motcua-test-secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{base}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{base}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{base}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{base}/jwks"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "motcua.access.oidc.VNeIDBackend"]
    yield base
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


def _vneid_sign_in(live_server, number: str, password: str) -> tuple[httpx.Client, httpx.Response, list]:
    browser = httpx.Client(follow_redirects=True, timeout=30)
    page = browser.get(f"{live_server.url}/dang-nhap/")
    assert 'id="vneid-login"' in page.text
    start = browser.get(f"{live_server.url}/oidc/authenticate/?next=/can-bo/")
    assert "op-login" in start.text  # at the provider's login form
    authorize = next(str(r.url) for r in start.history if "/openid/authorize" in str(r.url))
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', start.text).group(1)
    done = browser.post(
        str(start.url),
        data={
            "csrfmiddlewaretoken": csrf,
            "username": number,
            "password": password,
            "next": parse_qs(urlsplit(str(start.url)).query)["next"][0],
        },
        headers={"Referer": str(start.url)},
    )
    return browser, done, [authorize]


@pytest.mark.django_db(transaction=True)
def test_a_linked_official_signs_in_with_vneid_using_pkce(live_server, provider):
    department = province_with_department()[1]
    leader = official("lanhdao_vneid", department, Role.LEADER)
    other = official("chua_lien_ket", department, Role.SPECIALIST)
    link_identity(leader, "vneid", LINKED)
    assert list(UnlinkedOfficial.objects.values_list("username", flat=True)) == [other.username]

    browser, done, (authorize,) = _vneid_sign_in(live_server, LINKED, "mat-khau-vneid")
    query = parse_qs(urlsplit(authorize).query)
    assert query["response_type"] == ["code"] and query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert any("/oidc/callback/" in str(r.url) and "code=" in str(r.url) for r in done.history)
    assert done.status_code == 200 and urlsplit(str(done.url)).path.startswith("/can-bo/")
    assert "lanhdao_vneid" in done.text  # signed in as the linked account
    browser.close()


@pytest.mark.django_db(transaction=True)
def test_an_unlinked_vneid_identity_is_refused_and_told_why(live_server, provider):
    department = province_with_department()[1]
    official("lanhdao_vneid", department, Role.LEADER)
    browser, done, _ = _vneid_sign_in(live_server, UNLINKED, "mat-khau-khac")
    assert urlsplit(str(done.url)).path == "/dang-nhap/"
    assert "chưa được liên kết" in done.text
    assert browser.get(f"{live_server.url}/can-bo/").url.path == "/dang-nhap/"
    browser.close()
