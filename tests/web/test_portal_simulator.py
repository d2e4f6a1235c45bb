"""The demo's "Giả lập Cổng DVCQG" page: absent outside the demo; in it, the portal's calls over real HTTP."""

import re

import httpx
import pytest
from django.test import override_settings

from motcua.catalog.models import OnlineService
from motcua.dossiers.models import Dossier, Status
from motcua.nationalportal.fake import FakePortal
from tests.factories import procedure, province_with_department

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_page_does_not_exist_outside_the_demo(client):
    assert client.get("/gia-lap-cong/").status_code == 404


def test_an_online_dossier_sent_from_the_page_reaches_the_desk(live_server):
    _province, department, _commune = province_with_department()
    service = OnlineService.objects.create(
        code="DVC-1", procedure=procedure(), unit=department, level="toan_trinh", status="dang_cong_khai"
    )
    with (
        FakePortal(madonvi="H99") as fake,
        override_settings(MOTCUA_DEMO_PORTAL=True, MOTCUA_PORTAL_URL=fake.url, MOTCUA_PORTAL_INBOUND_SECRET="x" * 40),
    ):
        with httpx.Client(base_url=live_server.url, follow_redirects=True, timeout=30) as browser:
            page = browser.get("/gia-lap-cong/")
            assert page.status_code == 200 and "Giả lập Cổng" in page.text
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
            answer = browser.post(
                "/gia-lap-cong/",
                headers={"Referer": f"{live_server.url}/gia-lap-cong/"},
                data={
                    "csrfmiddlewaretoken": token,
                    "kind": "ho-so",
                    "ho-so-service": service.pk,
                    "ho-so-applicant": "Trần Thị Bình",
                    "ho-so-id_number": "001190000123",
                },
            )
    assert "&#x27;error_code&#x27;: &#x27;00&#x27;" in answer.text
    dossier = Dossier.objects.get()
    assert (dossier.status, dossier.channel, dossier.handling_unit) == (Status.SUBMITTED, 2, department)
    assert dossier.applicant_name == "Trần Thị Bình"
